"""The home list's window from the database filters, sorts and counts as the list in memory
does (every row read, matched and sorted in Python, as the laptop's list still does)."""

from __future__ import annotations

from typing import Any

from qa_tui.framework.model import DEFAULT_GRADE_LABELS
from qa_tui.store.home_window import (
    HomeQuery,
    count,
    longest,
    page,
    position,
    session_runner,
    sqlite_runner,
    text_values,
    totals,
    walk_page,
    walk_steps,
)
from qa_tui.store.queries import list_evaluations
from qa_tui.store.quicklist import sqlite_file
from qa_tui.tui.screens.home_rows import (
    COLUMN_INDEX,
    COLUMNS,
    HomeRow,
    make_home_row,
    matching,
    status_text,
)
from qa_tui.workspace import Workspace

FILTERS = [
    "",
    "loc",
    "north",
    "good",
    "draft",
    "lcs-2",
    "child prot",
    "demo",
    "⚠",
    "not shared",
    "acknowledged",
    "concern closed",
    "shared 2/4",
    "requires",
    "2026-",
    "zzz",
    "100%",
]
SORTS = [(key, reverse) for key in COLUMN_INDEX for reverse in (False, True)]


def _in_memory(rows: list[HomeRow], text: str, sort: str, reverse: bool) -> list[str]:
    rows = list(rows)
    sort_key = COLUMNS[COLUMN_INDEX[sort]].sort_key
    rows.sort(key=lambda r: (sort_key(r.row, r.grade), r.row.id), reverse=reverse)
    return [r.row.id for r in matching(rows, text)]


def test_window_equals_the_list_in_memory(workspace: Workspace) -> None:
    from qa_tui.demo import generate

    generate(workspace, 60, seed=5)
    path = sqlite_file(workspace.store.url)
    assert path is not None
    run, close = sqlite_runner(path)
    try:
        every = workspace.read(list_evaluations)
        rows = [
            make_home_row(row, DEFAULT_GRADE_LABELS.get(row.overall_grade, row.overall_grade))
            for row in every
        ]
        found = {text: len(matching(rows, text)) for text in FILTERS}
        assert all(found[t] for t in ("north", "⚠", "acknowledged", "concern closed", "2026-"))
        assert not found["zzz"] and 0 < found["north"] < 60
        assert totals(run) == (60, sum(r.demo for r in every))
        assert longest(run)["case_reference"] == max(len(r.case_reference) for r in every)
        # Also with the few-valued columns' values known (a word none holds is not looked
        # for there): the same rows, counts and positions, for words from every column.
        known = text_values(run)
        assert every[0].team in known["team"] and every[0].auditor in known["auditor"]
        assert {r.evaluation_date for r in every if r.evaluation_date} <= known["evaluation_date"]
        words = [
            every[0].case_reference.lower(),
            every[1].practitioner.lower().split()[-1],
            every[2].auditor.lower()[:4],
            every[3].service_area.lower()[-5:],
            (every[4].evaluation_date or "2026")[:7],
            "-1",
            "1999-0",
        ]
        for text, sort, reverse, values in (
            *((t, s, r, None) for t in FILTERS for s, r in SORTS),
            *((t, s, r, known) for t in FILTERS + words for s, r in SORTS),
        ):
            q = HomeQuery.of(text, sort, reverse, grade_labels=DEFAULT_GRADE_LABELS, known=values)
            expected = _in_memory(rows, text, sort, reverse)
            got = [r.id for r in page(run, q, 0, 1000)]
            assert got == expected, (text, sort, reverse)
            assert count(run, q) == len(expected)
            assert [r.id for r in page(run, q, 5, 7)] == expected[5:12]
            for n, evaluation_id in enumerate(expected[:3] + expected[-2:]):
                want = expected.index(evaluation_id)
                assert position(run, q, evaluation_id) == want, (text, sort, n)
                # Looked for among the first rows only (the rows before it counted so far).
                assert position(run, q, evaluation_id, 3) == (want if want < 3 else None)
            assert position(run, HomeQuery.of("zzz", "date", True), every[0].id) is None
        # The rows read are the list's rows, counts included, through either runner.
        by_id = {r.id: r for r in every}
        q = HomeQuery()
        assert all(by_id[r.id] == r for r in page(run, q, 0, 60))
        assert workspace.read(lambda s: page(session_runner(s), q, 0, 60)) == page(run, q, 0, 60)
    finally:
        close()


