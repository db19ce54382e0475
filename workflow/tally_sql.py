"""The tallies' SQL in one place (models.tallies): what one finding row adds to them. The
triggers (migration 0017) log each change of a finding as two reduced rows (the row before, -1;
after, +1) in tally_changes, a few microseconds; services.tallies moves the log into the tallies
(compact), and writes the rebuild and the day's advance there directly; the statistics read the
tallies and the log not yet moved (services.stats_tallied).

A finding row is first reduced to the columns the statistics' rules read (canonical): its dims
and state as they are, its dates as classes that every rule tells apart on the clock's day D with
the yellow-light cutoff C (services.ledger.light_clause, overdue_clause, late's clauses; the
on-time and dated tests of stats_figures / stats_board): a running deadline (open, not reported)
before D becomes PAST, within D..C becomes D itself, after C FUTURE; any other date PAST; the
report's date EARLIEST or LATEST as it falls on or before the due date or after it; a moment or a
link only set or not. Then the reduced row is counted once per unit from the root down to its
own (own: that last one), per dim ('unit'; 'campaign', 'category', 'raised_by' with theirs).
The tests hold every figure counted from the tallies equal to the same figure counted from the
findings, on random worlds at several days (tests/integration/test_tallies.py)."""

from __future__ import annotations

from datetime import date

DIMS = ("unit", "campaign", "category", "raised_by")
EARLIEST, PAST, FUTURE, LATEST = date(2000, 1, 1), date(2000, 1, 2), date(9999, 12, 30), date(9999, 12, 31)
# the findings' own facts the value tallies read (workflow.tally_values), logged as they are
FACTS = ("created_at", "raised_us", "reported_us", "confirmed_us", "state_since_us", "reports_us",
         "state_us")
# the findings' columns a tally row reads: an update of another column leaves the tallies be
WATCHED = ("unit_id", "campaign_id", "category", "raised_by_id", "lifecycle", "lifecycle_version",
           "state", "is_open", "rework_rounds", "overdue_level", "due_date", "rectified_on",
           "rectified_at", "review_due_date", "acknowledge_due_date", "acknowledged_at",
           "recurrence_of_id", *FACTS[1:])
# the columns of a reduced row, in order (services.tallies reads nothing else)
REDUCED = ("unit_id", "campaign_id", "category", "raised_by_id", "lifecycle", "lifecycle_version",
           "state", "is_open", "rework_rounds", "overdue_level", "due_date", "rectified_on",
           "review_due_date", "acknowledge_due_date", "rectified_at", "acknowledged_at",
           "recurrence_of_id")
LOGGED = (*REDUCED, *FACTS)
TALLIED = ("node", "dim", "own", "campaign_id", "category", "raised_by_id", "lifecycle",
           "lifecycle_version", "state", "is_open", "rework_rounds", "overdue_level", "due_date",
           "rectified_on", "review_due_date", "acknowledge_due_date", "rectified_at",
           "acknowledged_at", "recurrence_of_id")
CLOCK_DAY = "(SELECT day FROM tally_clock WHERE id = 1)"
CLOCK_CUTOFF = "(SELECT cutoff FROM tally_clock WHERE id = 1)"
# PostgreSQL advisory lock (writers share it, the day's advance not), one per schema: schemas of
# one database (the tests', a host's several instances) keep tallies of their own
LOCK_KEY = "720311, hashtext(current_schema())"


def _day(dialect: str, value: date) -> str:
    return f"DATE '{value.isoformat()}'" if dialect == "postgresql" else f"'{value.isoformat()}'"


