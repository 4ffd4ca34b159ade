"""The blind grades grouped by unit (``blind_units``, migration 0023), kept by the database's
triggers, on both backends: equal at every step to the units worked out here from the blind
grades and the session moderators as they are — after the demo's sessions, a grade changed,
taken back, deleted, removed from the table, moved to another item, a moderator removed and
put back, a removed moderator's row deleted — and through migration 0023 both ways, the
moderation report the same before, after and back."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, inspect, text

from qa_tui.reports.moderation_units import AgreementFilter, _blind_units
from qa_tui.store.blind_units import SEP
from qa_tui.store.db import make_engine
from qa_tui.store.migrate import open_store
from tests.sync.test_migration_0015 import _report, _to, moderated_demo

Units = dict[tuple[str, str, str], list[tuple[str, str]]]


def _kept(connection: Connection) -> Units:
    """``blind_units`` as the database keeps it: each unit's (moderator, grade) pairs, with
    its two texts checked to hold the same grades in the same order."""
    out: Units = {}
    rows = connection.execute(
        text("SELECT session_id, target_evaluation_id, item_id, grades, graders FROM blind_units")
    )
    for sid, eid, item, grades, graders in rows:
        pairs = [(who, grade) for who, _, grade in (p.partition(":") for p in graders.split(SEP))]
        assert [grade for _who, grade in pairs] == grades.split(SEP), (grades, graders)
        out[(sid, eid, item)] = sorted(pairs)
    return out


def _worked_out(connection: Connection) -> Units:
    """The units from the blind grades that count: not deleted, not empty, their moderator
    not removed from the session (a moderator with no row counts)."""
    removed = {
        mid
        for mid, deleted in connection.execute(text("SELECT id, deleted FROM session_moderators"))
        if deleted
    }
    out: Units = {}
    rows = connection.execute(
        text(
            "SELECT session_id, target_evaluation_id, item_id, moderator_id, grade, deleted "
            "FROM blind_grades"
        )
    )
    for sid, eid, item, who, grade, deleted in rows:
        if not deleted and grade and who not in removed:
            out.setdefault((sid, eid, item), []).append((who, grade))
    return {key: sorted(pairs) for key, pairs in out.items()}


def _in_step(url: str) -> Units:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            kept, expected = _kept(connection), _worked_out(connection)
    finally:
        engine.dispose()
    assert kept == expected
    return kept


def _write(url: str, *statements: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def _one(url: str, sql: str) -> Any:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text(sql)).first()
    finally:
        engine.dispose()


def test_every_write_keeps_the_units_in_step(make_db: Callable[[], str], settings: Any) -> None:
    url, _made = moderated_demo(make_db, settings)
    units = _in_step(url)
    assert len(units) > 100 and any(len(pairs) >= 2 for pairs in units.values())
    many = max(units, key=lambda key: len(units[key]))  # a unit with several moderators
    sid, eid, item = many
    (gid, who) = _one(
        url,
        f"SELECT id, moderator_id FROM blind_grades WHERE session_id = '{sid}' "
        f"AND target_evaluation_id = '{eid}' AND item_id = '{item}' AND NOT deleted "
        "AND grade != '' ORDER BY id",
    )
    (other,) = _one(url, f"SELECT grade FROM blind_grades WHERE id != '{gid}' AND grade != ''")
    steps = [
        f"UPDATE blind_grades SET grade = 'outstanding' WHERE id = '{gid}'",  # changed
        f"UPDATE blind_grades SET grade = '{other}' WHERE id = '{gid}'",
        f"UPDATE blind_grades SET grade = '' WHERE id = '{gid}'",  # taken back
        f"UPDATE blind_grades SET grade = 'good', deleted = TRUE WHERE id = '{gid}'",
        f"UPDATE blind_grades SET deleted = FALSE WHERE id = '{gid}'",
        f"UPDATE blind_grades SET item_id = 'moved_item' WHERE id = '{gid}'",  # another unit
        f"UPDATE blind_grades SET item_id = '{item}' WHERE id = '{gid}'",
        f"UPDATE session_moderators SET deleted = TRUE WHERE id = '{who}'",  # removed
        f"UPDATE session_moderators SET deleted = FALSE WHERE id = '{who}'",  # put back
        f"UPDATE session_moderators SET deleted = TRUE WHERE id = '{who}'",
        f"DELETE FROM session_moderators WHERE id = '{who}'",  # no row: their grades count
        f"DELETE FROM blind_grades WHERE id = '{gid}'",
        f"DELETE FROM blind_grades WHERE session_id = '{sid}'",  # a whole session's
    ]
    seen = []
    for step in steps:
        _write(url, step)
        now = _in_step(url)
        seen.append(now.get(many, []))
    assert seen[0] != seen[1] and (who, "outstanding") in seen[0]  # each step showed
    assert who not in {w for w, _g in seen[2]}  # taken back: not a grade
    assert len(seen[7]) < len(units[many]) and who not in {w for w, _g in seen[7]}
    assert seen[8] == seen[6]  # put back: as before
    assert (who, "good") in seen[10]  # the moderator's row gone: their grades count again
    assert seen[12] == []
    assert not any(key[0] == sid for key in now)


def test_the_report_reads_the_units_by_their_session(sqlite_db: Callable[[], str]) -> None:
    """On SQLite the year's units are found by the first column of the table's key (no scan,
    no sort), and the triggers' statements find a unit's grades through the report index and
    a moderator by their id."""
    url = sqlite_db()
    open_store(url).dispose()
    flt = AgreementFilter(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    engine = make_engine(url)
    with engine.connect() as connection:
        sql = _blind_units(flt, who=True).compile(engine, compile_kwargs={"literal_binds": True})
        plan = _plan(connection, str(sql))
        assert "SEARCH blind_units USING PRIMARY KEY (session_id=?)" in plan, plan
        assert "SCAN blind_units" not in plan and "TEMP B-TREE" not in plan, plan
        unit = (
            "SELECT group_concat(b.grade) FROM blind_grades b WHERE b.session_id = 's' AND "
            "b.target_evaluation_id = 'e' AND b.item_id = 'i' AND NOT b.deleted AND "
            "b.grade != '' AND NOT EXISTS (SELECT 1 FROM session_moderators m "
            "WHERE m.id = b.moderator_id AND m.deleted)"
        )
        plan = _plan(connection, unit)
        assert "INDEX ix_blind_grades_report" in plan and "SCAN" not in plan, plan
        triggers = {
            name
            for (name,) in connection.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            )
        }
        assert {"blind_units_grade_inserted", "blind_units_moderator_updated"} <= triggers
    engine.dispose()


def _plan(connection: Connection, sql: str) -> str:
    rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
    return " / ".join(str(r[-1]) for r in rows)


def _has_units(url: str) -> bool:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return inspect(connection).has_table("blind_units")
    finally:
        engine.dispose()


def test_0023_fills_the_units_and_goes_both_ways(make_db: Callable[[], str], settings: Any) -> None:
    url, made = moderated_demo(make_db, settings)
    assert b'"blind_1"' in made  # the demo's sessions have blind grades
    units = _in_step(url)
    _to(url, "0022")  # as the qa-tui before 0023 made it
    assert not _has_units(url)
    assert _report(url) == made  # grouped from the blind grades
    _write(url, "UPDATE blind_grades SET grade = grade")  # no trigger is left behind
    open_store(url).dispose()  # upgrades: the units filled from the blind grades
    assert _in_step(url) == units
    assert _report(url) == made
    _to(url, "0022")
    assert not _has_units(url)
    _write(url, "UPDATE session_moderators SET deleted = deleted")
    assert _report(url) == made


def test_two_transactions_grading_one_unit_at_once_both_count(pg_url: str) -> None:
    """PostgreSQL: a second transaction writing a blind grade of a unit another has just
    graded waits for it (the triggers lock blind_units against other writers), then sees its
    grade: both count, and neither transaction fails (without the lock the second one's unit
    row collided with the first's when it committed)."""
    grade = (
        "INSERT INTO blind_grades (id, deleted, session_id, moderator_id, target_evaluation_id, "
        "item_id, grade) VALUES (:id, FALSE, 's1', :who, 'e1', 'planning', :grade)"
    )
    open_store(pg_url).dispose()  # migrated: the tables and their triggers
    engine = make_engine(pg_url)
    failed: list[BaseException] = []

    def second() -> None:
        try:
            with engine.begin() as connection:
                connection.execute(text(grade), {"id": "g2", "who": "m2", "grade": "good"})
        except BaseException as exc:  # reported by the test below
            failed.append(exc)

    try:
        with engine.connect() as first:
            with first.begin():
                first.execute(text(grade), {"id": "g1", "who": "m1", "grade": "inadequate"})
                other = threading.Thread(target=second)
                other.start()
                other.join(1.0)
                assert other.is_alive()  # waiting for the first to end
            other.join(30)
        assert not other.is_alive() and failed == []
        with engine.connect() as connection:
            assert _kept(connection) == {
                ("s1", "e1", "planning"): [("m1", "inadequate"), ("m2", "good")]
            }
    finally:
        engine.dispose()
