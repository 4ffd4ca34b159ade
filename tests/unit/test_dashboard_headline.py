"""The dashboard's headline says what its grades chart shows: the weakest standard graded at
least MIN_N_RANKED times, or why none is named. It said "No standard was graded in this
period" above a chart of standards graded twice each."""

from __future__ import annotations

from qa_tui.reports import measures as m
from qa_tui.reports.dashboard import Bar, DashChart, headline_of


def _chart(*bars: Bar) -> DashChart:
    return DashChart("grades", "Grades by standard", bars, 1.0)


def _bar(label: str, share: float | None, n: int) -> Bar:
    text = "" if share is None else f"{share:.0%}"
    return Bar(label, label, share, text, n)


def test_no_grade_at_all() -> None:
    assert headline_of(_chart()) == "No standard was graded in this period."
    assert headline_of(_chart(_bar("purpose", None, 0))) == "No standard was graded in this period."


def test_standards_graded_but_too_few_times_to_rank() -> None:
    said = headline_of(_chart(_bar("purpose", 0.0, 2), _bar("record", 0.5, 3)))
    assert "No standard was graded" not in said
    assert f"none was graded {m.MIN_N_RANKED} times or more" in said
    assert "(the most, 3 times)" in said
    once = headline_of(_chart(_bar("purpose", 1.0, 1)))
    assert "(the most, once)" in once


def test_the_weakest_standard_graded_often_enough() -> None:
    chart = _chart(_bar("purpose", 0.0, 2), _bar("record", 0.4, m.MIN_N_RANKED))
    assert (
        headline_of(chart)
        == f"Weakest standard: record — 40% good or better (n = {m.MIN_N_RANKED})"
    )
