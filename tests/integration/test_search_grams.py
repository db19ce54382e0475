"""The global search's units, people and letters (services.text_search.fields_clause) on SQLite
and PostgreSQL: each finds exactly what a case-insensitive substring test finds, 1- and
2-character Chinese queries and LIKE's wildcards too; on PostgreSQL through the gram indexes of
migration 0014, whose expressions the planner must recognise in the query."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from test_text_search import contains, needles, texts  # the findings' alphabet and rule

from workflow.models import Letter, Unit, User
from workflow.services.letters import send_letter
from workflow.services.search import search
from workflow.services.text_search import fields_clause


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.tuples(texts, texts), min_size=3, max_size=3), needle=needles)
@example(names=[("消毒a毒台", "x"), ("", "账"), ("A_b", "%")], needle="消毒台")  # its pairs, apart
@example(names=[("台账", "B"), ("", "b"), ("账台", "")], needle="B")
def test_units_and_people_match_exactly_the_substring_matches(rectify, org, names, needle):
    units = [org.group_a.id, org.group_b.id, org.sub_a1.id]
    people = [org.handler_a.id, org.handler_b.id, org.handler_a1.id]
    with rectify.database.engine.begin() as conn:
        for unit_id, user_id, (zh, en) in zip(units, people, names, strict=True):
            conn.execute(update(Unit).where(Unit.id == unit_id).values(name_zh=zh, name_en=en))
            conn.execute(update(User).where(User.id == user_id).values(display_name=zh + en))
    with rectify.unit_of_work(write=False) as uow:
        found_units = uow.session.scalars(select(Unit.id).where(Unit.id.in_(units), fields_clause(
            uow.session, needle, Unit.code, Unit.name_zh, Unit.name_en)).order_by(Unit.id)).all()
        found_people = uow.session.scalars(select(User.id).where(User.id.in_(people), fields_clause(
            uow.session, needle, User.username, User.display_name)).order_by(User.id)).all()
    codes = {org.group_a.id: "GA", org.group_b.id: "GB", org.sub_a1.id: "GA-1"}
    assert found_units == sorted(u for u, (zh, en) in zip(units, names, strict=True)
                                 if any(contains(f, needle) for f in (codes[u], zh, en)))
    usernames = {org.handler_a.id: "handler_a", org.handler_b.id: "handler_b",
                 org.handler_a1.id: "handler_a1"}
    assert found_people == sorted(p for p, (zh, en) in zip(people, names, strict=True)
                                  if contains(usernames[p], needle) or contains(zh + en, needle))


def test_letters_by_number_and_subject(rectify, org):
    with rectify.unit_of_work() as uow:
        send_letter(uow, org.inspector, subject="关于消毒台账的提醒函", text="请回复。",
                    addressee_ids=[org.group_a.id])
    with rectify.unit_of_work(write=False) as uow:
        assert [letter.subject for letter in search(uow, org.inspector, "台账").letters.rows] == [
            "关于消毒台账的提醒函"]
        assert search(uow, org.inspector, "账台").letters.rows == []
        number = uow.session.scalars(select(Letter.number)).one()
        assert len(search(uow, org.inspector, number[-3:]).letters.rows) == 1


@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize(("index", "table", "fields"), [
    ("ix_units_grams", Unit, (Unit.code, Unit.name_zh, Unit.name_en)),
    ("ix_users_grams", User, (User.username, User.display_name)),
    ("ix_letters_grams", Letter, (Letter.number, Letter.subject))])
def test_the_planner_uses_each_gram_index(rectify, backend, index, table, fields):
    """With sequential scans priced out, the side search's own clause is answered by its index:
    the migration's expression and grams_hold's are the same."""
    with rectify.unit_of_work(write=False) as uow:
        query = select(table.id).where(fields_clause(uow.session, "台账", *fields))
        compiled = query.compile(uow.session.get_bind())
        conn = uow.session.connection()
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(conn.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars())
    assert index in plan