def canonical(dialect: str, r: str) -> list[str]:
    """The reduced columns (REDUCED, each `AS` its name) of the finding row named r (NEW, OLD,
    or an alias of findings), on the clock's day."""
    past, future = _day(dialect, PAST), _day(dialect, FUTURE)
    day, cutoff = CLOCK_DAY, CLOCK_CUTOFF
    running = f"{r}.is_open AND {r}.rectified_at IS NULL"
    return [
        *[f"{r}.{name} AS {name}" for name in REDUCED[:10]],
        f"CASE WHEN {r}.due_date IS NULL THEN NULL WHEN {running} THEN CASE "
        f"WHEN {r}.due_date < {day} THEN {past} WHEN {r}.due_date <= {cutoff} THEN {day} "
        f"ELSE {future} END ELSE {past} END AS due_date",
        f"CASE WHEN {r}.rectified_on IS NULL THEN NULL "
        f"WHEN {r}.due_date IS NOT NULL AND {r}.rectified_on > {r}.due_date "
        f"THEN {_day(dialect, LATEST)} ELSE {_day(dialect, EARLIEST)} END AS rectified_on",
        _late(r, "review_due_date", f"{r}.is_open AND {r}.rectified_at IS NOT NULL", past, future),
        _late(r, "acknowledge_due_date", f"{r}.is_open AND {r}.acknowledged_at IS NULL", past,
              future),
        *[f"CASE WHEN {r}.{name} IS NULL THEN NULL ELSE 1 END AS {name}"
          for name in ("rectified_at", "acknowledged_at", "recurrence_of_id")],
    ]


def _late(r: str, column: str, runs: str, past: str, future: str) -> str:
    """A deadline that is late once passed while it runs: PAST or FUTURE of the clock's day."""
    return (f"CASE WHEN {r}.{column} IS NULL THEN NULL WHEN {runs} THEN CASE "
            f"WHEN {r}.{column} < {CLOCK_DAY} THEN {past} ELSE {future} END ELSE {past} END "
            f"AS {column}")


def ancestors(dialect: str) -> tuple[str, str]:
    """FROM items giving each unit from the root down to the reduced row's unit, by its path
    ('/1/5/23/'), and the SQL of that unit's id."""
    if dialect == "postgresql":
        return ("JOIN units u ON u.id = r.unit_id CROSS JOIN LATERAL "
                "unnest(string_to_array(btrim(u.path, '/'), '/')) AS a(part)",
                "CAST(a.part AS INTEGER)")
    return ("JOIN units u ON u.id = r.unit_id CROSS JOIN "
            "json_each('[' || replace(trim(u.path, '/'), '/', ',') || ']') AS a", "a.value")


def expanded(dialect: str, reduced: str, weight: str) -> str:
    """SELECT of the tally rows (TALLIED, then n) of the reduced rows (a subquery with REDUCED,
    weight: the SQL of each one's n)."""
    # typed as the tallies' column, so that a UNION with them keeps its index usable for dim
    dims = " UNION ALL ".join(f"SELECT CAST('{dim}' AS VARCHAR(16)) AS dim" for dim in DIMS)
    kept = {"campaign_id": "campaign", "category": "category", "raised_by_id": "raised_by"}
    units, node = ancestors(dialect)
    columns = [f"{node} AS node", "d.dim", f"(d.dim = 'unit' AND {node} = r.unit_id) AS own",
               *[f"CASE WHEN d.dim = '{dim}' THEN r.{name} END AS {name}"
                 for name, dim in kept.items()],
               *[f"r.{name}" for name in REDUCED[4:]], f"{weight} AS n"]
    return (f"SELECT {', '.join(columns)} FROM ({reduced}) AS r {units} "
            f"CROSS JOIN ({dims}) AS d")


def logged(dialect: str, rows: list[tuple[str, int]]) -> str:
    """INSERT into the log of the trigger rows r (NEW or OLD), reduced and with their facts,
    with their signs."""
    selects = " UNION ALL ".join(f"SELECT {', '.join(logged_columns(dialect, r))}, {sign}"
                                 for r, sign in rows)
    return f"INSERT INTO tally_changes ({', '.join(LOGGED)}, n) {selects}"


def logged_columns(dialect: str, r: str) -> list[str]:
    """The LOGGED columns of the finding row r."""
    return [*canonical(dialect, r), *[f"{r}.{name} AS {name}" for name in FACTS]]


def pending(dialect: str, top: str = "") -> str:
    """SELECT of the tally rows (TALLIED, then n) the log holds (up to id `top`, an SQL value)."""
    return expanded(dialect, logged_rows(top), "r.n")


def logged_rows(top: str = "") -> str:
    """SELECT of the log's rows (LOGGED, n), up to id `top` (an SQL value) if given."""
    where = f" WHERE id <= {top}" if top else ""
    return f"SELECT {', '.join(LOGGED)}, n FROM tally_changes{where}"


