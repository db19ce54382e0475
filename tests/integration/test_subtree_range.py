"""A subtree as a range of the path index (Unit.under, migration 0014) on SQLite and PostgreSQL:
it selects exactly the paths a prefix test selects, as the LIKE it replaced did, on paths where
a sibling's id extends another's ("/1/2/" and "/1/20/") and on paths holding LIKE's wildcards;
on PostgreSQL the column compares by code point whatever the database's collation."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert, select, text

from workflow.models import Unit

# Digits and "/" (a real path's), LIKE's wildcards and escape, a letter, a CJK character, and
# "0", the successor of "/", which the range's upper bound is made of.
ALPHABET = "/0129%_\\a中"
paths = st.text(alphabet=ALPHABET, min_size=1, max_size=6)
TRICKY = ["/1/", "/1/2/", "/1/2/3/", "/1/20/", "/1/2", "/1/20", "/1/2%/", "/1/2_/", "/10/", "/"]


def _store(rectify, stored):
    """These paths, and no other, in the units table (ids from 1000, codes their index)."""
    with rectify.database.engine.begin() as conn:
        conn.execute(delete(Unit).where(Unit.id >= 1000))
        if stored:
            conn.execute(insert(Unit), [
                {"id": 1000 + n, "code": f"T{n}", "name_zh": "测", "name_en": "t", "kind": "site",
                 "path": path, "active": True, "doc_prefix": ""} for n, path in enumerate(stored)])


def _selected(rectify, where):
    with rectify.unit_of_work(write=False) as uow:
        return sorted(uow.session.scalars(select(Unit.path).where(Unit.id >= 1000, where)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.lists(paths, max_size=8, unique=True), prefix=paths)
@example(stored=TRICKY, prefix="/1/2/")
@example(stored=TRICKY, prefix="/1/2_/")
@example(stored=TRICKY, prefix="/1/2%")
def test_the_range_selects_exactly_the_paths_the_prefix_test_does(rectify, stored, prefix):
    _store(rectify, stored)
    expected = sorted(path for path in stored if path.startswith(prefix))
    assert _selected(rectify, Unit.under(prefix)) == expected
    assert _selected(rectify, Unit.path.startswith(prefix, autoescape=True)) == expected


def test_an_empty_prefix_is_every_unit(rectify, org):
    with rectify.unit_of_work(write=False) as uow:
        every = uow.session.scalars(select(Unit.id).order_by(Unit.id)).all()
        assert uow.session.scalars(select(Unit.id).where(Unit.under("")).order_by(Unit.id)).all() \
            == every


def test_paths_compare_by_code_point(rectify, backend):
    """PostgreSQL: the column's own collation is "C" (a language collation may sort "/" among
    the digits, and the range would then miss or add units); SQLite compares bytes always."""
    _store(rectify, TRICKY)
    with rectify.database.engine.connect() as conn:
        if backend == "postgres":
            assert conn.scalar(text(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name = 'units' "
                "AND column_name = 'path'")) == "C"
        ordered = conn.scalars(select(Unit.path).where(Unit.id >= 1000).order_by(Unit.path)).all()
    assert list(ordered) == sorted(TRICKY)
