"""The home list's window from the database (store/home_window.py) on SQLite and PostgreSQL:
the same rows, counts and positions as the list read whole and filtered in memory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from qa_tui.config import Settings
from qa_tui.framework.model import DEFAULT_GRADE_LABELS
from qa_tui.store.home_window import (
    HomeQuery,
    count,
    page,
    position,
    session_runner,
    text_values,
    totals,
    walk_page,
)
from qa_tui.store.queries import list_evaluations
from qa_tui.store.quicklist import FirstRead, quick_runner, quick_source
from qa_tui.tui.screens.home_rows import make_home_row, matching
from tests.unit.test_home_window import short_words

FILTERS = ["", "north", "good", "draft", "lcs-", "child prot", "demo", "⚠", "acknowledged", "zzz"]


def test_window_on_both_databases(
    make_db: Callable[[], str],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from qa_tui.demo import generate
    from qa_tui.store import home_window

    monkeypatch.setattr(home_window, "WALK_FIRST", 3)  # the walk: many steps of a few dates
    monkeypatch.setattr(home_window, "WALK_MOST", 6)
    from qa_tui.workspace import open_workspace

    ws = open_workspace(settings, make_db())
    try:
        generate(ws, 40, seed=5)
        every = ws.read(list_evaluations)
        rows = [
            make_home_row(r, DEFAULT_GRADE_LABELS.get(r.overall_grade, r.overall_grade))
            for r in every
        ]
        rows.sort(key=lambda r: (r.row.evaluation_date, r.row.id), reverse=True)
        dialect = ws.store.dialect

        def read(text: str, known: bool = False) -> tuple[list[str], int, list[int | None]]:
            def go(session: Session) -> tuple[list[str], int, list[int | None]]:
                run = session_runner(session)
                values = text_values(run) if known else None
                q = HomeQuery.of(
                    text,
                    "date",
                    True,
                    dialect=dialect,
                    grade_labels=DEFAULT_GRADE_LABELS,
                    known=values,
                )
                ids = [r.id for r in page(run, q, 0, 100)]
                if known:  # the walk to the first page (short words) finds the same rows
                    for limit in (100, 3):
                        walked = walk_page(run, q, limit)
                        assert [r.id for r in walked or []] == ids[:limit], (text, limit)
                return ids, count(run, q), [position(run, q, i) for i in ids[:3]]

            return ws.read(go)

        assert ws.read(lambda s: totals(session_runner(s))) == (40, 40)
        words = [
            every[0].case_reference.lower(),
            every[1].practitioner.lower().split()[-1],
            str(every[2].evaluation_date)[:7],
            "-1",
            *short_words(rows),
        ]
        for text, known in (*((t, False) for t in FILTERS), *((t, True) for t in FILTERS + words)):
            want = [r.row.id for r in matching(rows, text)]
            ids, n, at = read(text, known)
            assert (ids, n, at) == (want, len(want), list(range(min(3, len(want))))), text
        by_case = ws.read(
            lambda s: page(
                session_runner(s), HomeQuery(sort="case", reverse=False, dialect=dialect), 0, 100
            )
        )
        assert sorted(r.id for r in by_case) == sorted(r.id for r in every)
        assert {r.id: r for r in by_case} == {r.id: r for r in every}  # counts included
        # The start-up fast path (no SQLAlchemy: sqlite3, or psycopg) reads the same rows.
        source = quick_source(ws.store.url)
        assert source is not None
        opened = quick_runner(source)
        assert opened is not None
        run, close = opened
        try:
            for text in FILTERS:
                q = HomeQuery.of(
                    text, "date", True, dialect=dialect, grade_labels=DEFAULT_GRADE_LABELS
                )
                want = [r.row.id for r in matching(rows, text)]
                assert [r.id for r in page(run, q, 0, 100)] == want, text
                assert count(run, q) == len(want), text
            assert totals(run) == (40, 40)
        finally:
            close()
        # It knows a central database from a laptop's (the empty list's panel says so).
        from qa_tui.sync.central import init_central

        before = FirstRead(source, 100, 10).result()
        init_central(ws.store, tmp_path / "qa_key")
        after = FirstRead(source, 100, 10).result()
        assert before is not None and not before.central
        assert after is not None and after.central and after.counted == (40, 40)
    finally:
        ws.close()


def test_the_fast_path_declines_what_it_cannot_read() -> None:
    """No server there: None (the workspace then says what is wrong), promptly."""
    assert quick_runner("postgresql+psycopg://nobody@127.0.0.1:1/none") is None
    assert quick_source("mysql://h/db") is None
