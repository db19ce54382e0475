"""A unit kinds file of an organisation's own (a `bureau`; groups inspect) and a Rectify on the
test's database that uses it."""

from __future__ import annotations

from pathlib import Path

import yaml

from workflow.runtime import Rectify
from workflow.unit_kinds import load_unit_kinds

BUREAU = {"kinds": [
    {"key": "commission", "zh": "纪委监委", "en": "Commission", "inspects": True},
    {"key": "inspection_body", "zh": "纪检监察组", "en": "Inspection body", "inspects": True},
    {"key": "group", "zh": "集团", "en": "Group", "inspects": True},
    {"key": "subsidiary", "zh": "权属企业", "en": "Subsidiary"},
    {"key": "bureau", "zh": "市场监管局", "en": "Market regulation bureau"},
]}


def rectify_with_bureau(rectify: Rectify, folder: Path) -> Rectify:
    """Another Rectify on the same database and clock, with the BUREAU kinds (dispose it)."""
    path = folder / "ours.yaml"
    path.write_text(yaml.safe_dump(BUREAU, allow_unicode=True), encoding="utf-8")
    return Rectify(rectify.settings, clock=rectify.clock, registry=rectify.registry,
                   unit_kinds=load_unit_kinds(path))
