"""Evidence files: one row per uploader of the same bytes; reading follows the finding's scope."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from workflow.attachments import AttachmentStore, download_name
from workflow.cli import engine
from workflow.errors import EvidenceCorrupt, UnknownFinding
from workflow.models import Attachment, utcnow
from workflow.runtime import Rectify
from workflow.services.evidence import readable_attachment, upload

Flow = Any  # the `flow` fixture from tests/conftest.py


def _put(rectify: Rectify, data: bytes, name: str, user: Any) -> tuple[int, str, str]:
    with rectify.unit_of_work() as uow:
        row = upload(uow, user, data, name)  # the service commits
        return row.id, row.sha256, row.original_name


def test_the_same_bytes_from_two_users_are_two_rows_and_one_file(flow: Flow, rectify: Rectify,
                                                                png: Any) -> None:
    org = flow.org
    data = png(42)
    first = _put(rectify, data, "exit-b.png", org.handler_b)
    second = _put(rectify, data, "mine.png", org.handler_a)
    again = _put(rectify, data, "renamed.png", org.handler_a)
    assert first[1] == second[1] and first[0] != second[0]
    assert second[2] == "mine.png"  # never the other uploader's name
    assert again[0] == second[0]  # the same user's same bytes: its own row again
    stored = list((rectify.settings.attachments_path).rglob(first[1]))
    assert len(stored) == 1

    # handler_a can use its own upload as evidence although handler_b uploaded it first
    fid = flow.drive(flow.raise_().id, "assign").id
    done = flow.fire(fid, "report_rectification", org.handler_a,
                     {"measures": "Exits cleared", "evidence": [second[1]]})
    assert done.state == "rectified"
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Attachment)) == 2
        # the reviewer (scope above group A) reads handler_a's row, linked to the finding
        seen = readable_attachment(uow.session, org.reviewer, second[1])
        assert (seen.id, seen.original_name) == (second[0], "mine.png")
        # handler_b reads its own row; handler_a1 (below group A) sees neither
        assert readable_attachment(uow.session, org.handler_b, first[1]).id == first[0]
        with pytest.raises(UnknownFinding):
            readable_attachment(uow.session, org.handler_a1, first[1])


def test_parallel_identical_uploads_give_one_row_and_no_error(flow: Flow, rectify: Rectify,
                                                               png: Any) -> None:
    """The first upload has inserted its row but not committed when the second one looks for
    it: the second must wait, then answer with the first's row (no UniqueViolation)."""
    data, user = png(9001), flow.org.handler_a
    inserted, results = threading.Event(), {}

    def first() -> None:
        with rectify.unit_of_work() as uow:
            results["first"] = uow.store.put(uow.session, data, "a.png", user).id
            inserted.set()
            time.sleep(0.5)  # the second looks and inserts meanwhile
            uow.commit()

    def second() -> None:
        inserted.wait(10)
        try:
            with rectify.unit_of_work() as uow:
                results["second"] = uow.store.put(uow.session, data, "b.png", user).id
                uow.commit()
        except Exception as exc:  # the old code: IntegrityError on PostgreSQL
            results["second"] = exc

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results["second"] == results["first"], results
    with rectify.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Attachment)) == 1


def test_many_threads_uploading_the_same_bytes_never_fail(flow: Flow, rectify: Rectify,
                                                          png: Any) -> None:
    data, user, ids, barrier = png(9002), flow.org.handler_a, [], threading.Barrier(6)

    def upload() -> None:
        barrier.wait(10)
        try:
            ids.append(_put(rectify, data, "same.png", user)[0])
        except Exception as exc:
            ids.append(exc)

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(ids) == 6 and len(set(ids)) == 1, ids


def test_unused_uploads_over_the_limit_are_refused_until_used(flow: Flow, rectify: Rectify,
                                                              png: Any) -> None:
    org = flow.org
    rectify.store.unlinked_files = 2
    first = _put(rectify, png(1), "one.png", org.handler_a)
    _put(rectify, png(2), "two.png", org.handler_a)
    with pytest.raises(Exception, match="unused uploads") as refused:
        _put(rectify, png(3), "three.png", org.handler_a)
    assert "file" in refused.value.errors  # type: ignore[attr-defined]
    fid = flow.drive(flow.raise_().id, "assign").id
    flow.fire(fid, "report_rectification", org.handler_a,
              {"measures": "Exits cleared", "evidence": [first[1]]})
    assert _put(rectify, png(3), "three.png", org.handler_a)[2] == "three.png"  # room again


def _gc(rectify: Rectify, *args: str) -> Any:
    env = {"RECTIFY_DATABASE_URL": rectify.settings.database_url,
           "RECTIFY_INSTANCE_PATH": str(rectify.settings.instance_path)}
    return CliRunner().invoke(engine, ["attachments", "gc", *args], env=env)


