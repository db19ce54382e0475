"""Migrating running findings to a new lifecycle version: explicit, mapped, audited, verifiable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from db_support import standard_v2_definitions
from ledger_facts_support import facts_disagreeing
from sqlalchemy import select

from workflow.config import Settings
from workflow.errors import Forbidden, InvalidInput
from workflow.models import Event, Finding
from workflow.runtime import Rectify
from workflow.services import fire, verify_all
from workflow.services.migrate import migrate_findings
from workflow.spec import load_registry

Flow = Any  # the `flow` fixture from tests/conftest.py


def _v2_definitions(folder: Path) -> Path:
    """standard v1 as shipped, and a v2 whose 'revisited' state is renamed 'checked'."""

    def rename(data: dict[str, Any]) -> None:
        for state in data["states"]:
            if state["name"] == "revisited":
                state["name"] = "checked"
        for transition in data["transitions"]:
            sources = transition["source"]
            sources = [sources] if isinstance(sources, str) else sources
            transition["source"] = ["checked" if s == "revisited" else s for s in sources]
            if transition["dest"] == "revisited":
                transition["dest"] = "checked"

    return standard_v2_definitions(folder, rename)


@pytest.fixture
def migrating(rectify: Rectify, tmp_path: Path) -> Iterator[Rectify]:
    """A second Rectify on the same database that knows standard v1 and v2."""
    registry = load_registry(_v2_definitions(tmp_path / "defs"))
    settings = Settings(database_url=rectify.settings.database_url,
                        instance_path=rectify.settings.instance_path,
                        definitions_path=tmp_path / "defs")
    other = Rectify(settings, clock=rectify.clock, registry=registry)
    yield other
    other.database.dispose()


def test_migration_maps_states_records_an_event_and_keeps_the_chain(flow_v1: Flow,
                                                                    migrating: Rectify) -> None:
    flow = flow_v1  # the findings start on the shipped v1
    at_check = flow.drive(flow.raise_().id, "assign", "report_rectification", "revisit").id
    assigned = flow.drive(flow.raise_().id, "assign").id
    closed = flow.drive(flow.raise_().id, "assign", "report_rectification", "revisit",
                        "confirm").id
    admin = flow.org.admin

    with migrating.unit_of_work() as uow:
        moved = migrate_findings(uow, admin, "standard", 1, 2, {"revisited": "checked"})
    assert moved == 2  # the closed finding stays on v1

    v2 = migrating.registry.get("standard", 2)
    with migrating.unit_of_work(write=False) as uow:
        rows = {f.id: f for f in uow.session.scalars(select(Finding))}
        assert (rows[at_check].lifecycle_version, rows[at_check].state) == (2, "checked")
        assert rows[at_check].definition_hash == v2.digest
        assert (rows[assigned].lifecycle_version, rows[assigned].state) == (2, "assigned")
        assert facts_disagreeing(uow, at_check) == [] and facts_disagreeing(uow, closed) == []
        assert rows[at_check].last_action_trigger == "migrate"
        assert rows[closed].lifecycle_version == 1
        last = uow.session.scalars(select(Event).where(Event.finding_id == at_check)
                                   .order_by(Event.seq.desc())).first()
        assert last is not None
        assert (last.trigger, last.from_state, last.to_state) == ("migrate", "revisited", "checked")
        assert last.payload["from_version"] == 1 and last.payload["to_version"] == 2
        assert last.actor_id == admin.id
        assert list(verify_all(uow.session)) == []

    with migrating.unit_of_work() as uow:  # the migrated finding runs on v2 now
        done = fire(uow, at_check, "confirm", flow.org.reviewer, {})
        assert done.state == "closed"


def test_migration_refuses_unmapped_states_and_non_admins_and_changes_nothing(
        flow_v1: Flow, migrating: Rectify) -> None:
    flow = flow_v1  # the finding starts on the shipped v1
    finding = flow.drive(flow.raise_().id, "assign", "report_rectification", "revisit").id
    before = flow.snapshot(finding)
    with migrating.unit_of_work() as uow, pytest.raises(InvalidInput) as info:
        migrate_findings(uow, flow.org.admin, "standard", 1, 2, {})
    assert "revisited" in info.value.errors["map"]["en"]
    with migrating.unit_of_work() as uow, pytest.raises(InvalidInput):
        migrate_findings(uow, flow.org.admin, "standard", 1, 2, {"revisited": "nowhere"})
    with migrating.unit_of_work() as uow, pytest.raises(InvalidInput) as info:
        migrate_findings(uow, flow.org.admin, "standard", 1, 1, {})
    assert "same version" in info.value.errors["to"]["en"]
    with migrating.unit_of_work() as uow, pytest.raises(Forbidden):
        migrate_findings(uow, flow.org.supervisor, "standard", 1, 2, {"revisited": "checked"})
    with migrating.unit_of_work() as uow:
        assert migrate_findings(uow, flow.org.admin, "standard", 1, 2, {"revisited": "checked"},
                                dry_run=True) == 1
    assert flow.snapshot(finding) == before
