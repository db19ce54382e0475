"""Evidence in an S3-compatible bucket (a moto server the test starts on loopback): the same
checks, reads, clean-up and verification as the folder, through RECTIFY_ATTACHMENTS_URL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from click.testing import CliRunner
from moto.server import ThreadedMotoServer
from sqlalchemy import select, update

from workflow.attachments import AttachmentStore
from workflow.blobs import FolderBlobs, blobs_for
from workflow.blobs_s3 import BucketAddress, S3Blobs
from workflow.cli import engine
from workflow.config import Settings
from workflow.errors import EvidenceCorrupt
from workflow.models import Attachment, utcnow
from workflow.runtime import Rectify
from workflow.services.evidence import remove_unlinked, upload

BUCKET = "evidence"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server: str, monkeypatch: pytest.MonkeyPatch, request: Any) -> Any:
    for name, value in (("AWS_ACCESS_KEY_ID", "rectify"), ("AWS_SECRET_ACCESS_KEY", "secret"),
                        ("AWS_DEFAULT_REGION", "us-east-1")):
        monkeypatch.setenv(name, value)
    name = f"{BUCKET}-{abs(hash(request.node.nodeid)) % 10**8}"
    client = boto3.client("s3", endpoint_url=s3_server)
    client.create_bucket(Bucket=name)
    return client, name, s3_server


@pytest.fixture
def on_bucket(rectify: Rectify, bucket: Any) -> S3Blobs:
    """The test's engine keeps its evidence in the bucket, under a prefix."""
    client, name, endpoint = bucket
    blobs = S3Blobs(BucketAddress.parse(f"s3://{name}/site-a", endpoint))
    rectify.store = AttachmentStore(blobs, rectify.settings.max_upload_bytes)
    return blobs


def _put(rectify: Rectify, data: bytes, name: str, user: Any) -> Attachment:
    with rectify.unit_of_work() as uow:
        row = upload(uow, user, data, name)
        uow.session.expunge(row)
        return row


def _keys(bucket: Any) -> set[str]:
    client, name, _endpoint = bucket
    return {o["Key"] for o in client.list_objects_v2(Bucket=name).get("Contents", [])}


def test_an_upload_lands_in_the_bucket_and_reads_back_checked(flow: Any, rectify: Rectify,
                                                               on_bucket: S3Blobs, bucket: Any,
                                                               png: Any) -> None:
    org = flow.org
    row = _put(rectify, png(1), "exit.png", org.handler_a)
    digest = row.sha256
    assert _keys(bucket) == {f"site-a/{digest[:2]}/{digest[2:4]}/{digest}"}
    assert list(rectify.settings.attachments_path.rglob(digest)) == []  # not on this host
    assert rectify.store.read(row) == png(1)
    assert rectify.store.location(digest) == f"s3://{bucket[1]}/site-a/{digest[:2]}/{digest[2:4]}/{digest}"
    client, name, _endpoint = bucket
    client.put_object(Bucket=name, Key=on_bucket.key(digest), Body=png(2))  # swapped in place
    with pytest.raises(EvidenceCorrupt):
        rectify.store.read(row)
    assert "bytes changed" in (rectify.store.problem(digest) or "")
    client.delete_object(Bucket=name, Key=on_bucket.key(digest))
    assert rectify.store.problem(digest) == "file missing"
    again = _put(rectify, png(1), "exit.png", org.handler_a)  # the same user, same bytes
    assert again.id == row.id and rectify.store.read(row) == png(1)  # written back


def test_the_clean_up_removes_unused_objects_and_keeps_used_ones(flow: Any, rectify: Rectify,
                                                                  on_bucket: S3Blobs, bucket: Any,
                                                                  png: Any) -> None:
    org = flow.org
    unused = _put(rectify, png(11), "old.png", org.handler_a)
    used = _put(rectify, png(12), "used.png", org.handler_a)
    fid = flow.drive(flow.raise_().id, "assign").id
    flow.fire(fid, "report_rectification", org.handler_a,
              {"measures": "Exits cleared", "evidence": [used.sha256]})
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(Attachment).values(created_at=utcnow() - timedelta(days=8)))
        uow.commit()
    with rectify.unit_of_work() as uow:
        gone = remove_unlinked(uow, utcnow() - timedelta(days=7))
    assert [r.sha256 for r in gone] == [unused.sha256]
    # just written (well within the clock margin): the row goes, the object stays for now
    assert {k.rsplit("/", 1)[1] for k in _keys(bucket)} == {unused.sha256, used.sha256}
    on_bucket.remove(unused.sha256)  # a later clean-up, past the margin, removes it
    assert {k.rsplit("/", 1)[1] for k in _keys(bucket)} == {used.sha256}
    with rectify.unit_of_work(write=False) as uow:
        assert set(uow.session.scalars(select(Attachment.sha256))) == {used.sha256}


def test_an_object_written_long_before_the_clean_up_began_is_removed(rectify: Rectify,
                                                                     on_bucket: S3Blobs,
                                                                     bucket: Any) -> None:
    digest = "ab" * 32
    on_bucket.keep(digest, b"bytes")
    head = bucket[0].head_object(Bucket=bucket[1], Key=on_bucket.key(digest))
    written = head["LastModified"].timestamp()
    on_bucket.remove(digest, unless_touched_after=written + 299)  # within the margin: kept
    assert len(_keys(bucket)) == 1
    on_bucket.remove(digest, unless_touched_after=written + 301)
    assert _keys(bucket) == set()
    on_bucket.remove(digest, unless_touched_after=written)  # gone already: no error


def test_the_environment_chooses_the_bucket_and_verify_reads_it(flow: Any, rectify: Rectify,
                                                               on_bucket: S3Blobs, bucket: Any,
                                                               png: Any) -> None:
    client, name, endpoint = bucket
    row = _put(rectify, png(21), "a.png", flow.org.handler_a)
    env = {"RECTIFY_DATABASE_URL": rectify.settings.database_url,
           "RECTIFY_INSTANCE_PATH": str(rectify.settings.instance_path),
           "RECTIFY_ATTACHMENTS_URL": f"s3://{name}/site-a", "RECTIFY_S3_ENDPOINT_URL": endpoint}
    assert CliRunner().invoke(engine, ["verify"], env=env).exit_code == 0
    client.delete_object(Bucket=name, Key=on_bucket.key(row.sha256))
    result = CliRunner().invoke(engine, ["verify"], env=env)
    assert result.exit_code == 1, result.output
    assert f"s3://{name}/site-a/" in result.output and "file missing" in result.output
    folder = CliRunner().invoke(engine, ["verify"], env={
        k: v for k, v in env.items() if not k.startswith(("RECTIFY_ATTACHMENTS", "RECTIFY_S3"))})
    assert str(rectify.settings.attachments_path) in folder.output  # the folder, by default


def test_bucket_addresses_are_checked() -> None:
    assert BucketAddress.parse("s3://b") == BucketAddress("b", "", None)
    assert BucketAddress.parse("s3://b/x/y/", "http://h:9") == BucketAddress("b", "x/y/", "http://h:9")
    for bad in ("http://b/x", "s3:///x", "bucket"):
        with pytest.raises(ValueError, match="RECTIFY_ATTACHMENTS_URL"):
            BucketAddress.parse(bad)
    folder = blobs_for(Settings.from_env(database_url="sqlite://"))
    assert isinstance(folder, FolderBlobs)
    with pytest.raises(ValueError):
        folder.path_for("../../etc/passwd")
