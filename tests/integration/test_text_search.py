"""The gram index (workflow.grams, services.text_search) on SQLite and PostgreSQL: the ledger's
text filter finds exactly what a substring test finds, 1- and 2-character Chinese queries too,
through edits; migration 0009 indexes the findings already there and goes back cleanly."""

from __future__ import annotations

import warnings

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import SAWarning

from workflow.models import Finding
from workflow.services import LedgerFilter, ledger, text_search
from workflow.services.text_search import text_clause

# Few distinct characters, so that short needles often match; ASCII in both cases; LIKE's
# wildcards and a space, which must be searched for as themselves.
ALPHABET = "消毒台账检aAbB%_ \\"
texts = st.text(alphabet=ALPHABET, max_size=12)
needles = st.text(alphabet=ALPHABET, min_size=1, max_size=4).filter(lambda n: n.strip() == n)


def contains(haystack: str, needle: str) -> bool:
    return needle.lower() in haystack.lower()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(titles=st.lists(st.tuples(texts, texts), min_size=4, max_size=4), needle=needles)
@example(titles=[("消毒a毒台", ""), ("", "账"), ("A_b", "%"), ("", "")], needle="消毒台")  # its pairs, apart
def test_the_index_finds_exactly_the_substring_matches(rectify, flow, titles, needle):
    ids = _findings(rectify, flow, len(titles))
    with rectify.database.engine.begin() as conn:  # through the update trigger
        for finding_id, (title, description) in zip(ids, titles, strict=True):
            conn.execute(update(Finding).where(Finding.id == finding_id)
                         .values(title=title, description=description))
    expected = sorted(i for i, (t, d) in zip(ids, titles, strict=True)
                      if contains(t, needle) or contains(d, needle))
    with rectify.unit_of_work(write=False) as uow:
        found = uow.session.scalars(select(Finding.id).where(
            Finding.id.in_(ids), text_clause(uow.session, needle)).order_by(Finding.id)).all()
    assert found == expected


def _findings(rectify, flow, n):
    """n findings of this test's database, raised once (hypothesis calls the test many times)."""
    with rectify.unit_of_work(write=False) as uow:
        ids = uow.session.scalars(select(Finding.id).order_by(Finding.id)).all()
    return list(ids) or [flow.raise_(title=f"seed {i}").id for i in range(n)]


def codes(rectify, actor, text):
    with rectify.unit_of_work(write=False) as uow:
        page = ledger(uow.session, actor, LedgerFilter(text=text), uow.today())
        return sorted(f.code for f in page.items)


def test_one_and_two_character_chinese_queries_and_edits(rectify, org, flow):
    disinfect = flow.raise_(title="餐具消毒记录缺失", description="")
    ledger_book = flow.raise_(title="Kitchen", description="台账不全 Ledger")
    assert codes(rectify, org.inspector, "消毒") == [disinfect.code]
    assert codes(rectify, org.inspector, "台账") == [ledger_book.code]
    assert codes(rectify, org.inspector, "账") == [ledger_book.code]
    assert codes(rectify, org.inspector, "毒台") == []
    assert codes(rectify, org.inspector, "LEDGER") == [ledger_book.code]
    assert codes(rectify, org.inspector, disinfect.code.lower()) == [disinfect.code]
    with rectify.database.engine.begin() as conn:  # the old title is forgotten
        conn.execute(update(Finding).where(Finding.id == ledger_book.id).values(title="另一个"))
    assert codes(rectify, org.inspector, "另一") == [ledger_book.code]
    assert codes(rectify, org.inspector, "Kitchen") == []


def test_common_texts_are_read_in_the_ledgers_order(rectify, org, flow, monkeypatch):
    """More rows offered than CANDIDATES: the LIKE alone, the same rows, newest first."""
    rows = [flow.raise_(title=f"台账 {i}", description="").code for i in range(3)]
    flow.raise_(title="别的问题", description="")
    monkeypatch.setattr(text_search, "CANDIDATES", 2)
    with rectify.unit_of_work(write=False) as uow:
        page = ledger(uow.session, org.inspector, LedgerFilter(text="台账"), uow.today(), limit=2)
        assert [f.code for f in page.items] == rows[:0:-1] and page.next_cursor


def test_0009_indexes_what_was_there_and_downgrades(rectify, org, flow):
    # raised at the head (the models have columns newer than 0008), unindexed by the downgrade
    before = flow.raise_(title="消毒柜未运行", description="")
    rectify.database.downgrade("0008")
    try:
        assert not _index_objects(rectify)
    finally:
        rectify.database.upgrade("head")
    assert codes(rectify, org.inspector, "消毒") == [before.code]
    assert codes(rectify, org.inspector, "柜") == [before.code]
    assert len(_index_objects(rectify)) == (9 if rectify.database.engine.dialect.name
                                            == "sqlite" else 2)  # FTS5: 5 tables, 3 triggers
    with warnings.catch_warnings():  # SQLite: the due order's index is not reflected
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        indexes = {ix["name"] for ix in inspect(rectify.database.engine).get_indexes("findings")}
    assert {"ix_findings_state_created", "ix_findings_state_id", "ix_findings_unit_created"} <= indexes


def _index_objects(rectify):
    """The grams' FTS5 tables and triggers (SQLite) or GIN index (PostgreSQL); the due order's."""
    with rectify.database.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            return conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE name LIKE "
                                        "'findings_grams%' OR name = 'ix_findings_due_order'").all()
        return conn.exec_driver_sql("SELECT indexname FROM pg_indexes WHERE schemaname = "
                                    "current_schema() AND indexname IN "
                                    "('ix_findings_grams', 'ix_findings_due_order')").all()
