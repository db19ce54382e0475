"""What the directory's add and edit operations share: every field checked at once, one commit."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from workflow.errors import InvalidInput
from workflow.models import User
from workflow.payload import Lookup, clean
from workflow.services.scope import unit_in_scope
from workflow.spec.model import FieldSpec

if TYPE_CHECKING:
    from workflow.runtime import UnitOfWork

Errors = dict[str, dict[str, str]]


def checked(uow: UnitOfWork, actor: User, fields: tuple[FieldSpec, ...], data: Mapping[str, Any],
            only: Collection[str] | None = None) -> tuple[dict[str, Any], Errors]:
    """Each field cleaned on its own, so that every error is found and valid values are kept.
    With `only` (an edit), just those fields are accepted and just those sent are checked."""
    lookup = Lookup(uow.session, uow.today(), lambda unit: unit_in_scope(actor, unit),
                    lambda attachment: False)
    accepted = [spec for spec in fields if only is None or spec.name in only]
    values: dict[str, Any] = {}
    errors: Errors = {}
    for name in sorted(set(data) - {spec.name for spec in accepted}):
        errors[name] = {"zh": "没有这个字段。", "en": "There is no such field."}
    for spec in accepted:
        if only is not None and spec.name not in data:
            continue
        try:
            part = {spec.name: data[spec.name]} if spec.name in data else {}
            values.update(clean((spec,), part, lookup).values)
        except InvalidInput as exc:
            errors.update(exc.errors)
    return values, errors


def refuse(errors: Errors) -> None:
    if errors:
        raise InvalidInput(errors)


def commit(uow: UnitOfWork, conflict: Mapping[str, Mapping[str, str]] | None = None) -> None:
    """Commit; a unique key taken meanwhile by someone else becomes the field error `conflict`."""
    try:
        uow.session.flush()
        uow.commit()
    except IntegrityError:
        uow.session.rollback()
        if conflict is None:
            raise
        raise InvalidInput(conflict) from None
