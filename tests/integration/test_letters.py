"""Letters (提醒函) as records: who may send one, from a finding or a campaign; its number per body
and year; who sees it; each addressee's reply, once; its state, counting and My work."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from workflow.errors import Forbidden, InvalidInput, UnknownFinding, UnknownLetter
from workflow.models import Event, Letter, LetterCounter, Unit, User
from workflow.services import verify_all
from workflow.services.accounts import create_user
from workflow.services.directory import create_campaign
from workflow.services.evidence import readable_attachment, remove_unlinked
from workflow.services.letter_scope import get_letter, letters, state_of
from workflow.services.letter_stats import letter_stats
from workflow.services.letter_work import pending_replies
from workflow.services.letters import reply_to_letter, send_letter
from workflow.services.parties import add_party

Flow = Any


def send(flow: Flow, by: User | None = None, **data: Any) -> Letter:
    values: dict[str, Any] = {"subject": "关于协调防护服生产用工的提醒函",
                              "text": "请于期限内书面回复落实情况。",
                              "addressee_ids": [flow.org.group_a.id, flow.org.group_b.id]}
    values.update(data)
    with flow.app.unit_of_work() as uow:
        letter = send_letter(uow, by or flow.org.inspector, **values)
        uow.session.expunge_all()
        return letter


def reply(flow: Flow, by: User, letter_id: int, text: str = "已落实，详见附件。",
          files: tuple[str, ...] = ()) -> None:
    with flow.app.unit_of_work() as uow:
        reply_to_letter(uow, by, letter_id, text, files)


def count_letters(flow: Flow) -> int:
    with flow.app.unit_of_work(write=False) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Letter)) or 0)


def set_prefix(flow: Flow, unit: Unit, prefix: str) -> None:
    with flow.app.unit_of_work() as uow:
        uow.session.execute(update(Unit).where(Unit.id == unit.id).values(doc_prefix=prefix))
        uow.commit()


def extra_user(flow: Flow, name: str, roles: list[str], unit: Unit) -> User:
    with flow.app.unit_of_work() as uow:
        user = create_user(uow.session, name, name, flow.org.password, roles,
                           uow.session.get_one(Unit, unit.id))
        uow.commit()
        uow.session.refresh(user)
        _ = user.unit.path
        uow.session.expunge_all()
        return user


def test_a_letter_from_a_finding_is_numbered_dated_and_on_the_finding_record(flow: Flow) -> None:
    set_prefix(flow, flow.org.inspection_body, "纪检提")
    finding = flow.raise_()
    first = send(flow, finding_id=finding.id)
    second = send(flow, finding_id=finding.id, reply_due_date="2026-03-20")
    assert (first.number, second.number) == ("纪检提〔2026〕1号", "纪检提〔2026〕2号")
    assert first.issued_on == date(2026, 3, 2) and first.body_id == flow.org.inspection_body.id
    assert first.reply_due_date == date(2026, 3, 9)  # 5 working days after Monday 2 March
    assert second.reply_due_date == date(2026, 3, 20)
    events = [e for e in flow.events(finding.id) if e.trigger == "letter"]
    assert [e.payload for e in events][0] == {
        "letter_id": first.id, "number": "纪检提〔2026〕1号", "subject": first.subject,
        "addressees": ["GA", "GB"], "reply_due_date": "2026-03-09"}
    assert flow.finding(finding.id).state == "raised"  # recorded, not moved
    with flow.app.unit_of_work(write=False) as uow:
        assert list(verify_all(uow.session)) == []
    other_body = send(flow, by=flow.org.supervisor)  # the commission numbers on its own
    assert other_body.number == "〔2026〕1号"


@pytest.mark.parametrize(("data", "field"), [
    ({"subject": ""}, "subject"), ({"subject": "two\nlines"}, "subject"),
    ({"subject": "x" * 301}, "subject"), ({"text": "  "}, "text"), ({"text": "x" * 8001}, "text"),
    ({"addressee_ids": []}, "addressees"), ({"addressee_ids": [99999]}, "addressees"),
    ({"addressee_ids": ["8.9"]}, "addressees"), ({"addressee_ids": list(range(1, 23))}, "addressees"),
    ({"reply_due_date": "2026-03-01"}, "reply_due_date"),
    ({"reply_due_date": "2027-03-03"}, "reply_due_date"), ({"kind": "love"}, "kind"),
    ({"finding_id": "abc"}, "finding"), ({"campaign_id": 9999}, "campaign"),
])
def test_bad_input_names_the_field_in_zh_and_en_and_writes_nothing(
        flow: Flow, data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        send(flow, **data)
    assert field in info.value.errors and set(info.value.errors[field]) == {"zh", "en"}
    assert count_letters(flow) == 0


def test_addressees_are_distinct_and_never_the_issuing_body(flow: Flow) -> None:
    org = flow.org
    for ids in ([org.group_a.id, org.group_a.id], [org.inspection_body.id]):
        with pytest.raises(InvalidInput) as info:
            send(flow, addressee_ids=ids)
        assert list(info.value.errors) == ["addressees"]
    with flow.app.unit_of_work() as uow:
        uow.session.execute(update(Unit).where(Unit.id == org.group_b.id).values(active=False))
        uow.commit()
    with pytest.raises(InvalidInput):
        send(flow, addressee_ids=[org.group_b.id])
    with flow.app.unit_of_work(write=False) as uow:
        assert uow.session.scalar(select(func.count()).select_from(LetterCounter)) == 0


def test_who_may_send_from_a_finding_and_from_a_campaign(flow: Flow) -> None:
    org = flow.org
    finding = flow.raise_(unit=org.sub_b1.id)
    for user in (org.handler_a, org.reviewer, org.admin):
        with pytest.raises(Forbidden):
            send(flow, by=user)
    boss_b = extra_user(flow, "boss_b", ["supervisor"], org.group_b)
    with pytest.raises(Forbidden):  # sees the finding, but is on its responsible side
        send(flow, by=boss_b, finding_id=finding.id, addressee_ids=[org.group_a.id])
    with pytest.raises(InvalidInput):  # a finding it does not see
        send(flow, by=boss_b, finding_id=flow.raise_().id, addressee_ids=[org.sub_b1.id])
    with flow.app.unit_of_work() as uow:  # the lead body may
        row = uow.session.get_one(type(finding), finding.id)
        add_party(uow.session, row, "lead", uow.session.get_one(Unit, org.group_b.id), uow.now())
        uow.commit()
    assert send(flow, by=boss_b, finding_id=finding.id, addressee_ids=[org.group_a.id]).id
    with flow.app.unit_of_work() as uow:
        campaign = create_campaign(uow.session, "防疫专项", uow.session.get_one(
            Unit, org.inspection_body.id), date(2026, 3, 1))
        uow.commit()
        campaign_id = campaign.id
    assert send(flow, campaign_id=campaign_id).campaign_id == campaign_id
    assert send(flow, by=org.supervisor, campaign_id=campaign_id).id  # a body above it
    with pytest.raises(Forbidden):
        send(flow, by=boss_b, campaign_id=campaign_id, addressee_ids=[org.group_a.id])


def test_only_the_sender_body_and_the_addressees_see_a_letter(flow: Flow) -> None:
    org = flow.org
    letter = send(flow, addressee_ids=[org.group_a.id])
    with flow.app.unit_of_work(write=False) as uow:
        for user in (org.inspector, org.reviewer, org.supervisor, org.handler_a, org.admin):
            assert get_letter(uow.session, user, letter.id).id == letter.id
            assert [x.id for x in letters(uow.session, user, {}, uow.today()).items] == [letter.id]
        for user in (org.handler_b, org.handler_a1):
            with pytest.raises(UnknownLetter):
                get_letter(uow.session, user, letter.id)
            assert letters(uow.session, user, {}, uow.today()).total == 0
    for user in (org.handler_b, org.handler_a1):
        with pytest.raises(UnknownLetter):
            reply(flow, user, letter.id)


def test_a_reply_is_once_and_final_and_its_files_reach_the_sender_and_addressees(
        flow: Flow) -> None:
    org = flow.org
    finding = flow.raise_()
    letter = send(flow, finding_id=finding.id)
    photo = flow.evidence(org.handler_a)
    reply(flow, org.handler_a, letter.id, files=(photo,))
    with pytest.raises(Forbidden):  # the same unit again, another person: final
        reply(flow, org.handler_reviewer_a, letter.id, "改一下")
    with pytest.raises(Forbidden):  # a supervisor-less role of the sending side
        reply(flow, org.inspector, letter.id)
    with flow.app.unit_of_work(write=False) as uow:
        row = get_letter(uow.session, org.inspector, letter.id)
        done = next(a for a in row.addressees if a.unit_id == org.group_a.id)
        assert (done.reply_text, done.replied_on) == ("已落实，详见附件。", date(2026, 3, 2))
        for user in (org.inspector, org.handler_b, org.handler_a):
            assert readable_attachment(uow.session, user, photo).sha256 == photo
        with pytest.raises(UnknownFinding):
            readable_attachment(uow.session, org.handler_a1, photo)
    with flow.app.unit_of_work() as uow:  # the clean-up of unused uploads keeps reply files
        assert remove_unlinked(uow, uow.now() + timedelta(days=365)) == []
    with flow.app.unit_of_work(write=False) as uow:
        assert readable_attachment(uow.session, org.inspector, photo).sha256 == photo
    replies = [e for e in flow.events(finding.id) if e.trigger == "letter_reply"]
    assert [(e.payload["unit"], e.payload["attachments"]) for e in replies] == [("GA", [photo])]
    with flow.app.unit_of_work(write=False) as uow:
        assert list(verify_all(uow.session)) == []


def test_states_counting_and_my_work_follow_the_reply_date(flow: Flow) -> None:
    org = flow.org
    letter = send(flow)
    with flow.app.unit_of_work(write=False) as uow:
        mine = pending_replies(uow.session, org.handler_a, uow.today(), uow.calendar)
        assert [(p.letter.id, p.colour, p.working_days) for p in mine.items] == [
            (letter.id, "green", 5)]
        assert pending_replies(uow.session, org.handler_a1, uow.today(), uow.calendar).total == 0
    flow.app.clock.advance(days=5)  # Saturday 7 March: due Monday, within two working days
    with flow.app.unit_of_work(write=False) as uow:
        mine = pending_replies(uow.session, org.handler_b, uow.today(), uow.calendar)
        assert mine.items[0].colour == "yellow"
    reply(flow, org.handler_a, letter.id)
    flow.app.clock.advance(days=2)  # Monday 9 March, the reply date: not late yet
    with flow.app.unit_of_work(write=False) as uow:
        stats = letter_stats(uow.session, org.supervisor, uow.today())
        assert stats.totals.as_dict() == {"sent": 1, "replied": 0, "pending": 1, "overdue": 0}
    flow.app.clock.advance(days=1)  # Tuesday 10 March: group B is late
    with flow.app.unit_of_work(write=False) as uow:
        assert pending_replies(uow.session, org.handler_a, uow.today(), uow.calendar).total == 0
        late = pending_replies(uow.session, org.handler_b, uow.today(), uow.calendar).items
        assert [(p.colour, p.working_days) for p in late] == [("red", 1)]
        assert state_of(get_letter(uow.session, org.admin, letter.id), uow.today()) == "overdue"
        stats = letter_stats(uow.session, org.supervisor, uow.today())
        assert stats.totals.as_dict() == {"sent": 1, "replied": 0, "pending": 0, "overdue": 1}
        assert [(u.code, n.overdue) for u, n in stats.by_body] == [("IB", 1)]
        assert letters(uow.session, org.admin, {"state": "overdue"}, uow.today()).total == 1
        assert letters(uow.session, org.admin, {"state": "pending"}, uow.today()).total == 0
        with pytest.raises(Forbidden):
            letter_stats(uow.session, org.handler_a, uow.today())
    reply(flow, org.handler_b, letter.id)
    with flow.app.unit_of_work(write=False) as uow:
        stats = letter_stats(uow.session, org.admin, uow.today())
        assert stats.totals.as_dict() == {"sent": 1, "replied": 1, "pending": 0, "overdue": 0}


def test_a_failed_annotation_leaves_no_letter_and_no_number(flow: Flow) -> None:
    finding = flow.raise_()
    with flow.app.unit_of_work() as uow:
        uow.session.execute(update(Unit).where(Unit.id == flow.org.group_b.id)
                            .values(active=False))
        uow.commit()
    with pytest.raises(InvalidInput):
        send(flow, finding_id=finding.id)
    assert count_letters(flow) == 0
    assert send(flow, finding_id=finding.id,
                addressee_ids=[flow.org.group_a.id]).number == "〔2026〕1号"
    with flow.app.unit_of_work(write=False) as uow:
        events = uow.session.scalar(select(func.count()).select_from(Event).where(
            Event.finding_id == finding.id, Event.trigger == "letter"))
        assert events == 1