def insert_findings(dialect: str, where: str, sign: int, grouped: bool) -> str:
    """INSERT of what the findings f matching `where` add (sign 1) or take away (-1); grouped:
    alike rows counted together first, and the tally rows summed (the rebuild)."""
    columns = canonical(dialect, "f")
    if grouped:
        positions = ", ".join(str(i) for i in range(1, len(columns) + 1))
        reduced = (f"SELECT {', '.join(columns)}, {sign} * count(*) AS n FROM findings f "
                   f"WHERE {where} GROUP BY {positions}")
        rows = expanded(dialect, reduced, "r.n")
        keys = ", ".join(str(i) for i in range(1, len(TALLIED) + 1))
        body = f"SELECT {', '.join(TALLIED)}, sum(n) FROM ({rows}) AS t GROUP BY {keys}"
    else:
        body = expanded(dialect, f"SELECT {', '.join(columns)} FROM findings f WHERE {where}",
                        str(sign))
    return f"INSERT INTO finding_tallies ({', '.join(TALLIED)}, n) {body}"


_HOLDS = "EXISTS (SELECT 1 FROM findings WHERE unit_id = OLD.id)"  # the moved unit has findings


def triggers(dialect: str) -> list[str]:
    """The statements creating the triggers that keep the tallies with every findings write,
    and forget the clock when a unit holding findings moves (its findings' units above change:
    services.tallies rebuilds; a unit without findings moves freely)."""
    watched = ", ".join(WATCHED)
    if dialect != "postgresql":
        built = f"WHEN {CLOCK_DAY} IS NOT NULL"  # unset: nothing to keep until built
        return [
            f"CREATE TRIGGER findings_tally_insert AFTER INSERT ON findings {built} BEGIN "
            f"{logged(dialect, [('NEW', 1)])}; END",
            f"CREATE TRIGGER findings_tally_update AFTER UPDATE OF {watched} ON findings {built} "
            f"BEGIN {logged(dialect, [('OLD', -1), ('NEW', 1)])}; END",
            f"CREATE TRIGGER findings_tally_delete AFTER DELETE ON findings {built} BEGIN "
            f"{logged(dialect, [('OLD', -1)])}; END",
            "CREATE TRIGGER units_tally_moved AFTER UPDATE OF path ON units "
            f"WHEN OLD.path <> '' AND OLD.path <> NEW.path AND {_HOLDS} BEGIN "
            "UPDATE tally_clock SET day = NULL, cutoff = NULL; END",
        ]
    return [
        "CREATE FUNCTION rectify_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"PERFORM pg_advisory_xact_lock_shared({LOCK_KEY}); "
        f"IF {CLOCK_DAY} IS NULL THEN RETURN NULL; END IF; "
        f"IF TG_OP = 'UPDATE' THEN {logged(dialect, [('OLD', -1), ('NEW', 1)])}; "
        f"ELSIF TG_OP = 'INSERT' THEN {logged(dialect, [('NEW', 1)])}; "
        f"ELSE {logged(dialect, [('OLD', -1)])}; END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER findings_tally AFTER INSERT OR DELETE OR UPDATE OF {watched} "
        "ON findings FOR EACH ROW EXECUTE FUNCTION rectify_tally()",
        "CREATE FUNCTION rectify_tally_unit_moved() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF {_HOLDS} THEN UPDATE tally_clock SET day = NULL, cutoff = NULL; END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER units_tally_moved AFTER UPDATE OF path ON units FOR EACH ROW "
        "WHEN (OLD.path <> '' AND OLD.path IS DISTINCT FROM NEW.path) "
        "EXECUTE FUNCTION rectify_tally_unit_moved()",
    ]


def dropped(dialect: str) -> list[str]:
    """The statements removing what triggers() created."""
    if dialect != "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in (
            "findings_tally_insert", "findings_tally_update", "findings_tally_delete",
            "units_tally_moved")]
    return ["DROP TRIGGER IF EXISTS findings_tally ON findings",
            "DROP TRIGGER IF EXISTS units_tally_moved ON units",
            "DROP FUNCTION IF EXISTS rectify_tally()",
            "DROP FUNCTION IF EXISTS rectify_tally_unit_moved()"]