def test_the_line_under_a_large_list_groups_its_thousands() -> None:
    sort = ("date", True)
    assert status_text(100_000, 2_263, 0, sort, more=False).startswith(
        "Showing 2,263 of 100,000 evaluations"
    )
    assert status_text(100_000, 200, 0, sort, more=True).startswith("Showing 200+ of 100,000")
    assert status_text(20_000, 20_000, 1_500, sort).startswith(
        "20,000 evaluations (includes 1,500 demo)"
    )
    assert status_text(40, 40, 40, sort).startswith("40 evaluations (includes 40 demo)")


def short_words(rows: list[HomeRow]) -> list[str]:
    """One- and two-letter words the rows hold none of, and some that a few rows hold."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-#~"
    singles = list(alphabet)
    pairs = [a + b for a in alphabet for b in alphabet]

    def held(word: str) -> int:
        return len(matching(rows, word))

    none = [next(w for w in singles if not held(w)), next(w for w in pairs if not held(w))]
    few = [w for w in singles + pairs if 0 < held(w) < len(rows) // 4][:4]
    assert len(few) == 4 and any(len(w) == 1 for w in none + few)
    return none + few + [f"{few[0]} {none[1]}", f"{few[0]} {few[1]}"]


def test_the_walk_to_the_first_page_finds_the_rows_a_plain_read_does(
    workspace: Workspace, monkeypatch: Any
) -> None:
    """Short words (no index narrows them): the first page read a few dates at a time, in
    the list's order, is the plain filter's; the rows found so far are told while the page
    is not full; a stop ends the walk."""
    from qa_tui.demo import generate
    from qa_tui.store import home_window

    generate(workspace, 60, seed=5)
    monkeypatch.setattr(home_window, "WALK_FIRST", 3)  # many steps of a few dates each
    monkeypatch.setattr(home_window, "WALK_MOST", 8)
    path = sqlite_file(workspace.store.url)
    assert path is not None
    run, close = sqlite_runner(path)
    try:
        every = workspace.read(list_evaluations)
        rows = [
            make_home_row(row, DEFAULT_GRADE_LABELS.get(row.overall_grade, row.overall_grade))
            for row in every
        ]
        known = text_values(run)
        for text in [*short_words(rows), "", "north", "2026-", "zzz"]:
            for reverse in (True, False):
                q = HomeQuery.of(
                    text, "date", reverse, grade_labels=DEFAULT_GRADE_LABELS, known=known
                )
                steps = walk_steps(q)
                assert steps is not None and len(steps) > 3
                expected = _in_memory(rows, text, "date", reverse)
                for limit in (1000, 7):
                    told: list[list[str]] = []
                    found = walk_page(
                        run, q, limit, so_far=lambda r, told=told: told.append([x.id for x in r])
                    )
                    assert found is not None
                    assert [r.id for r in found] == expected[:limit], (text, reverse, limit)
                    assert all(t == expected[: len(t)] and len(t) < limit for t in told)
                    if text and not expected:  # a word none holds: told "none yet" at once
                        assert told and told[0] == []
        q = HomeQuery.of("zzz", "date", True, known=known)
        assert walk_page(run, q, 10, stopped=lambda: True) is None
        assert walk_steps(HomeQuery.of("zzz", "case", True, known=known)) is None
        assert walk_steps(HomeQuery.of("zzz", "date", True)) is None  # dates not read yet
    finally:
        close()
