"""Where evidence bytes live: a folder on this host (the default) or an S3-compatible bucket
shared by several hosts; both addressed by the file's sha256."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from workflow.config import Settings


class Blobs(Protocol):
    """Content-addressed bytes. The attachment rows and every check live in AttachmentStore."""

    def location(self, sha256: str) -> str:
        """Where the bytes are, for messages (a path or an s3:// address)."""

    def keep(self, sha256: str, data: bytes) -> None:
        """Store the bytes; if they are stored intact already, mark them used now (a clean-up
        running at this moment then keeps them)."""

    def read(self, sha256: str) -> bytes | None:
        """The stored bytes, None if there are none (unchecked: the store hashes them)."""

    def hash_of(self, sha256: str) -> str | None:
        """The sha256 of the stored bytes (streamed), None if there are none."""

    def remove(self, sha256: str, unless_touched_after: float | None = None) -> None:
        """Delete the bytes; with a time (epoch seconds), not if written or kept since."""


def checked_digest(sha256: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError("not a sha256 hex digest")
    return sha256


class FolderBlobs:
    """<root>/ab/cd/<sha256>, written to a temporary file and renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, sha256: str) -> Path:
        digest = checked_digest(sha256)
        return self.root / digest[:2] / digest[2:4] / digest

    def location(self, sha256: str) -> str:
        return str(self.path_for(sha256))

    def keep(self, sha256: str, data: bytes) -> None:
        """Write the bytes, or touch them if there intact; either way stamped with time.time()
        itself: the kernel stamps files from a coarser clock, up to a tick behind it, and a
        clean-up compares the stamp with the time.time() it began at (remove)."""
        target = self.path_for(sha256)
        now = time.time()
        if target.exists() and self.hash_of(sha256) == sha256:
            os.utime(target, (now, now))
            return  # (a changed or missing file is written again)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.utime(tmp, (now, now))
        os.replace(tmp, target)

    def read(self, sha256: str) -> bytes | None:
        try:
            return self.path_for(sha256).read_bytes()
        except FileNotFoundError:
            return None

    def hash_of(self, sha256: str) -> str | None:
        try:
            with self.path_for(sha256).open("rb") as handle:
                return hashlib.file_digest(handle, "sha256").hexdigest()
        except FileNotFoundError:
            return None

    def remove(self, sha256: str, unless_touched_after: float | None = None) -> None:
        path = self.path_for(sha256)
        try:
            if unless_touched_after is not None and path.stat().st_mtime >= unless_touched_after:
                return
        except FileNotFoundError:
            return
        path.unlink(missing_ok=True)


def blobs_for(settings: Settings) -> Blobs:
    """The bucket when RECTIFY_ATTACHMENTS_URL names one, else the instance's folder."""
    if settings.attachments_url:
        from workflow.blobs_s3 import BucketAddress, S3Blobs

        return S3Blobs(BucketAddress.parse(settings.attachments_url, settings.s3_endpoint_url))
    return FolderBlobs(settings.attachments_path)
