"""Every transition of every shipped lifecycle, from each of its source states, fired through the
pages in Chromium.

For each (lifecycle version, source, trigger): a fresh finding on that version (older versions
through ``flow_v1``) is brought to the source state through the engine (quick, and not what is
tested here), then a user allowed to fire the trigger opens the
finding page, unfolds the action, fills every declared field the way a person would (text typed,
a choice picked, a unit picked from the drop-down, a date inside the picker's own min and max,
a file attached) and submits. The page must show the new state, and the recorded event must carry
exactly what was entered. One browser and one login per user for the whole run; a screenshot of
each filled form lands in test-artifacts/e2e/.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.e2e.picker_steps import offered_unit_ids, pick_unit_by_code
from workflow.models import Finding, Unit, User
from workflow.spec import Registry
from workflow.spec.model import FieldSpec, Lifecycle, TransitionSpec

if TYPE_CHECKING:  # the fixtures' types, for reading only (conftest modules are not imported)
    from tests.conftest import Flow, Org
    from tests.e2e.conftest import Logins

pytestmark = pytest.mark.e2e
DEFINITIONS = Path(__file__).resolve().parents[2] / "definitions"

# Guards on a unit field that keep the new unit strictly below the raising body and not the
# actor's own unit (workflow/guards.py); unit_differs: not the finding's current unit.
BELOW_RAISER = {"unit_not_the_actors", "unit_below_raising_body"}


# One test per lifecycle (all its versions), so the runners share the walk out between them.
LIFECYCLES = sorted({path.name.split(".")[0] for path in DEFINITIONS.glob("*.v*.yaml")})


def cases(registry: Registry, name: str | None = None) -> Iterator[tuple[Lifecycle, str, TransitionSpec]]:
    for lc in registry.all():
        if name is not None and lc.name != name:
            continue
        for spec in lc.transitions:
            for source in spec.sources:
                yield lc, source, spec


def text_for(field: FieldSpec, trigger: str) -> str:
    text = f"{field.zh}（{trigger}）：已核实，按要求办理完毕。"
    if field.min_length and len(text) < field.min_length:
        text += "。" * (field.min_length - len(text))
    return text[:field.max_length] if field.max_length else text


class Firing:
    """Fill and submit one transition's form on the finding page, remembering what was entered."""

    def __init__(self, page: Any, spec: TransitionSpec, finding: Finding, actor: User, org: Org,
                 photo: Path) -> None:
        self.page, self.spec, self.finding, self.actor, self.org = page, spec, finding, actor, org
        self.photo = photo
        self.entered: dict[str, Any] = {}

    def css(self, field: FieldSpec) -> str:
        return f"#{self.spec.trigger}-{field.name}"

    def open(self) -> None:
        trigger = self.spec.trigger
        summary = self.page.locator(f"details.action:has(#form-{trigger}) > summary")
        assert summary.count() == 1, f"{trigger} is not offered to {self.actor.username}"
        assert summary.inner_text() == self.spec.zh
        summary.click()
        self.page.locator(f"#form-{trigger}").wait_for(state="visible")

    def fill(self, field: FieldSpec) -> None:
        kind = field.type
        if kind == "text":
            self.entered[field.name] = text_for(field, self.spec.trigger)
            self.page.fill(self.css(field), self.entered[field.name])
        elif kind == "date":
            self.entered[field.name] = self.pick_date(field)
            self.page.fill(self.css(field), self.entered[field.name])
        elif kind == "number":
            value = int(field.minimum or 0) + 1
            self.entered[field.name] = value
            self.page.fill(self.css(field), str(value))
        elif kind == "choice":
            self.entered[field.name] = field.choices[-1].value
            self.page.select_option(self.css(field), field.choices[-1].value)
        elif kind == "unit":
            unit = self.pick_unit(field)
            self.entered[field.name] = unit.id
            pick_unit_by_code(self.page, self.css(field), unit.code)
        elif kind == "files":
            self.page.set_input_files(self.css(field), str(self.photo))
            self.page.locator(f"{self.css(field)}-preview img").wait_for()
            self.entered[field.name] = 1  # one file
        else:  # pragma: no cover - a new field type needs a way to fill it here
            raise AssertionError(f"no way to fill a {kind} field")

    def pick_date(self, field: FieldSpec) -> str:
        """The earliest date the picker offers (its min), else today: it must be accepted."""
        picker = self.page.locator(self.css(field))
        assert picker.get_attribute("type") == "date"
        low, high = picker.get_attribute("min"), picker.get_attribute("max")
        assert low is not None or high is not None, f"{field.name}: a date picker without limits"
        chosen = low or high
        assert chosen is not None
        if low and high:
            assert low <= high, f"{field.name}: the picker offers no date ({low}..{high})"
        return chosen

    def pick_unit(self, field: FieldSpec) -> Unit:
        """The first unit the picker offers (in tree order) that the transition's guards accept."""
        ids = offered_unit_ids(self.page, self.css(field))
        assert ids, f"{field.name}: a unit picker offering nothing"
        paths = {str(u.id): u.path for u in self.org.units.values()}
        offered = [""] + sorted((str(i) for i in ids), key=paths.__getitem__)
        guards = {g.name for g in self.spec.guards if g.params.get("field") == field.name}
        raiser = next(u for u in self.org.units.values() if u.id == self.finding.raised_by_unit_id)
        by_id = {str(u.id): u for u in self.org.units.values()}
        for value in offered[1:]:
            unit = by_id[value]
            if "unit_differs" in guards and unit.id == self.finding.unit_id:
                continue
            if guards & BELOW_RAISER and (unit.id == self.actor.unit_id or unit.path == raiser.path
                                          or not unit.path.startswith(raiser.path)):
                continue
            if "unit_above_finding" in guards and not self.above_the_finding(unit):
                continue
            taken = {token.rstrip("+") for token in (self.finding.parties or "").split()}
            if "not_a_party_yet" in guards and (unit.id == self.finding.unit_id
                                                or f"co_responsible:{unit.id}" in taken):
                continue
            return unit
        raise AssertionError(f"{field.name}: no unit in the picker that the guards accept")

    def above_the_finding(self, unit: Unit) -> bool:
        below = next(u for u in self.org.units.values() if u.id == self.finding.unit_id).path
        return below.startswith(unit.path) and below != unit.path

    def submit(self) -> None:
        with self.page.expect_navigation():
            self.page.locator(f"#form-{self.spec.trigger} button[type=submit]").click()
        errors = self.page.locator("p.error, .flash.error").all_inner_texts()
        assert not errors, f"{self.spec.trigger} refused: {errors}"


