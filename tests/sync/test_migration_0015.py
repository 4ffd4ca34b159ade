"""Migration 0015 (the blind grades' report index) on both backends: a database with
moderation sessions and blind grades, taken back to 0011 as the qa-tui before it made it, gives
the same moderation report there, after the upgrade (whose blind grades, grouped from
blind_grades as a database before 0023 has them, are read through the new index, in its order,
with no sort on SQLite) and after a downgrade back to 0011."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from alembic import command
from sqlalchemy import inspect

from qa_tui.reports import kinds
from qa_tui.reports.model import ReportQuery
from qa_tui.reports.moderation_units import AgreementFilter, _blind_grouped
from qa_tui.reports.period import parse_period
from qa_tui.reports.render import render
from qa_tui.store.db import make_engine
from qa_tui.store.migrate import alembic_config, current_revision, head_revision, open_store
from qa_tui.workspace import open_workspace
from tests.conftest import frozen_clock

NEW, OLD = "ix_blind_grades_report", "ix_blind_grades_session_id"


def _report(url: str) -> bytes:
    store = open_store(url, create=False, migrate=False)
    try:
        query = ReportQuery(parse_period("2026"))
        made = kinds.build(store, "moderation", query, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
        return render(made, "json")
    finally:
        store.dispose()


def _indexes(url: str) -> set[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        names = {i["name"] for i in inspect(connection).get_indexes("blind_grades")}
        revision = current_revision(connection)
    engine.dispose()
    return {*names, f"at {revision}"}


def _to(url: str, revision: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)
    engine.dispose()


def _blind_plan(url: str) -> str:
    store = open_store(url, create=False, migrate=False)
    try:
        with store.reading() as connection:
            flt = AgreementFilter(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
            sql = _blind_grouped(connection, flt, who=True).compile(
                store.engine, compile_kwargs={"literal_binds": True}
            )
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}").all()
        return " / ".join(str(r[-1]) for r in rows)
    finally:
        store.dispose()


def demo_database(make_db: Callable[[], str], settings: Any) -> str:
    """A fresh database of 40 demo evaluations (moderation sessions with blind grades among
    them): its url."""
    from qa_tui.demo import generate

    url = make_db()
    ws = open_workspace(settings, url, clock=frozen_clock)
    generate(ws, 40, 1)
    ws.close()
    return url


def moderated_demo(make_db: Callable[[], str], settings: Any) -> tuple[str, bytes]:
    """A fresh database of 40 demo evaluations and its moderation report for 2026, as JSON."""
    url = demo_database(make_db, settings)
    return url, _report(url)


def test_0015_keeps_the_report_and_goes_both_ways(
    make_db: Callable[[], str], settings: Any
) -> None:
    url, made = moderated_demo(make_db, settings)
    assert b'"blind_1"' in made  # the demo's sessions have blind grades
    _to(url, "0011")  # as the qa-tui before 0015 made it
    assert OLD in _indexes(url) and NEW not in _indexes(url) and "at 0011" in _indexes(url)
    assert _report(url) == made
    open_store(url).dispose()  # upgrades
    assert (
        NEW in _indexes(url)
        and OLD not in _indexes(url)
        and f"at {head_revision()}" in _indexes(url)
    )
    assert _report(url) == made
    if url.startswith("sqlite"):
        plan = _blind_plan(url)
        assert f"COVERING INDEX {NEW}" in plan and "TEMP B-TREE" not in plan, plan
    _to(url, "0011")
    assert OLD in _indexes(url) and NEW not in _indexes(url)
    assert _report(url) == made
