"""Unit fields: the actor's subtree by default; `scope: all` accepts any active unit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from workflow.errors import InvalidPayload
from workflow.models import Unit
from workflow.payload import Lookup, clean
from workflow.spec.model import FieldSpec

ABOVE = Unit(id=1, code="CITY", name_zh="市纪委监委", name_en="City", kind="commission",
             path="/1/", active=True)
MINE = Unit(id=2, code="GRP", name_zh="集团", name_en="Group", kind="group", path="/1/2/",
            active=True)
RETIRED = Unit(id=3, code="OLD", name_zh="旧单位", name_en="Old", kind="group", path="/1/3/",
               active=False)


class _Session:
    def get(self, model: Any, key: int) -> Unit | None:
        return {u.id: u for u in (ABOVE, MINE, RETIRED)}.get(key)


def _lookup() -> Lookup:
    return Lookup(session=_Session(), today=date(2026, 3, 2),  # type: ignore[arg-type]
                  unit_in_scope=lambda unit: unit.path.startswith(MINE.path),
                  attachment_allowed=lambda attachment: False)


def _field(scope: str) -> FieldSpec:
    return FieldSpec("body", "unit", "单位", "Unit", required=True, unit_scope=scope)


def test_default_scope_refuses_a_unit_above_the_actor() -> None:
    with pytest.raises(InvalidPayload) as info:
        clean([_field("actor")], {"body": ABOVE.id}, _lookup())
    assert info.value.errors["body"]["en"] == "There is no such unit within your scope."
    assert clean([_field("actor")], {"body": MINE.id}, _lookup()).values["body"] is MINE


def test_scope_all_accepts_a_unit_above_but_never_an_inactive_or_missing_one() -> None:
    cleaned = clean([_field("all")], {"body": str(ABOVE.id)}, _lookup())
    assert cleaned.values["body"] is ABOVE
    assert cleaned.record["body"] == {"id": 1, "code": "CITY", "name": "市纪委监委", "name_en": "City"}
    for bad in (RETIRED.id, 99):
        with pytest.raises(InvalidPayload):
            clean([_field("all")], {"body": bad}, _lookup())