def assert_recorded(flow: Flow, finding_id: int, firing: Firing) -> None:
    """The newest event is this transition by this actor, with exactly what was entered (and,
    when the due date moved, the move from the finding's due date before to the one now)."""
    event = flow.events(finding_id)[-1]
    assert (event.trigger, event.actor_id) == (firing.spec.trigger, firing.actor.id)
    facts = {"due_date_change", "child"}  # recorded beside the fields (a split's child code)
    assert set(event.payload) - facts == {f.name for f in firing.spec.fields}
    before, now = firing.finding.due_date, flow.finding(finding_id).due_date
    assert event.payload.get("due_date_change") == (None if before == now else [
        before and before.isoformat(), now and now.isoformat()])
    for field in firing.spec.fields:
        recorded, entered = event.payload[field.name], firing.entered[field.name]
        if field.type == "unit":
            assert recorded["id"] == entered, field.name
        elif field.type == "files":
            assert len(recorded) == entered, field.name
        else:
            assert recorded == entered, field.name


def test_the_walk_covers_every_shipped_lifecycle(registry: Registry) -> None:
    assert sorted({lc.name for lc in registry.all()}) == LIFECYCLES


@pytest.mark.parametrize("name", LIFECYCLES)
def test_every_transition_of_every_lifecycle_through_the_pages(
        name: str, logins: Logins, flow: Flow, flow_v1: Flow, flow_v2: Flow, org: Org, registry: Registry,
        png: Callable[[int], bytes], shots: Callable[[Any, str], Path], tmp_path: Path,
        clock: Any) -> None:
    photo = tmp_path / "整改照片.png"
    photo.write_bytes(png(0x3AA471))
    fired: set[tuple[str, str, str]] = set()
    for number, (lc, source, spec) in enumerate(cases(registry, name), start=1):
        raiser = org.inspector if "inspector" in lc.raise_roles else org.supervisor
        on = flow if lc is registry.get(lc.name) else {1: flow_v1, 2: flow_v2}[lc.version]
        path = lc.path_to(source)
        finding = on.raise_(lc.name, by=raiser)
        if "co_responsible" in spec.sides:  # a part to report: a unit given one once assigned
            on.drive(finding.id, *path[:1])
            on.fire(finding.id, "add_co_responsible")
            path = path[1:]
        finding = on.drive(finding.id, *path)
        assert (finding.lifecycle_version, finding.state) == (lc.version, source)
        if finding.lookback_due_date and finding.lookback_due_date > on.today():
            clock.advance(days=(finding.lookback_due_date - on.today()).days)  # look-back due
        actor = on.actor_for(finding, spec.trigger)
        page = logins.page(actor.username)
        page.goto(f"{logins.url}/findings/{finding.id}")
        assert page.locator("h1 .state").inner_text() == lc.state(source).zh
        firing = Firing(page, spec, finding, actor, org, photo)
        firing.open()
        for field in spec.fields:
            firing.fill(field)
        shots(page, f"every-{number:03d}-{lc.name}-v{lc.version}-{source}-{spec.trigger}")
        firing.submit()
        where = f"{lc.name}: {source} --{spec.trigger}--> as {actor.username}"
        assert re.search(rf"/findings/{finding.id}$", page.url), where
        dest = spec.dest_from(source)
        assert page.locator("h1 .state").inner_text() == lc.state(dest).zh, where
        assert page.locator(".flash.success").inner_text() == f"已完成：{spec.zh}。", where
        assert page.locator("ol.timeline > li").first.locator(".what strong").inner_text() == spec.zh
        assert_recorded(flow, finding.id, firing)
        after = flow.finding(finding.id)
        assert after.state == dest, where
        for field in spec.fields:
            if field.type == "unit" and any(e.name == "reassign_unit" for e in spec.effects):
                assert after.unit_id == firing.entered[field.name], where
        fired.add((lc.key, source, spec.trigger))
    expected = {(lc.key, source, spec.trigger) for lc, source, spec in cases(registry, name)}
    assert fired == expected
    assert {key for key, _, _ in fired} == {lc.key for lc in registry.all() if lc.name == name}