def test_gc_removes_old_unused_uploads_and_keeps_shared_and_used_files(
        flow: Flow, rectify: Rectify, png: Any) -> None:
    org = flow.org
    old_unused = _put(rectify, png(11), "old.png", org.handler_a)
    shared = _put(rectify, png(12), "shared.png", org.handler_b)  # unused by handler_b ...
    used = _put(rectify, png(12), "used.png", org.handler_a)  # ... used by handler_a
    new_unused = _put(rectify, png(13), "new.png", org.handler_a)
    fid = flow.drive(flow.raise_().id, "assign").id
    flow.fire(fid, "report_rectification", org.handler_a,
              {"measures": "Exits cleared", "evidence": [used[1]]})
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(Attachment).where(Attachment.id != new_unused[0])
                            .values(created_at=utcnow() - timedelta(days=8)))
        uow.commit()
    dry = _gc(rectify, "--older-than", "7d", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert old_unused[1] in dry.output and "would remove 2" in dry.output
    assert rectify.store.blobs.path_for(old_unused[1]).exists()
    done = _gc(rectify, "--older-than", "7d")
    assert done.exit_code == 0, done.output
    assert "removed 2" in done.output and old_unused[1] in done.output
    with rectify.unit_of_work(write=False) as uow:
        left = set(uow.session.scalars(select(Attachment.id)))
    assert left == {used[0], new_unused[0]} and shared[0] not in left
    assert not rectify.store.blobs.path_for(old_unused[1]).exists()
    assert rectify.store.blobs.path_for(used[1]).exists()  # shared bytes stay for the used row
    assert rectify.store.blobs.path_for(new_unused[1]).exists()
    assert _gc(rectify, "--older-than", "soon").exit_code == 2


def _verify(rectify: Rectify) -> Any:
    env = {"RECTIFY_DATABASE_URL": rectify.settings.database_url,
           "RECTIFY_INSTANCE_PATH": str(rectify.settings.instance_path)}
    return CliRunner().invoke(engine, ["verify"], env=env)


def test_verify_names_every_evidence_file_that_changed_or_went_missing(
        flow: Flow, rectify: Rectify, png: Any) -> None:
    org = flow.org
    swapped = _put(rectify, png(21), "a.png", org.handler_a)
    missing = _put(rectify, png(22), "b.png", org.handler_a)
    intact = _put(rectify, png(23), "c.png", org.handler_a)
    assert _verify(rectify).exit_code == 0
    rectify.store.blobs.path_for(swapped[1]).write_bytes(png(99))
    rectify.store.blobs.path_for(missing[1]).unlink()
    result = _verify(rectify)
    assert result.exit_code == 1, result.output
    assert f"{swapped[1]}" in result.output and "bytes changed" in result.output
    assert f"{missing[1]}" in result.output and "file missing" in result.output
    assert intact[1] not in result.output
    assert "evidence files" in result.stderr  # the progress bar goes to stderr
    with rectify.unit_of_work(write=False) as uow:
        row = uow.session.get(Attachment, swapped[0])
        assert row is not None
        with pytest.raises(EvidenceCorrupt):
            uow.store.read(row)
    # uploading the right bytes again (the same user, or another) writes the file again
    _put(rectify, png(21), "a.png", org.handler_a)
    _put(rectify, png(22), "b.png", org.handler_b)
    assert _verify(rectify).exit_code == 0


@pytest.mark.parametrize(("name", "media_type", "served"), [
    ("poly.pdf.html", "application/pdf", "poly.pdf"),
    ("scan.html", "application/pdf", "scan.pdf"),
    ("photo.PNG", "image/png", "photo.PNG"),
    ("photo.jpeg.svg", "image/jpeg", "photo.jpeg"),
    ("report.v2", "application/pdf", "report.pdf"),
    ("noext", "image/gif", "noext.gif"),
    (".htaccess", "image/png", ".htaccess.png"),
])
def test_a_file_is_served_with_only_its_sniffed_types_extension(name: str, media_type: str,
                                                                served: str) -> None:
    assert download_name(name, media_type) == served


def test_an_upload_during_the_clean_up_keeps_its_file(flow: Flow, rectify: Rectify, png: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The clean-up decided the bytes were unused; someone uploads them again just before the
    file goes: the new upload keeps its file."""
    org = flow.org
    old = _put(rectify, png(21), "old.png", org.handler_a)
    with rectify.unit_of_work() as uow:
        uow.session.execute(update(Attachment).values(created_at=utcnow() - timedelta(days=8)))
        uow.commit()
    real_remove, fresh = AttachmentStore.remove, []

    def racing_remove(store: AttachmentStore, digest: str,
                      unless_touched_after: float | None = None) -> None:
        fresh.append(_put(rectify, png(21), "again.png", org.handler_b))
        real_remove(store, digest, unless_touched_after)

    monkeypatch.setattr(AttachmentStore, "remove", racing_remove)  # the CLI builds its own store
    assert _gc(rectify, "--older-than", "7d").exit_code == 0
    with rectify.unit_of_work(write=False) as uow:
        row = uow.session.get(Attachment, fresh[0][0])
        assert row is not None and row.sha256 == old[1]
        assert rectify.store.read(row) == png(21)
