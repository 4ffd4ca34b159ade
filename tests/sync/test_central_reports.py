"""A central database filled by merges alone reports what the laptops' own databases report.

Bundles from a qa-tui before template texts travelled with them carry none, so a database
filled by those keeps none (tests/sync/test_template_texts.py: bundles now carry them). Its
reports read the words and grading scale of the built-in templates (and their previous
versions) from qa-tui itself: before, the monthly report of such a central database said
"Overall judgement good or better: 0%" where the laptop it came from said 68%, and named
every standard by its id.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from qa_tui.reports.dashboard import dashboard
from qa_tui.reports.model import ReportQuery
from qa_tui.reports.period import parse_period
from qa_tui.store import models
from qa_tui.store.migrate import open_store
from tests.sync.test_demo_handover import Laptop, _desk

SAME = ("kind", "title", "period", "filters", "notes", "figures", "tables")


def _prompts() -> set[str]:
    """The words of every item of every template qa-tui ships."""
    from qa_tui.framework.loader import builtin_templates, previous_templates

    return {
        item.prompt
        for template in (*builtin_templates(), *previous_templates())
        for section in template.sections
        for item in section.items
    }


def _report(machine: Laptop, db: str, kind: str, period: str, out: Path, *more: str) -> Any:
    machine.run(
        "report", kind, "--db", db, "--period", period, *more, "--format", "json", "--out", str(out)
    )
    made = json.loads(out.read_text(encoding="utf-8"))
    return {key: made[key] for key in SAME}


def test_a_central_database_filled_by_merges_reports_what_the_laptop_reports(
    tmp_path: Path, make_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("qa_tui.sync.handover.used_by", lambda session, ids: [])  # no texts
    laptop = Laptop(tmp_path, "one")
    laptop.run("demo", "--db", laptop.db, "--evaluations", "30", "--seed", "5")
    central = make_db()
    desk, key = _desk(tmp_path, central, laptop)
    bundle = tmp_path / "one.qab"
    laptop.out(
        "export", "--db", laptop.db, "--to", f"{key}.pub", "--out", str(bundle), "--include-demo"
    )
    desk.run("merge", "--into", central, "--key", str(key), "--include-demo", str(bundle))

    store = open_store(central, create=False)
    try:
        with store.reader() as session:  # what this test is about: no template text there
            assert session.scalar(select(func.count()).select_from(models.TemplateSnapshot)) == 0
            year = dt.date.today().year
            query = ReportQuery(parse_period(f"{year - 1}-01-01..{year}-12-31"))
            board = dashboard(session, query)
    finally:
        store.dispose()
    assert board.headline.startswith("Weakest standard: "), board.headline
    labels = [bar.label for bar in board.chart("grades").bars]
    assert labels and set(labels) <= _prompts(), labels  # the items' words, not their ids

    period = f"{dt.date.today().year - 1}-01-01..{dt.date.today().year}-12-31"
    made = {}
    for kind in ("monthly", "quarterly"):
        mine = _report(laptop, laptop.db, kind, period, tmp_path / f"{kind}-laptop.json")
        theirs = _report(desk, central, kind, period, tmp_path / f"{kind}-central.json")
        assert theirs == mine, kind
        made[kind] = mine
    figures = {f["label"]: f for f in made["monthly"]["figures"]}
    assert figures["Overall judgement good or better"]["value"] > 0  # some cases graded good
    assert figures["Weakest standard"]["note"] in _prompts()
