"""Import findings from a spreadsheet: the template, upload and check (preview), then import;
the file with its errors marked. The upload waits in the instance folder between the steps."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.auth import actor
from web.downloads import content_disposition
from web.errors import describe
from web.i18n import lang, message
from web.pages import bp
from web.uow import get_uow, rectify
from workflow.errors import RectifyError
from workflow.services.import_columns import BY_KEY, ROW
from workflow.services.import_file import MAX_BYTES
from workflow.services.import_workbooks import errors_workbook, template_workbook
from workflow.services.importing import ImportCheck, check_file, import_file

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_DIGEST = re.compile(r"[0-9a-f]{64}")
_KEEP_SECONDS = 24 * 3600
_KEEP_PER_USER = 5  # uploads waiting for their import, per user: the disk stays bounded


def _may_import() -> bool:
    return any(actor().role_set.intersection(lc.raise_roles) for lc in get_uow().registry.latest())


def _forbidden() -> tuple[str, int]:
    return render_template("error.html", code=403,
                           message=_("Only inspectors can raise findings.")), 403


@bp.route("/import", methods=["GET", "POST"])
def import_page():  # type: ignore[no-untyped-def]
    if not _may_import():
        return _forbidden()
    if request.method == "GET":
        return _render(check=None, error=None)
    upload = request.files.get("file")
    data = b""
    if upload:
        with upload.stream:  # closed at once: a big upload is spooled to a temporary file
            data = upload.read(MAX_BYTES + 1)
    if not data:
        return _render(check=None, error=_("Choose a file.")), 422
    suffix = ".csv" if (upload and (upload.filename or "").lower().endswith(".csv")) else ".xlsx"
    try:  # a file that cannot be read (too big, a zip bomb, not a sheet) is never kept
        check = check_file(get_uow(), actor(), data, "upload" + suffix)
    except RectifyError as exc:
        return _render(check=None, error=_problem(exc)), 422
    return _checked(check, _stash(data, suffix), suffix)


@bp.route("/import/confirm", methods=["POST"])
def import_confirm():  # type: ignore[no-untyped-def]
    if not _may_import():
        return _forbidden()
    digest, suffix = _named(request.form.get("digest", ""), request.form.get("suffix", ""))
    uow = get_uow()
    try:
        report = import_file(uow, actor(), _stashed(digest, suffix), "upload" + suffix)
    except RectifyError as exc:
        uow.session.rollback()
        return _render(check=None, error=_problem(exc)), 422
    if report.errors:
        uow.session.rollback()
        return _preview(digest, suffix)
    _path(digest, suffix).unlink(missing_ok=True)
    flash(_("Imported %(created)d finding(s); %(skipped)d row(s) were imported before.",
            created=len(report.created), skipped=len(report.skipped)), "success")
    return redirect(url_for("pages.ledger_page"))


@bp.route("/import/template.xlsx")
def import_template():  # type: ignore[no-untyped-def]
    if not _may_import():
        return _forbidden()
    uow, user = get_uow(), actor()
    lifecycles = [lc for lc in uow.registry.latest() if user.role_set.intersection(lc.raise_roles)]
    name = "问题导入模板.xlsx" if lang().startswith("zh") else "findings-import-template.xlsx"
    return _xlsx(template_workbook(lang(), lifecycles, uow.today()), name)


@bp.route("/import/<digest>/<kind>/errors.xlsx")
def import_errors(digest: str, kind: str):  # type: ignore[no-untyped-def]
    if not _may_import():
        return _forbidden()
    digest, suffix = _named(digest, "." + kind)
    check = check_file(get_uow(), actor(), _stashed(digest, suffix), "upload" + suffix)
    name = "导入错误.xlsx" if lang().startswith("zh") else "import-errors.xlsx"
    return _xlsx(errors_workbook(check, lang()), name)


def _preview(digest: str, suffix: str):  # type: ignore[no-untyped-def]
    uow = get_uow()
    try:
        check = check_file(uow, actor(), _stashed(digest, suffix), "upload" + suffix)
    except RectifyError as exc:
        return _render(check=None, error=_problem(exc)), 422
    return _checked(check, digest, suffix)


def _checked(check: ImportCheck, digest: str, suffix: str):  # type: ignore[no-untyped-def]
    return _render(check=check, error=None, digest=digest,
                   suffix=suffix), 422 if check.failed else 200


def _problem(exc: RectifyError) -> str:
    """What is wrong with the file as a whole, in the user's language."""
    text, errors = describe(exc)
    return errors.get("file", text)


def _render(**context: object) -> str:
    return render_template("import.html", import_column=_column, message=message, **context)


def _column(key: str) -> str:
    return _("Whole row") if key == ROW else BY_KEY[key].label(lang())


def _xlsx(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _folder() -> Path:
    folder = rectify().settings.instance_path / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(digest: str, suffix: str) -> Path:
    return _folder() / f"{actor().id}-{digest}{suffix}"


def _named(digest: str, suffix: str) -> tuple[str, str]:
    """A stashed upload's digest and suffix as sent back by the browser: checked, else 404."""
    if not _DIGEST.fullmatch(digest) or suffix not in (".csv", ".xlsx"):
        abort(404)
    return digest, suffix


def _stash(data: bytes, suffix: str) -> str:
    """Keep the upload for the next step (the user's own, by content); drop day-old ones and
    the user's oldest beyond _KEEP_PER_USER."""
    now = time.time()
    for old in _folder().glob("*"):
        if now - old.stat().st_mtime > _KEEP_SECONDS:
            old.unlink(missing_ok=True)
    mine = sorted(_folder().glob(f"{actor().id}-*"), key=lambda path: path.stat().st_mtime)
    for older in mine[:max(len(mine) - _KEEP_PER_USER + 1, 0)]:
        older.unlink(missing_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    _path(digest, suffix).write_bytes(data)
    return digest


def _stashed(digest: str, suffix: str) -> bytes:
    path = _path(digest, suffix)
    if not path.is_file():
        abort(404)
    return path.read_bytes()
