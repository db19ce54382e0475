"""Static files: fingerprinted names cached for a year, and gzip when the browser accepts it."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"  # a name without its hash may change: the browser asks again (304)
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")
STALE_FINGERPRINT = re.compile(r"\.[0-9a-f]{12}(?=\.[^./]+$|$)")
MIN_GZIP_BYTES = 1024  # smaller files gain less than gzip's header and the work costs
_Version = tuple[str, float, int]  # (path, mtime, size): one version of one file
_digests: dict[_Version, str] = {}  # each app built (tests build many) hashes only new versions
_gzipped: dict[_Version, tuple[bytes, str]] = {}  # -> (gzip bytes, their ETag)


def _version(path: Path) -> _Version:
    stat = path.stat()
    return str(path), stat.st_mtime, stat.st_size


def fingerprinted(name: str, path: Path) -> str:
    """js/app.js -> js/app.<first 12 hex digits of the file's SHA-256>.js."""
    key = _version(path)
    if key not in _digests:
        _digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{_digests[key]}.{suffix}" if dot and "/" not in suffix else f"{name}.{_digests[key]}"


def build_manifest(folder: str | Path) -> dict[str, str]:
    """Every file under `folder` (posix relative name) -> its fingerprinted name."""
    root = Path(folder)
    return {file.relative_to(root).as_posix(): fingerprinted(file.relative_to(root).as_posix(), file)
            for file in sorted(root.rglob("*")) if file.is_file()}


def init_app(app: Flask) -> None:
    """Build the manifest once; url_for('static', ...) then names the fingerprinted file."""
    manifest = build_manifest(app.static_folder or "")
    app.extensions["static_manifest"] = manifest
    app.extensions["static_originals"] = {v: k for k, v in manifest.items()}
    app.url_defaults(_fingerprint_url)
    app.view_functions["static"] = serve_static


def _fingerprint_url(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "filename" in values:
        manifest = current_app.extensions["static_manifest"]
        values["filename"] = manifest.get(values["filename"], values["filename"])


def serve_static(filename: str) -> Response:
    """A fingerprinted name is cached for a year; any other (the plain name, an older
    fingerprint) revalidates. Gzip when accepted."""
    original = current_app.extensions["static_originals"].get(filename)
    name = original or _current_name(filename)
    path = safe_join(current_app.static_folder or "", name)
    if path is None or not Path(path).is_file():
        raise NotFound()
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    if _wants_gzip(mimetype, Path(path)):
        response = _gzip_response(Path(path), mimetype)
    else:
        response = current_app.send_static_file(name)
    response.headers["Cache-Control"] = IMMUTABLE if original else REVALIDATE
    response.vary.add("Accept-Encoding")
    return response


def _current_name(filename: str) -> str:
    """A name with an older fingerprint (a page rendered before a deploy) -> the file today."""
    manifest = current_app.extensions["static_manifest"]
    unhashed = STALE_FINGERPRINT.sub("", filename, count=1)
    return unhashed if unhashed in manifest else filename


def _wants_gzip(mimetype: str, path: Path) -> bool:
    return (mimetype.startswith(COMPRESSIBLE) and path.stat().st_size >= MIN_GZIP_BYTES
            and request.accept_encodings["gzip"] > 0)


def _gzip_response(path: Path, mimetype: str) -> Response:
    """The file gzipped once per version (kept in memory), with an ETag and 304s."""
    key = _version(path)
    if key not in _gzipped:
        body = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
        _gzipped[key] = body, hashlib.sha256(body).hexdigest()[:20] + "-gz"
    body, etag = _gzipped[key]
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    response.last_modified = key[1]  # type: ignore[assignment]
    response.make_conditional(request)  # a 304 when the browser's copy is this one
    return response