def test_the_extension_offered_by_the_picker_is_accepted(logins: Logins, flow: Flow) -> None:
    """The extension picker starts the day after the due date (the guard's limit): that date is
    accepted, and the day before it is refused next to the field, not in a banner."""
    finding = flow.drive(flow.raise_("standard").id, "assign")
    assert finding.due_date is not None
    page = logins.page("handler_a")
    page.goto(f"{logins.url}/findings/{finding.id}")
    page.click("details.action:has(#form-request_extension) > summary")
    picker = page.locator("#request_extension-requested_due_date")
    assert picker.get_attribute("min") == (finding.due_date + timedelta(days=1)).isoformat()
    # the due date itself: the browser already refuses it (below min); make it send anyway
    picker.fill(finding.due_date.isoformat())
    page.fill("#request_extension-reason", "配件尚未到货，需要更多时间。")
    assert not picker.evaluate("input => input.checkValidity()")
    page.eval_on_selector("#form-request_extension", "form => { form.noValidate = true; }")
    with page.expect_navigation():
        page.click("#form-request_extension button[type=submit]")
    field = page.locator(".field:has(#request_extension-requested_due_date)")
    assert "has-error" in (field.get_attribute("class") or "")
    assert field.locator("p.error").inner_text() == (
        f"申请的日期必须晚于当前整改期限 {finding.due_date.isoformat()}。")
    assert page.locator(".flash.error").count() == 0
    assert flow.finding(finding.id).state == "assigned"
    # the picker's first date goes through
    wanted = date.fromisoformat(str(picker.get_attribute("min")))
    picker.fill(wanted.isoformat())
    with page.expect_navigation():
        page.click("#form-request_extension button[type=submit]")
    assert page.locator("h1 .state").inner_text() == "申请延期"
    assert flow.finding(finding.id).pending_due_date == wanted
