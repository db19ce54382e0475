"""Why a finding is on My work and what waits on others (SQLite and PostgreSQL): the reviewer's
reason and round after a send-back, the measures last reported, and the unit's reported and asked
findings awaiting someone else's decision, within its scope."""

from __future__ import annotations

from sqlalchemy import event as sa_event

from tests.integration.test_raising_body import load_user
from workflow.services.waiting import waiting_on_others, waiting_states
from workflow.services.work import my_work
from workflow.services.work_reasons import previous_report, sent_back

SENT_BACK = ("assign", "acknowledge", "report_rectification", "revisit", "reject")


def test_the_reason_and_round_of_a_send_back_are_shown(rectify, org, flow):
    fid = flow.raise_().id
    flow.drive(fid, *SENT_BACK[:-1])
    flow.fire(fid, "reject", payload={"reason": "Exit 2 still blocked"})
    flow.drive(fid, "report_rectification", "revisit")
    flow.fire(fid, "reject", payload={"reason": "Boxes back at night"})
    with rectify.unit_of_work(write=False) as uow:
        handler = load_user(uow, org.handler_a.id)
        items = my_work(uow, handler).items
        back = sent_back(uow.session, uow.registry, items)[fid]
        assert (back.round, back.reason) == (2, "Boxes back at night")
        finding = next(f for f in items if f.id == fid)
        assert previous_report(uow.session, uow.registry, finding, "report_rectification") == {
            "measures": "Exits cleared, warden named"}
        assert previous_report(uow.session, uow.registry, finding, "reject") == {}


def test_a_finding_never_sent_back_has_no_reason_nor_prefill(rectify, org, flow):
    fid = flow.drive(flow.raise_().id, "assign", "acknowledge", "report_rectification").id
    with rectify.unit_of_work(write=False) as uow:
        finding = uow.session.get(type(flow.finding(fid)), fid)
        assert sent_back(uow.session, uow.registry, [finding]) == {}
        assert previous_report(uow.session, uow.registry, finding, "report_rectification") == {}


def test_waiting_on_others_lists_what_the_unit_reported_and_asked(rectify, org, flow):
    reported = flow.drive(flow.raise_().id, "assign", "acknowledge", "report_rectification").id
    asked = flow.drive(flow.raise_().id, "assign", "request_extension").id
    owed = flow.drive(flow.raise_().id, "assign").id
    elsewhere = flow.drive(flow.raise_(unit=org.group_b.id).id, "assign",
                           "request_extension").id
    with rectify.unit_of_work(write=False) as uow:
        handler = load_user(uow, org.handler_a.id)
        waiting = waiting_on_others(uow.session, uow.registry, handler).items
        ids = [w.finding.id for w in waiting]
        assert sorted(ids) == sorted([reported, asked])
        assert owed not in ids and elsewhere not in ids
        by_id = {w.finding.id: w for w in waiting}
        assert by_id[reported].roles == ("reviewer",) and by_id[reported].since is not None
        assert by_id[asked].roles == ("supervisor",)
        other = load_user(uow, org.handler_b.id)
        assert [w.finding.id for w in waiting_on_others(uow.session, uow.registry,
                                                        other).items] == [elsewhere]
        assert waiting_on_others(uow.session, uow.registry,
                                 load_user(uow, org.reviewer.id)).items == []


def test_waiting_states_come_from_the_definitions(rectify, org):
    with rectify.unit_of_work(write=False) as uow:
        handler = load_user(uow, org.handler_a.id)
        assert waiting_states(uow.registry.get("standard", 3), handler) == {
            "rectified", "revisited", "extension_requested", "waiver_requested"}
        assert waiting_states(uow.registry.get("escalation", 3), handler) == {
            "rectified", "escalated", "coordinating"}


def test_my_work_brings_the_raising_bodies_its_buttons_read(rectify, org, flow):
    """The page asks of each row whether the user may fire its steps, which reads the finding's
    raising body: my_work loads them with the rows (one query), not one lazy load a row."""
    raised = [flow.raise_().id for _ in range(3)]  # by the inspection body: the supervisor assigns
    sent: list[str] = []

    def tally(conn, cursor, statement, *rest):
        sent.append(statement)

    with rectify.unit_of_work(write=False) as uow:
        supervisor = load_user(uow, org.supervisor.id)
        items = my_work(uow, supervisor).items
        assert set(raised) <= {f.id for f in items}
        sa_event.listen(rectify.database.engine, "before_cursor_execute", tally)
        try:
            bodies = {f.raised_by_unit.code for f in items}
        finally:
            sa_event.remove(rectify.database.engine, "before_cursor_execute", tally)
    assert bodies == {"IB"} and sent == []


def test_waiting_on_others_pages_longest_waiting_first_and_counts_them_all(rectify, org, flow):
    asked = [flow.drive(flow.raise_().id, "assign", "request_extension").id for _ in range(5)]
    with rectify.unit_of_work(write=False) as uow:
        handler = load_user(uow, org.handler_a.id)
        pages = [waiting_on_others(uow.session, uow.registry, handler, 2, n) for n in (1, 2, 3)]
        assert [[w.finding.id for w in p.items] for p in pages] == [asked[:2], asked[2:4],
                                                                    asked[4:]]
        assert [(p.total, p.page, p.pages, p.more) for p in pages] == [
            (5, 1, 3, True), (5, 2, 3, True), (5, 3, 3, False)]
        whole = waiting_on_others(uow.session, uow.registry, handler, 5)
        assert (len(whole.items), whole.total, whole.pages, whole.more) == (5, 5, 1, False)
        past = waiting_on_others(uow.session, uow.registry, handler, 2, 4)
        assert (past.items, past.total, past.pages) == ([], 5, 3)  # counted apart
        other = load_user(uow, org.handler_b.id)
        assert waiting_on_others(uow.session, uow.registry, other, 2, 2).total == 0
