"""The unit a spreadsheet names: by its code, or by its name along the tree ("市纪委监委/市场监管局"),
looked for only among the units the importing user may see."""

from __future__ import annotations

import re

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from workflow.models import Unit, User
from workflow.services.scope import units_clause

NO_UNIT = {"zh": "单位不存在或不在您的管辖范围内。", "en": "There is no such unit within your scope."}
_SEPARATOR = re.compile(r"\s*[/／>＞]\s*")


class UnitNames:
    """Resolves unit texts for one actor, each distinct text once."""

    def __init__(self, session: Session, actor: User) -> None:
        self._session, self._actor = session, actor
        self._cache: dict[str, Unit | dict[str, str]] = {}

    def resolve(self, text: str) -> Unit | dict[str, str]:
        """The unit, or why none: {'zh': ..., 'en': ...}."""
        text = text.strip()
        if text not in self._cache:
            self._cache[text] = self._lookup(text)
        return self._cache[text]

    def _lookup(self, text: str) -> Unit | dict[str, str]:
        visible = select(Unit).where(units_clause(self._actor), Unit.active.is_(True))
        by_code = self._session.scalar(visible.where(Unit.code == text))
        if by_code is not None:
            return by_code
        parts = [part for part in _SEPARATOR.split(text) if part]
        if not parts:
            return NO_UNIT
        named = visible.where(or_(Unit.name_zh == parts[-1], Unit.name_en == parts[-1]))
        matches = [unit for unit in self._session.scalars(named.order_by(Unit.code))
                   if self._along(unit, parts)]
        if len(matches) > 1:
            codes = "、".join(unit.code for unit in matches[:5])
            return {"zh": f"有多个单位叫这个名字（{codes}）：请写单位编码或上级单位路径。",
                    "en": f"Several units have this name ({codes}): use the code or the path "
                          "of units above it."}
        return matches[0] if matches else NO_UNIT

    def _along(self, unit: Unit, parts: list[str]) -> bool:
        """Whether the names before the last one are the unit's nearest ancestors, in order."""
        ids = [int(part) for part in unit.path.strip("/").split("/") if part]
        if len(parts) > len(ids):
            return False
        chain = [self._session.get(Unit, unit_id) for unit_id in ids[-len(parts):]]
        return all(node is not None and part in (node.name_zh, node.name_en)
                   for node, part in zip(chain, parts, strict=True))
