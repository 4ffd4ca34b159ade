"""The blind grades grouped by unit, kept by the database itself.

A *unit* is one item of one evaluation in one moderation session. ``blind_units`` has one row
per unit with a blind grade that counts — the grade not deleted, not empty, and its moderator
not removed from the session — holding those grades joined by ``SEP`` (``grades``) and the same
grades with who gave each, ``moderator id:grade`` (``graders``), in the same order.

The moderation report reads a year's units from here (``qa_tui.reports.moderation_units``):
grouping the year's blind grades at each report cost three times as much as reading them
grouped. The rows are derived, never written by qa-tui and never handed over: triggers on
``blind_grades`` and ``session_moderators`` recompute a unit whenever one of its grades, or a
moderator of its session, is inserted, updated or deleted — whoever writes them (the app, a
merge, a sync, retention), so the table cannot fall out of step with them. Each recomputation
finds the unit's grades through ``ix_blind_grades_report`` and a moderator by its id.

A moderator is removed from their session only: their id is derived from the session and
their name, and a change to their ``deleted`` recomputes the units of their grades in that
session. On PostgreSQL a recomputation first locks ``blind_units`` against other writers
(SHARE ROW EXCLUSIVE: readers never wait) until its transaction ends, so two transactions
writing blind grades at once recompute their units one after the other, the second seeing the
first's grades (READ COMMITTED); one lock a transaction, however many units it recomputes
(a lock per unit could fill the server's lock table in one merge). SQLite has one writer at a
time.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, String, Text

SEP = "\x1f"  # between the grades of a unit (never in an id or a grade id)


def table_columns() -> list[Column[Any]]:
    """The table's columns (the models' table and migration 0023 make it from these)."""
    return [
        Column("session_id", String(36), primary_key=True),
        Column("target_evaluation_id", String(36), primary_key=True),
        Column("item_id", String(100), primary_key=True),
        Column("grades", Text, nullable=False),
        Column("graders", Text, nullable=False),
    ]


# The blind grades that count (alias ``b``): not deleted, not empty, their moderator not removed.
_COUNTS = """
    NOT b.deleted AND b.grade != ''
    AND NOT EXISTS (SELECT 1 FROM session_moderators m WHERE m.id = b.moderator_id AND m.deleted)
