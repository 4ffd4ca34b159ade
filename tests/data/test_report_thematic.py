"""The thematic report (the board paper of a thematic evaluation), on a demo database with a
thematic evaluation whose cases were evaluated.

Its figures are recomputed here from the tidy data (``qa-tui data --format csv``: the
evaluations and their ratings) and from the plan's allocations read with the sqlite3 module —
never the report code; its HTML escapes hostile findings and fetches nothing; a plan with no
findings yet says so; the period lists every thematic evaluation in it.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qa_tui.cli import main

HOSTILE = '<script>alert(1)</script> <img src="http://evil.example/p.png"> =HYPERLINK("x")'


def run(*args: str, code: int = 0) -> str:
    done = CliRunner().invoke(main, list(args))
    assert done.exit_code == code, done.output
    return done.output


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home = tmp_path_factory.mktemp("thematic")
    with pytest.MonkeyPatch.context() as patch:
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            patch.setenv(var, str(home / var.lower()))
        patch.setenv("HOME", str(home))
        path = home / "t.db"
        url = f"sqlite:///{path.as_posix()}"
        run("demo", "--db", url, "--evaluations", "80", "--seed", "9")
        plan = _thematic(url)
        bare = run("plan", "new", "--db", url, "--kind", "thematic", "--title", "Bare theme",
                   "--date", "2026-03-01").strip()  # fmt: skip
        day = run("plan", "new", "--db", url, "--kind", "practice_day", "--title", "A day",
                  "--date", "2026-03-02").strip()  # fmt: skip
        run("data", "--db", url, "--format", "csv", "--out", str(home / "data"))
        yield {"url": url, "path": path, "home": home, "plan": plan, "bare": bare, "day": day}


def _thematic(url: str) -> str:
    """A thematic evaluation of twelve demo cases (some completed, some drafts), with terms
    of reference, hostile findings and a systemic action linked to it."""
    from sqlalchemy import select

    from qa_tui.config import load_settings
    from qa_tui.domain import board, plans
    from qa_tui.domain.record_writes import set_fields
    from qa_tui.store import models
    from qa_tui.workspace import open_workspace

    ws = open_workspace(load_settings(), url)
    try:
        with ws.store.session() as session:
            e = models.Evaluation
            done = session.scalars(
                select(e).where(e.status == "completed").order_by(e.id).limit(9)
            ).all()
            draft = session.scalars(
                select(e).where(e.status != "completed").order_by(e.id).limit(1)
            ).all()
            plan = plans.create_plan(
                session, ws.actor, "thematic", "Drift in CP plans", "2026-02-01", "2026-04-30"
            )
            plans.update_plan(
                session,
                ws.actor,
                plan,
                **{name: f"{label} text" for name, label in plans.TERMS.items()},
                findings_strengths="Plans are reviewed on time\nChildren are seen alone",
                findings_barriers=HOSTILE,
            )
            refs = [x.case_reference for x in (*done, *draft)] + ["LCS-900001", "LCS-900002"]
            cases = [plans.PlannedCase(r) for r in dict.fromkeys(refs)]
            ids = plans.add_cases(session, ws.actor, plan, cases, r".+")
            for evaluation, allocation in zip((*done, *draft), ids, strict=False):
                set_fields(
                    session,
                    ws.actor,
                    "allocation",
                    allocation,
                    {"reviewer": evaluation.auditor, "started_evaluation_id": evaluation.id},
                )
            set_fields(session, ws.actor, "allocation", ids[-1], {"reviewer": "Sam Roe"})
            board.add_action(
                session, ws.actor, f"Review drift {HOSTILE}", "Head of service", "2026-06-30", plan
            )
        return plan
    finally:
        ws.close()


def _tidy(home: Path) -> dict[str, list[dict[str, str]]]:
    out = {}
    for path in (home / "data").glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            out[path.stem] = list(csv.DictReader(handle))
    return out


def _report(fixture_db: dict[str, Any], fmt: str, *extra: str) -> Path:
    out = fixture_db["home"] / f"thematic-{len(extra)}-{extra[-1][:8]}.{fmt}"
    run("report", "thematic", "--db", fixture_db["url"], *extra, "--format", fmt, "--out", str(out))
    return out


def test_figures_recomputed_from_tidy_data(fixture_db: dict[str, Any]) -> None:
    made = json.loads(_report(fixture_db, "json", "--plan", fixture_db["plan"]).read_text())
    with sqlite3.connect(fixture_db["path"]) as db:
        started = {
            ref: eid
            for ref, eid in db.execute(
                "SELECT case_reference, started_evaluation_id FROM allocations "
                "WHERE plan_id = ? AND NOT deleted",
                (fixture_db["plan"],),
            )
        }
    data = _tidy(fixture_db["home"])
    evaluations = {e["evaluation_id"]: e for e in data["evaluations"]}
    completed = {eid for eid in started.values() if evaluations.get(eid, {}).get("status") == (
        "completed")}  # fmt: skip
    figures = {f["label"]: f for f in made["figures"]}
    assert figures["Cases"]["value"] == len(started) == figures["Cases"]["n"]
    assert figures["Evaluations started"]["value"] == sum(1 for e in started.values() if e)
    assert figures["Evaluations completed"]["value"] == len(completed) == 9
    # Grades per standard: the completed evaluations' ratings, counted again.
    counts: dict[str, Counter[str]] = {}
    good: Counter[str] = Counter()
    for r in data["ratings"]:
        if r["evaluation_id"] in completed:
            counts.setdefault(r["standard_id"], Counter())[r["grade"]] += 1
            good[r["standard_id"]] += r["good_or_better"] == "true"
    overall: Counter[str] = Counter(evaluations[e]["overall_grade"] for e in completed)
    counts["overall"] = overall
    good["overall"] = sum(evaluations[e]["overall_good_or_better"] == "true" for e in completed)
    table = {r["standard_id"]: r for r in made["tables"]["grades_by_standard"]["rows"]}
    assert set(table) == set(counts)
    for key, found in counts.items():
        graded = sum(n for g, n in found.items() if g != "not_applicable")
        assert table[key]["n_graded"] == graded, key
        for grade, n in found.items():
            assert table[key][f"n_{grade}"] == n, (key, grade)
        share = good[key] / graded if graded else None
        assert table[key]["share_good_or_better"] == pytest.approx(share), key
    assert figures["Overall judgement good or better"]["n"] == sum(
        n for g, n in overall.items() if g != "not_applicable"
    )
    progress = {r["progress"]: r["cases"] for r in made["tables"]["progress"]["rows"]}
    assert progress["Completed"] + progress["Shared"] == len(completed)
    assert progress["Not allocated"] == 1 and progress["Started"] == 1
    actions = made["tables"]["board_actions"]["rows"]
    assert [a["owner"] for a in actions] == ["Head of service"]
    findings = made["tables"]["findings"]["rows"]
    assert [f["text"] for f in findings if f["heading"] == "Strengths"] == [
        "Plans are reviewed on time",
        "Children are seen alone",
    ]


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_escapes_the_findings_and_fetches_nothing(fixture_db: dict[str, Any]) -> None:
    page = _report(fixture_db, "html", "--plan", fixture_db["plan"]).read_text(encoding="utf-8")
    parsed = _Page()
    parsed.feed(page)
    assert not {"script", "img", "link", "iframe", "object"} & set(parsed.tags)
    for name, value in parsed.attrs:
        if name != "xmlns":
            assert not (value or "").lower().startswith(("http:", "https:", "//", "file:"))
    assert "@import" not in page and "url(" not in page
    text = "".join(parsed.text)
    assert HOSTILE in text and f"Review drift {HOSTILE}" in text  # shown as text
    for heading in ("Terms of reference", "Findings", "Systemic actions for the board"):
        assert heading in text
    assert "Why commissioned, and why now text" in text
    assert "1 of 1 systemic actions still open." in text


def test_a_plan_with_no_findings_says_so(fixture_db: dict[str, Any]) -> None:
    text = _report(fixture_db, "md", "--plan", fixture_db["bare"]).read_text(encoding="utf-8")
    assert "> Bare theme: no findings recorded yet." in text
    assert "No findings have been recorded yet." in text
    assert "Terms of reference not written: Why commissioned, and why now" in text
    assert "No case has been put on it yet." in text
    assert "No evaluation of this thematic evaluation is completed yet." in text


def test_the_period_lists_every_thematic_evaluation(fixture_db: dict[str, Any]) -> None:
    made = json.loads(_report(fixture_db, "json", "--period", "2026-Q1").read_text())
    titles = [r["title"] for r in made["tables"]["thematic_evaluations"]["rows"]]
    assert titles == ["Drift in CP plans", "Bare theme"]  # by date; not the practice day
    assert "grades_by_standard_1" in made["tables"] and "findings_2" in made["tables"]
    empty = json.loads(_report(fixture_db, "json", "--period", "2025-07").read_text())
    assert empty["notes"][0] == "No thematic evaluation is planned in July 2025."


def test_bad_requests_are_one_line(fixture_db: dict[str, Any], tmp_path: Path) -> None:
    url, out = fixture_db["url"], str(tmp_path / "x.md")
    said = run("report", "thematic", "--db", url, "--plan", fixture_db["day"], "--format", "md",
               "--out", out, code=1)  # fmt: skip
    assert "is not a thematic evaluation" in said and len(said.strip().splitlines()) == 1
    said = run("report", "monthly", "--db", url, "--plan", fixture_db["plan"], "--format", "md",
               "--out", out, code=1)  # fmt: skip
    assert "only the thematic report" in said
    said = run("report", "thematic", "--db", url, "--plan", "nope", "--format", "md",
               "--out", out, code=1)  # fmt: skip
    assert "No plan with id nope" in said
