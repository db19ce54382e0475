"""Evidence store: files addressed by sha256 (workflow.blobs keeps the bytes), type sniffed from
the bytes, a quota of unused uploads per user."""

from __future__ import annotations

import hashlib
import logging
import re

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.blobs import Blobs
from workflow.errors import EvidenceCorrupt, UploadRejected
from workflow.models import Attachment, FindingAttachment, LetterAttachment, User

log = logging.getLogger(__name__)

# (media type, magic prefix) — what a file *is* comes from its bytes, never from its name.
_SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
    ("image/gif", b"GIF87a"),
    ("image/gif", b"GIF89a"),
    ("application/pdf", b"%PDF-"),
)
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# The extensions a file of each type may carry; the first is the one it is given.
EXTENSIONS = {"image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",), "image/gif": (".gif",),
              "image/webp": (".webp",), "application/pdf": (".pdf",)}
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
            "zh": "文件名不能包含路径或控制字符。",
            "en": "The file name must not contain a path or control characters.",
        }})
    return clean[:255]


def download_name(original_name: str, media_type: str) -> str:
    """The name a file is served under: the user's name with only its sniffed type's extension
    (`poly.pdf.html` holding PDF bytes is `poly.pdf`); the original stays display text."""
    allowed = EXTENSIONS.get(media_type, ("",))
    stem = original_name
    for _ in range(8):  # drop trailing extensions that are not this type's
        base, dot, ext = stem.rpartition(".")
        if not dot or not base or f".{ext.lower()}" in allowed:
            break
        stem = base
    if not stem.lower().endswith(allowed):
        stem += allowed[0]
    return stem


def unlinked_clause() -> ColumnElement[bool]:
    """Attachments no finding and no letter reply refers to (uploaded, never used)."""
    return and_(~exists().where(FindingAttachment.attachment_id == Attachment.id),
                ~exists().where(LetterAttachment.attachment_id == Attachment.id))


class AttachmentStore:
    """Content-addressed files, kept by `blobs` (a folder or a bucket); the name a user gave is
    only metadata.
    Each user may keep at most `unlinked_files` files / `unlinked_bytes` bytes not yet used as
    evidence on any finding."""

    def __init__(self, blobs: Blobs, max_bytes: int, unlinked_files: int = 50,
                 unlinked_bytes: int = 200 * 1024 * 1024) -> None:
        self.blobs, self.max_bytes = blobs, max_bytes
        self.unlinked_files, self.unlinked_bytes = unlinked_files, unlinked_bytes

    def location(self, sha256: str) -> str:
        """Where the file of this digest is kept (a path or an s3:// address)."""
        return self.blobs.location(sha256)

    def put(self, session: Session, data: bytes, original_name: str, uploader: User) -> Attachment:
        """Check and store the bytes; the row is the uploader's own (one per user and content),
        so an upload never reveals whether someone else stored the same file, or its name."""
        name = _check_name(original_name)
        media_type = self._check_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        existing = _own(session, digest, uploader)
        if existing is not None:  # the same user uploading the same bytes again
            self._write(digest, data)
            return existing
        self._check_quota(session, uploader, len(data))
        self._write(digest, data)
        row = Attachment(sha256=digest, size=len(data), media_type=media_type,
                         original_name=name, uploaded_by_id=uploader.id)
        try:
            with session.begin_nested():  # a parallel identical upload may insert it first
                session.add(row)
        except IntegrityError:
            existing = _own(session, digest, uploader)
            if existing is None:
                raise
            return existing
        return row

    def _check_bytes(self, data: bytes) -> str:
        if not data:
            raise UploadRejected({"file": {"zh": "文件为空。", "en": "The file is empty."}})
        if len(data) > self.max_bytes:
            limit = self.max_bytes // (1024 * 1024)
            raise UploadRejected({"file": {"zh": f"文件超过 {limit} MB 上限。",
                                           "en": f"The file is larger than {limit} MB."}})
        media_type = sniff(data)
        if media_type is None:
            raise UploadRejected({"file": {
                "zh": "只接受 JPEG、PNG、GIF、WebP 图片或 PDF 文件。",
                "en": "Only JPEG, PNG, GIF, WebP images or PDF files are accepted.",
            }})
        return media_type

    def _check_quota(self, session: Session, uploader: User, size: int) -> None:
        count, total = session.execute(
            select(func.count(), func.coalesce(func.sum(Attachment.size), 0))
            .where(Attachment.uploaded_by_id == uploader.id, unlinked_clause())).one()
        if count + 1 > self.unlinked_files or total + size > self.unlinked_bytes:
            mb = self.unlinked_bytes // (1024 * 1024)
            raise UploadRejected({"file": {
                "zh": f"尚未使用的上传文件已达上限（{self.unlinked_files} 个或 {mb} MB），"
                      "请先在整改事项中使用或等待清理。",
                "en": f"You have reached the limit of unused uploads ({self.unlinked_files} "
                      f"files or {mb} MB): use them on a finding first.",
            }})

    def _write(self, digest: str, data: bytes) -> None:
        self.blobs.keep(digest, data)  # touched if there intact, so a clean-up now keeps it

    def read(self, attachment: Attachment) -> bytes:
        """The file's bytes, only if they still hash to its name; EvidenceCorrupt otherwise."""
        data = self.blobs.read(attachment.sha256)
        actual = None if data is None else hashlib.sha256(data).hexdigest()
        problem = _mismatch(attachment.sha256, actual)
        if data is None or problem:
            log.warning("evidence file refused: %s (sha256 %s, at %s)", problem,
                        attachment.sha256, self.location(attachment.sha256))
            raise EvidenceCorrupt(attachment.sha256, problem or "file missing")
        return data

    def problem(self, sha256: str) -> str | None:
        """Why the stored file of this digest is not what it should be, or None."""
        return _mismatch(sha256, self.blobs.hash_of(sha256))

    def remove(self, sha256: str, unless_touched_after: float | None = None) -> None:
        """Delete the file; with a time (epoch seconds), not if it was written or reused since."""
        self.blobs.remove(sha256, unless_touched_after)


def _mismatch(sha256: str, actual: str | None) -> str | None:
    """What is wrong with stored bytes hashing to `actual` (None: none stored), or None."""
    if actual is None:
        return "file missing"
    return None if actual == sha256 else f"bytes changed (they hash to {actual})"


def _own(session: Session, digest: str, uploader: User) -> Attachment | None:
    return session.scalar(select(Attachment).where(Attachment.sha256 == digest,
                                                   Attachment.uploaded_by_id == uploader.id))