"""

# --- SQLite -----------------------------------------------------------------------------------


def _sqlite_refresh(grades: str) -> str:
    """Statements recomputing every unit holding a blind grade ``grades`` selects (a condition
    on ``blind_grades``, alias ``u``)."""
    units = (
        f"SELECT u.session_id, u.target_evaluation_id, u.item_id FROM blind_grades u WHERE {grades}"
    )
    return f"""
    DELETE FROM blind_units WHERE (session_id, target_evaluation_id, item_id) IN ({units});
    INSERT INTO blind_units (session_id, target_evaluation_id, item_id, grades, graders)
        SELECT b.session_id, b.target_evaluation_id, b.item_id,
               group_concat(b.grade, char(31)),
               group_concat(b.moderator_id || ':' || b.grade, char(31))
        FROM blind_grades b
        WHERE (b.session_id, b.target_evaluation_id, b.item_id) IN ({units})
          AND {_COUNTS}
        GROUP BY b.session_id, b.target_evaluation_id, b.item_id;
    """


def _sqlite_unit(row: str) -> str:
    """The unit of the blind grade ``row`` (NEW or OLD), deleted from ``blind_units`` first
    even when none of its grades is left (the DELETE's subquery would find none)."""
    return f"""
    DELETE FROM blind_units WHERE session_id = {row}.session_id
        AND target_evaluation_id = {row}.target_evaluation_id AND item_id = {row}.item_id;
    INSERT INTO blind_units (session_id, target_evaluation_id, item_id, grades, graders)
        SELECT b.session_id, b.target_evaluation_id, b.item_id,
               group_concat(b.grade, char(31)),
               group_concat(b.moderator_id || ':' || b.grade, char(31))
        FROM blind_grades b
        WHERE b.session_id = {row}.session_id
          AND b.target_evaluation_id = {row}.target_evaluation_id
          AND b.item_id = {row}.item_id AND {_COUNTS}
        GROUP BY b.session_id, b.target_evaluation_id, b.item_id;
    """


_SAME_UNIT = (
    "OLD.session_id = NEW.session_id AND OLD.target_evaluation_id = NEW.target_evaluation_id "
    "AND OLD.item_id = NEW.item_id"
)


def _moderator(row: str) -> str:
    """The grades of the moderator ``row`` in their session."""
    return f"u.session_id = {row}.session_id AND u.moderator_id = {row}.id"


SQLITE_TRIGGERS = {
    "blind_units_grade_inserted": f"AFTER INSERT ON blind_grades BEGIN {_sqlite_unit('NEW')} END",
    "blind_units_grade_updated": f"AFTER UPDATE ON blind_grades BEGIN {_sqlite_unit('NEW')} END",
    "blind_units_grade_moved": f"AFTER UPDATE ON blind_grades WHEN NOT ({_SAME_UNIT}) "
    f"BEGIN {_sqlite_unit('OLD')} END",
    "blind_units_grade_deleted": f"AFTER DELETE ON blind_grades BEGIN {_sqlite_unit('OLD')} END",
    "blind_units_moderator_inserted": "AFTER INSERT ON session_moderators WHEN NEW.deleted "
    f"BEGIN {_sqlite_refresh(_moderator('NEW'))} END",
    "blind_units_moderator_updated": "AFTER UPDATE OF deleted, session_id ON session_moderators "
    f"BEGIN {_sqlite_refresh(_moderator('OLD'))} {_sqlite_refresh(_moderator('NEW'))} END",
    "blind_units_moderator_deleted": "AFTER DELETE ON session_moderators WHEN OLD.deleted "
    f"BEGIN {_sqlite_refresh(_moderator('OLD'))} END",
}

# --- PostgreSQL -------------------------------------------------------------------------------

_PG_REFRESH = """
CREATE FUNCTION blind_units_refresh(sid text, eid text, iid text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE blind_units IN SHARE ROW EXCLUSIVE MODE;
    DELETE FROM blind_units
        WHERE session_id = sid AND target_evaluation_id = eid AND item_id = iid;
    INSERT INTO blind_units (session_id, target_evaluation_id, item_id, grades, graders)
        SELECT b.session_id, b.target_evaluation_id, b.item_id,
               string_agg(b.grade, chr(31) ORDER BY b.moderator_id),
               string_agg(b.moderator_id || ':' || b.grade, chr(31) ORDER BY b.moderator_id)
        FROM blind_grades b
        WHERE b.session_id = sid AND b.target_evaluation_id = eid AND b.item_id = iid
          AND NOT b.deleted AND b.grade <> ''
          AND NOT EXISTS (
              SELECT 1 FROM session_moderators m WHERE m.id = b.moderator_id AND m.deleted)
        GROUP BY b.session_id, b.target_evaluation_id, b.item_id;
END $$
"""

_PG_GRADE = """
CREATE FUNCTION blind_units_grade() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM blind_units_refresh(OLD.session_id, OLD.target_evaluation_id, OLD.item_id);
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (OLD.session_id, OLD.target_evaluation_id,
            OLD.item_id) IS DISTINCT FROM (NEW.session_id, NEW.target_evaluation_id,
            NEW.item_id)) THEN
        PERFORM blind_units_refresh(NEW.session_id, NEW.target_evaluation_id, NEW.item_id);
    END IF;
    RETURN NULL;
END $$
"""


def _pg_moderator_units(row: str) -> str:
    """A loop recomputing the units holding a grade of the moderator ``row`` (OLD or NEW)."""
    return f"""
        FOR unit IN SELECT DISTINCT b.target_evaluation_id, b.item_id FROM blind_grades b
                WHERE b.session_id = {row}.session_id AND b.moderator_id = {row}.id LOOP
            PERFORM blind_units_refresh({row}.session_id, unit.target_evaluation_id, unit.item_id);
        END LOOP;"""


_PG_MODERATOR = f"""
CREATE FUNCTION blind_units_moderator() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unit record;
BEGIN
    IF TG_OP <> 'INSERT' THEN {_pg_moderator_units("OLD")}
    END IF;
    IF TG_OP <> 'DELETE' THEN {_pg_moderator_units("NEW")}
    END IF;
    RETURN NULL;
END $$
"""

PG_STATEMENTS = (
    _PG_REFRESH,
    _PG_GRADE,
    _PG_MODERATOR,
    "CREATE TRIGGER blind_units_grade AFTER INSERT OR UPDATE OR DELETE ON blind_grades "
    "FOR EACH ROW EXECUTE FUNCTION blind_units_grade()",
    "CREATE TRIGGER blind_units_moderator AFTER INSERT OR DELETE OR UPDATE OF deleted, "
    "session_id ON session_moderators FOR EACH ROW EXECUTE FUNCTION blind_units_moderator()",
)
PG_DROPS = (
    "DROP TRIGGER IF EXISTS blind_units_moderator ON session_moderators",
    "DROP TRIGGER IF EXISTS blind_units_grade ON blind_grades",
    "DROP FUNCTION IF EXISTS blind_units_moderator()",
    "DROP FUNCTION IF EXISTS blind_units_grade()",
    "DROP FUNCTION IF EXISTS blind_units_refresh(text, text, text)",
)


def create_triggers(connection: Connection) -> None:
    """The triggers that keep ``blind_units`` (the table exists)."""
    if connection.dialect.name == "postgresql":
        for statement in PG_STATEMENTS:
            connection.exec_driver_sql(statement)
        return
    for name, body in SQLITE_TRIGGERS.items():
        connection.exec_driver_sql(f"CREATE TRIGGER {name} {body}")


def drop_triggers(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for statement in PG_DROPS:
            connection.exec_driver_sql(statement)
        return
    for name in SQLITE_TRIGGERS:
        connection.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def fill(connection: Connection) -> None:
    """Every unit, from the blind grades as they are (an upgraded database; a new one has
    none)."""
    if connection.dialect.name == "postgresql":
        grades = "string_agg(b.grade, chr(31) ORDER BY b.moderator_id)"
        graders = "string_agg(b.moderator_id || ':' || b.grade, chr(31) ORDER BY b.moderator_id)"
    else:
        grades = "group_concat(b.grade, char(31))"
        graders = "group_concat(b.moderator_id || ':' || b.grade, char(31))"
    connection.exec_driver_sql(
        "INSERT INTO blind_units (session_id, target_evaluation_id, item_id, grades, graders) "
        f"SELECT b.session_id, b.target_evaluation_id, b.item_id, {grades}, {graders} "
        f"FROM blind_grades b WHERE {_COUNTS} "
        "GROUP BY b.session_id, b.target_evaluation_id, b.item_id"
    )
