"""Evidence store: files addressed by sha256 under the instance folder, type sniffed from bytes."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import UploadRejected
from workflow.models import Attachment, User

# (media type, magic prefix) — what a file *is* comes from its bytes, never from its name.
_SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/gif", b"GIF87a"),
    ("image/gif", b"GIF89a"),
    ("application/pdf", b"%PDF-"),
)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_UNSAFE_NAME = re.compile(r"[\x00-\x1f/\\]")


def sniff(data: bytes) -> str | None:
    """The media type the bytes are, among the allowed ones, else None."""
    for media_type, magic in _SIGNATURES:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _check_name(name: str) -> str:
    clean = name.strip()
    if not clean or _UNSAFE_NAME.search(clean) or clean in {".", ".."} or ".." in clean:
        raise UploadRejected({"file": {
            "zh": "文件名不能包含路径或控制字符",
            "en": "the file name must not contain a path or control characters",
        }})
    return clean[:255]


class AttachmentStore:
    """Content-addressed files: <root>/ab/cd/<sha256>; the name a user gave is only metadata."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root, self.max_bytes = root, max_bytes

    def path_for(self, sha256: str) -> Path:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, session: Session, data: bytes, original_name: str, uploader: User) -> Attachment:
        """Check and store the bytes; the row is the uploader's own (one per user and content),
        so an upload never reveals whether someone else stored the same file, or its name."""
        name = _check_name(original_name)
        if not data:
            raise UploadRejected({"file": {"zh": "文件为空", "en": "the file is empty"}})
        if len(data) > self.max_bytes:
            limit = self.max_bytes // (1024 * 1024)
            raise UploadRejected({"file": {"zh": f"文件超过 {limit} MB 上限",
                                           "en": f"the file is larger than {limit} MB"}})
        media_type = sniff(data)
        if media_type is None:
            raise UploadRejected({"file": {
                "zh": "只接受 JPEG、PNG、GIF、WebP 图片或 PDF 文件",
                "en": "only JPEG, PNG, GIF, WebP images or PDF files are accepted",
            }})
        digest = hashlib.sha256(data).hexdigest()
        existing = session.scalar(select(Attachment).where(Attachment.sha256 == digest,
                                                           Attachment.uploaded_by_id == uploader.id))
        if existing is not None:  # the same user uploading the same bytes again
            return existing
        self._write(digest, data)
        row = Attachment(sha256=digest, size=len(data), media_type=media_type,
                         original_name=name, uploaded_by_id=uploader.id)
        session.add(row)
        session.flush()
        return row

    def _write(self, digest: str, data: bytes) -> None:
        target = self.path_for(digest)
        if target.exists():
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)

    def read(self, attachment: Attachment) -> bytes:
        return self.path_for(attachment.sha256).read_bytes()
