"""Evidence bytes in an S3-compatible bucket (AWS S3, MinIO, Ceph ...), for several hosts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from workflow.blobs import checked_digest

CHUNK = 1024 * 1024  # bytes read at a time when hashing a stored object
# LastModified has whole seconds and the server's clock: an object written up to this long
# before a clean-up began counts as touched (kept now, removed by a later clean-up).
CLOCK_MARGIN = 300.0


@dataclass(frozen=True)
class BucketAddress:
    """`s3://bucket/prefix` and the endpoint of an S3-compatible server (None: AWS)."""

    bucket: str
    prefix: str
    endpoint_url: str | None = None

    @classmethod
    def parse(cls, url: str, endpoint_url: str | None = None) -> BucketAddress:
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc:
            raise ValueError(f"RECTIFY_ATTACHMENTS_URL: expected s3://bucket[/prefix], got {url!r}")
        prefix = parts.path.strip("/")
        return cls(parts.netloc, f"{prefix}/" if prefix else "", endpoint_url or None)


class S3Blobs:
    """<prefix>ab/cd/<sha256> in the bucket; credentials and region come from boto3's usual
    places (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION, ~/.aws)."""

    def __init__(self, address: BucketAddress, client: Any = None) -> None:
        if client is None:
            import boto3  # the `s3` extra: only deployments that use a bucket need it

            client = boto3.client("s3", endpoint_url=address.endpoint_url)
        self.address, self.client = address, client

    def key(self, sha256: str) -> str:
        digest = checked_digest(sha256)
        return f"{self.address.prefix}{digest[:2]}/{digest[2:4]}/{digest}"

    def location(self, sha256: str) -> str:
        return f"s3://{self.address.bucket}/{self.key(sha256)}"

    def keep(self, sha256: str, data: bytes) -> None:
        """Put the bytes every time: re-putting costs what checking would, and it renews the
        object's LastModified, which is what a running clean-up looks at."""
        self.client.put_object(Bucket=self.address.bucket, Key=self.key(sha256), Body=data,
                               ContentType="application/octet-stream")

    def _get(self, sha256: str) -> Any:
        try:
            return self.client.get_object(Bucket=self.address.bucket, Key=self.key(sha256))
        except self.client.exceptions.NoSuchKey:
            return None

    def read(self, sha256: str) -> bytes | None:
        found = self._get(sha256)
        return None if found is None else bytes(found["Body"].read())

    def hash_of(self, sha256: str) -> str | None:
        found = self._get(sha256)
        if found is None:
            return None
        digest = hashlib.sha256()
        for chunk in found["Body"].iter_chunks(CHUNK):
            digest.update(chunk)
        return digest.hexdigest()

    def remove(self, sha256: str, unless_touched_after: float | None = None) -> None:
        bucket, key = self.address.bucket, self.key(sha256)
        if unless_touched_after is not None:
            try:
                head = self.client.head_object(Bucket=bucket, Key=key)
            except self.client.exceptions.ClientError:
                return  # gone already
            if head["LastModified"].timestamp() >= unless_touched_after - CLOCK_MARGIN:
                return
        self.client.delete_object(Bucket=bucket, Key=key)
