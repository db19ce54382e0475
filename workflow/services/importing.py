"""Import findings from a spreadsheet: all rows or none, in one transaction, each raised through
the raise service (its events and hash chain); a row imported before is skipped, never doubled."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from sqlalchemy.exc import IntegrityError

from workflow.models import ImportRow, Inspection, User
from workflow.services.directory import create_inspection
from workflow.services.import_check import ImportCheck, Progress, RowCheck, check_import
from workflow.services.import_file import ImportFileError, read_sheet
from workflow.services.raising import write_raise

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

__all__ = ["ImportCheck", "ImportReport", "check_file", "import_file", "write_import"]


@dataclass
class ImportReport:
    """What an import did (or, on a dry run or with errors, would do)."""

    check: ImportCheck
    created: list[str] = field(default_factory=list)  # finding codes
    batch: str = ""

    @property
    def errors(self) -> list[RowCheck]:
        return self.check.failed

    @property
    def skipped(self) -> list[RowCheck]:
        return self.check.skipped


def check_file(uow: UnitOfWork, actor: User, data: bytes, filename: str,
               progress: Progress | None = None) -> ImportCheck:
    """The file read and every row checked; nothing written."""
    return check_import(uow, actor, read_sheet(data, filename), progress)


def import_file(uow: UnitOfWork, actor: User, data: bytes, filename: str,
                dry_run: bool = False, progress: Progress | None = None) -> ImportReport:
    """Check every row; if none is wrong (and not a dry run) raise them all and commit once."""
    check = check_file(uow, actor, data, filename, progress)
    if dry_run or check.failed:
        return ImportReport(check)
    return write_import(uow, actor, check, progress)


def write_import(uow: UnitOfWork, actor: User, check: ImportCheck,
                 progress: Progress | None = None) -> ImportReport:
    """Raise every ready row with its row key, in the caller's transaction; commit. A key
    another import took meanwhile rolls everything back (ImportFileError)."""
    if check.failed:
        raise ValueError("an import with errors is never written")
    report = ImportReport(check, batch=uuid4().hex)
    try:
        _write_rows(uow, actor, report, progress)
        uow.session.flush()
        uow.commit()
    except IntegrityError:  # the unique row key: a concurrent import of the same rows won
        uow.session.rollback()
        raise ImportFileError("另一次导入刚刚导入了其中的行，本次未导入任何内容：请重新上传查看。",
                              "Another import brought in some of these rows meanwhile; "
                              "nothing was imported: upload the file again.") from None
    return report


def _write_rows(uow: UnitOfWork, actor: User, report: ImportReport,
                progress: Progress | None) -> None:
    inspections: dict[tuple[Any, ...], Inspection] = {}
    for row in report.check.ready:
        assert row.raise_ is not None
        checked = replace(row.raise_, inspection=_inspection(uow, actor, row, inspections))
        finding = write_raise(uow, actor, checked)
        uow.session.add(ImportRow(body_id=actor.unit_id, row_key=row.key, finding=finding,
                                  batch=report.batch, imported_at=uow.now(),
                                  imported_by_id=actor.id))
        report.created.append(finding.code)
        if progress:
            progress(1)


def _inspection(uow: UnitOfWork, actor: User, row: RowCheck,
                made: dict[tuple[Any, ...], Inspection]) -> Inspection | None:
    """The row's inspection: the existing one, or one recorded now (once per unit, date, mode
    and campaign in the file)."""
    plan = row.inspection
    if plan is None:
        return None
    if plan.existing is not None:
        return plan.existing
    identity = plan.identity()
    if identity not in made:
        values = plan.values
        made[identity] = create_inspection(uow.session, values["unit_id"],
                                           values["inspected_on"], values["method"],
                                           plan.campaign, created_by=actor)
    return made[identity]
