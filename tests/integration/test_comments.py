"""Comments on SQLite and PostgreSQL: who may comment (the finding's scope), what a comment may
say and carry, @mentions that notify once, edits that keep every version, author-only edits,
and `verify` naming a finding whose comment was rewritten in SQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from tests.conftest import Flow, Org
from workflow.errors import Forbidden, InvalidPayload, UnknownComment, UnknownFinding
from workflow.models import Event, Finding, Notification, OutboxMessage, User
from workflow.runtime import Rectify
from workflow.services import verify_all
from workflow.services.comments import add_comment, edit_comment, thread
from workflow.services.due_history import due_history
from workflow.services.system import system_user

EVENTS = Event.__table__


def comment(rectify: Rectify, actor: User, fid: int, text: Any, files: Any = ()) -> int:
    with rectify.unit_of_work() as uow:
        return add_comment(uow, actor, fid, text, files)


def edit(rectify: Rectify, actor: User, fid: int, seq: int, text: Any) -> None:
    with rectify.unit_of_work() as uow:
        edit_comment(uow, actor, fid, seq, text)


def comments_of(rectify: Rectify, reader: User, fid: int) -> list[Any]:
    with rectify.unit_of_work(write=False) as uow:
        finding = uow.session.get(Finding, fid)
        found = thread(uow.session, uow.session.get(User, reader.id), finding)
        return [(c.seq, c.author.username, c.text, [t for _, t in c.versions],
                 [a.sha256 for a in c.attachments], c.mentions, c.editable) for c in found]


def mentions(rectify: Rectify) -> list[tuple[str, str]]:
    with rectify.unit_of_work(write=False) as uow:
        rows = uow.session.scalars(select(Notification).where(Notification.kind == "mention")
                                   .order_by(Notification.id)).all()
        return [(n.user.username, n.params["note"]) for n in rows]


def problems(rectify: Rectify) -> dict[str, list[str]]:
    with rectify.unit_of_work(write=False) as uow:
        return {f.code: [p.problem for p in found] for f, found in verify_all(uow.session)}


@pytest.fixture
def fid(flow: Flow) -> int:
    return flow.drive(flow.raise_().id, "assign").id


def test_a_comment_joins_the_chain_without_moving_the_finding(rectify, org, flow, fid):
    before = flow.finding(fid)
    photo = flow.evidence(org.handler_a)
    seq = comment(rectify, org.handler_a, fid, "  Boxes moved today.\nWarden: Li.  ", [photo])
    after = flow.finding(fid)
    assert (after.state, after.updated_at, after.due_date) == (
        before.state, before.updated_at, before.due_date)
    assert after.version == before.version + 1 and after.last_seq == seq == before.last_seq + 1
    event = flow.events(fid)[-1]
    assert (event.trigger, event.from_state, event.to_state, event.actor_id) == (
        "comment", "assigned", "assigned", org.handler_a.id)
    assert comments_of(rectify, org.handler_a, fid) == [
        (seq, "handler_a", "Boxes moved today.\nWarden: Li.", ["Boxes moved today.\nWarden: Li."],
         [photo], [], True)]
    assert comments_of(rectify, org.inspector, fid)[0][-1] is False  # not the inspector's
    assert problems(rectify) == {}


def test_only_people_who_see_the_finding_comment_on_it(rectify, org, flow, fid):
    for outsider in (org.handler_b, org.handler_a1):  # another group; a unit below the finding's
        with flow.refused(fid, UnknownFinding):
            comment(rectify, outsider, fid, "Not my finding")
    with rectify.unit_of_work() as uow:
        system = system_user(uow.session)
        uow.commit()
        uow.session.refresh(system)
        uow.session.expunge(system)
    with flow.refused(fid, Forbidden):
        comment(rectify, system, fid, "The engine does not talk")
    for insider in (org.handler_a, org.inspector, org.supervisor, org.admin):
        comment(rectify, insider, fid, f"Seen by {insider.username}")
    assert [c[1] for c in comments_of(rectify, org.reviewer, fid)] == [
        "handler_a", "inspector", "supervisor", "admin"]


def test_a_closed_finding_takes_comments(rectify, org, flow):
    closed = flow.drive(flow.raise_().id, "assign", "report_rectification", "revisit", "confirm")
    comment(rectify, org.inspector, closed.id, "Closed, kept for the record")
    assert flow.finding(closed.id).state == "closed"


@pytest.mark.parametrize(("text", "error"), [
    ("", "This field is required."), ("   \n ", "This field is required."),
    ("x" * 4001, "Enter at most 4000 characters."),
    ("a\x00b", "The text contains control characters that cannot be stored."),
    ("\u200b\u200b", "The text contains only blank or invisible characters."), (42, "Enter text."),
])
def test_bad_text_is_a_field_error_and_changes_nothing(rectify, org, flow, fid, text, error):
    with flow.refused(fid, InvalidPayload) as refused:
        comment(rectify, org.handler_a, fid, text)
    assert {k: v["en"] for k, v in refused.value.errors.items()} == {"text": error}


def test_the_longest_comment_is_kept_whole(rectify, org, fid):
    comment(rectify, org.handler_a, fid, "长" * 4000)
    assert comments_of(rectify, org.handler_a, fid)[0][2] == "长" * 4000


def test_files_are_the_actors_own_or_the_findings_and_at_most_ten(rectify, org, flow, fid):
    others = flow.evidence(org.handler_b)  # never on this finding
    with flow.refused(fid, InvalidPayload) as refused:
        comment(rectify, org.handler_a, fid, "See photo", [others])
    assert refused.value.errors["files"]["en"] == "A file is not known to you: upload it again."
    eleven = [flow.evidence(org.handler_a) for _ in range(11)]
    with flow.refused(fid, InvalidPayload) as refused:
        comment(rectify, org.handler_a, fid, "Photos", eleven)
    assert refused.value.errors["files"]["en"] == "Upload at most 10 file(s)."
    comment(rectify, org.handler_a, fid, "Photos", eleven[:10])
    comment(rectify, org.inspector, fid, "Same photo", [eleven[0]])  # on the finding now
    assert comments_of(rectify, org.inspector, fid)[1][4] == [eleven[0]]


def test_a_mention_notifies_the_person_once_through_their_channels(rectify, org, flow, fid):
    with rectify.unit_of_work() as uow:
        row = uow.session.get(User, org.inspector.id)
        row.email, row.notify_email = "inspector@example.org", "immediate"
        uow.commit()
    seq = comment(rectify, org.handler_a, fid,
                  "@inspector please check; cc @Reviewer. and @inspector again, @handler_a")
    assert mentions(rectify) == [
        ("inspector", "@inspector please check; cc @Reviewer. and @inspector again, @handler_a"),
        ("reviewer", "@inspector please check; cc @Reviewer. and @inspector again, @handler_a")]
    assert comments_of(rectify, org.handler_a, fid)[0][5] == ["inspector", "reviewer", "handler_a"]
    with rectify.unit_of_work(write=False) as uow:
        mail = uow.session.scalars(select(OutboxMessage)).all()
        assert [(m.channel, m.payload["to"], m.payload["type"]) for m in mail] == [
            ("email", "inspector@example.org", "rectify.mention")]
        assert mail[0].payload["text"].endswith(f"/findings/{fid}#comment-{seq}")


@pytest.mark.parametrize("name", ["handler_b", "handler_a1", "nobody", "system"])
def test_mentioning_someone_outside_the_scope_is_refused_like_an_unknown_name(
        rectify, org, flow, fid, name):
    with flow.refused(fid, InvalidPayload) as refused:
        comment(rectify, org.handler_a, fid, f"Ask @{name} and @inspector")
    assert refused.value.errors["text"]["en"] == (
        f"Cannot mention @{name}: no such user in this finding's scope.")
    assert mentions(rectify) == []


def test_an_address_or_an_unknown_shape_is_not_a_mention(rectify, org, fid):
    comment(rectify, org.handler_a, fid, "mail li@handler_b.org or @x or @张三 or a@inspector")
    assert mentions(rectify) == [] and comments_of(rectify, org.handler_a, fid)[0][5] == []


def test_an_edit_keeps_every_version_and_notifies_only_new_mentions(rectify, org, flow, fid,
                                                                    clock):
    seq = comment(rectify, org.handler_a, fid, "Done, @inspector")
    clock.advance(minutes=5)
    edit(rectify, org.handler_a, fid, seq, "Done on Monday, @inspector and @reviewer")
    clock.advance(days=30)  # no time limit
    edit(rectify, org.handler_a, fid, seq, "Done on Monday.")
    [(_, _, text, versions, _, names, _)] = comments_of(rectify, org.inspector, fid)
    assert text == "Done on Monday." and names == []
    assert versions == ["Done, @inspector", "Done on Monday, @inspector and @reviewer",
                        "Done on Monday."]
    assert [who for who, _ in mentions(rectify)] == ["inspector", "reviewer"]
    assert [e.trigger for e in flow.events(fid)][-3:] == ["comment", "comment_edit", "comment_edit"]
    assert flow.events(fid)[-1].payload == {"comment": seq, "text": "Done on Monday.",
                                            "mentions": []}


def test_only_the_author_edits_and_only_to_a_new_text(rectify, org, flow, fid):
    seq = comment(rectify, org.handler_a, fid, "Mine")
    for other in (org.inspector, org.admin, org.handler_reviewer_a):
        with flow.refused(fid, Forbidden):
            edit(rectify, other, fid, seq, "Theirs")
    with flow.refused(fid, InvalidPayload) as refused:
        edit(rectify, org.handler_a, fid, seq, "  Mine ")
    assert refused.value.errors["text"]["en"] == (
        "This is the comment's current text: nothing to change.")
    with flow.refused(fid, InvalidPayload):
        edit(rectify, org.handler_a, fid, seq, "")
    for wrong in (seq + 1, 1):  # no such event; an event that is not a comment (the raise)
        with flow.refused(fid, UnknownComment):
            edit(rectify, org.handler_a, fid, wrong, "Other")
    with flow.refused(fid, UnknownFinding):
        edit(rectify, org.handler_b, fid, seq, "Outside")


def test_verify_names_a_finding_whose_comment_was_rewritten(rectify, org, flow, fid,
                                                            lift_append_only):
    kept = flow.drive(flow.raise_(title="Kept").id, "assign").id
    seq = comment(rectify, org.handler_a, fid, "The exits are clear")
    edited = comment(rectify, org.handler_a, kept, "First words")
    edit(rectify, org.handler_a, kept, edited, "Second words")
    assert problems(rectify) == {}
    with lift_append_only(rectify.database) as engine, engine.begin() as conn:
        conn.execute(update(EVENTS).where(EVENTS.c.finding_id == fid, EVENTS.c.seq == seq)
                     .values(payload={"text": "The exits were never blocked", "files": [],
                                      "mentions": []}))
    assert list(problems(rectify)) == [flow.finding(fid).code]
    with lift_append_only(rectify.database) as engine, engine.begin() as conn:  # the history
        conn.execute(update(EVENTS).where(EVENTS.c.finding_id == kept,
                                          EVENTS.c.trigger == "comment_edit")
                     .values(payload={"comment": edited, "text": "Other words", "mentions": []}))
    assert set(problems(rectify)) == {flow.finding(fid).code, flow.finding(kept).code}


def test_comments_are_not_actions(rectify, org, flow, fid):
    """A reviewer who commented may still confirm; due dates and delays ignore comments."""
    plain = flow.drive(flow.raise_(title="No comments").id, "assign").id
    for finding_id in (fid, plain):
        flow.fire(finding_id, "report_rectification")
    comment(rectify, org.reviewer, fid, "Going on Thursday")
    comment(rectify, org.handler_a, fid, "Thanks")
    for finding_id in (fid, plain):
        flow.drive(finding_id, "revisit")
    comment(rectify, org.reviewer, fid, "Seen it fixed")
    closed = flow.fire(fid, "confirm", actor=org.reviewer)
    flow.fire(plain, "confirm", actor=org.reviewer)
    assert closed.state == "closed"
    with rectify.unit_of_work(write=False) as uow:
        lc = rectify.registry.get("standard", closed.lifecycle_version)
        histories = [[(c.kind, c.old, c.new) for c in due_history(lc, flow.events(f))]
                     for f in (fid, plain)]
        assert histories[0] == histories[1]
        rows = uow.session.scalars(select(Finding).where(Finding.id.in_([fid, plain]))
                                   .order_by(Finding.id)).all()
        assert rows[0].rectified_on == rows[1].rectified_on


def test_a_mentioned_user_must_be_active(rectify, org: Org, flow, fid):
    with rectify.unit_of_work() as uow:
        uow.session.get(User, org.reviewer.id).active = False
        uow.commit()
    with flow.refused(fid, InvalidPayload):
        comment(rectify, org.handler_a, fid, "@reviewer?")
