"""Every report's figures against an independent calculation from the tidy data.

A fixed demo database is exported with ``qa-tui data --format csv``; the figures are then
recomputed here in plain Python from the CSV files — the csv module, dictionaries and sums,
never the report code or SQL — and compared with the report's JSON, table by table. If a
report's SQL and this arithmetic disagree, one of them misreads the rules in docs/data.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

TODAY = dt.date(2026, 11, 20)  # the demo's "today"
COUNT, SEED = 700, 5


# --- the fixed demo database and its tidy data ----------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home = tmp_path_factory.mktemp("figures")
    with pytest.MonkeyPatch.context() as patch:
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            patch.setenv(var, str(home / var.lower()))
        patch.setenv("HOME", str(home))
        from qa_tui.cli import main

        url = f"sqlite:///{(home / 'demo.db').as_posix()}"
        runner = CliRunner()
        made = runner.invoke(
            main, ["demo", "--db", url, "--evaluations", str(COUNT), "--seed", str(SEED)]
        )
        assert made.exit_code == 0, made.output
        done = runner.invoke(
            main, ["data", "--db", url, "--format", "csv", "--out", str(home / "data")]
        )
        assert done.exit_code == 0, done.output
        yield {"url": url, "data": _read(home / "data"), "home": home}


def _read(folder: Path) -> dict[str, list[dict[str, str]]]:
    out = {}
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            out[path.stem] = list(csv.DictReader(handle))
    return out


def report(demo: dict[str, Any], kind: str, period: str, **filters: str) -> dict[str, Any]:
    from qa_tui.reports.kinds import build
    from qa_tui.reports.model import ReportQuery
    from qa_tui.reports.period import parse_period
    from qa_tui.reports.render.tables import report_data
    from qa_tui.store.migrate import open_store

    store = open_store(demo["url"], create=False)
    try:
        made = build(store, kind, ReportQuery(parse_period(period), today=TODAY, **filters))
    finally:
        store.dispose()
    return json.loads(json.dumps(report_data(made)))


def rows(data: dict[str, Any], table: str) -> list[dict[str, Any]]:
    return data["tables"][table]["rows"]


def figure(data: dict[str, Any], label: str) -> dict[str, Any]:
    return next(f for f in data["figures"] if f["label"] == label)


# --- the rules, written again from docs/data.md -----------------------------------------------


def day(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def span(text: str) -> tuple[dt.date, dt.date]:
    from qa_tui.reports.period import parse_period

    p = parse_period(text)
    return p.start, p.end


def previous(text: str) -> tuple[dt.date, dt.date]:
    from qa_tui.reports.period import parse_period

    p = parse_period(text).previous()
    return p.start, p.end


def chosen(
    data: dict[str, list[dict[str, str]]],
    start: dt.date,
    end: dt.date,
    completed: bool = True,
    **filters: str,
) -> dict[str, dict[str, str]]:
    out = {}
    for e in data["evaluations"]:
        when = day(e["evaluation_date"])
        if when is None or not start <= when <= end:
            continue
        if completed and e["status"] != "completed":
            continue
        if any(e[k] != v for k, v in filters.items()):
            continue
        out[e["evaluation_id"]] = e
    return out


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def close(a: float | None, b: float | None, places: int = 4) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 10**-places


# --- monthly -----------------------------------------------------------------------------------

PERIOD = "2026-09"


def test_monthly_activity(demo: dict[str, Any]) -> None:
    data, made = demo["data"], report(demo, "monthly", PERIOD)
    evals = chosen(data, *span(PERIOD))
    by_type = Counter(e["evaluation_type"] for e in evals.values())
    assert figure(made, "Evaluations completed")["value"] == len(evals) > 30
    types = {r["type"]: r["completed"] for r in rows(made, "completed_by_type")}
    from qa_tui.vocab import EVALUATION_TYPES

    assert types == {EVALUATION_TYPES[k]: v for k, v in by_type.items()}
    every = chosen(data, *span(PERIOD), completed=False)
    teams: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for e in every.values():
        teams[(e["service_area"], e["team"])][0 if e["status"] == "completed" else 1] += 1
    got = {
        (r["service_area"], r["team"]): [r["completed"], r["in_progress"]]
        for r in rows(made, "completed_by_team")
    }
    assert got == dict(teams)


def test_every_report_says_how_many_demo_evaluations_it_includes(demo: dict[str, Any]) -> None:
    every = chosen(demo["data"], *span(PERIOD), completed=False)
    assert every and all(e["demo"] in ("1", "true", "True") for e in every.values())
    said = f"Includes {len(every):,} demo evaluations (fictional data)."
    for kind in ("monthly", "quarterly", "actions", "coverage", "moderation"):
        assert said in report(demo, kind, PERIOD)["notes"], kind
    area, team = next((e["service_area"], e["team"]) for e in every.values())
    in_team = sum(1 for e in every.values() if e["team"] == team and e["service_area"] == area)
    of_team = report(demo, "team", PERIOD, service_area=area, team=team)["notes"]
    assert f"Includes {in_team:,} demo evaluation" in " ".join(of_team)


def _grades(
    data: dict[str, list[dict[str, str]]], evals: dict[str, dict[str, str]]
) -> dict[str, tuple[Counter[str], int, int]]:
    out: dict[str, tuple[Counter[str], int, int]] = {}
    for r in data["ratings"]:
        if r["evaluation_id"] not in evals:
            continue
        counts, graded, good = out.get(r["standard_id"], (Counter(), 0, 0))
        counts[r["grade"]] += 1
        if r["grade"] != "not_applicable":
            graded += 1
            good += r["good_or_better"] == "true"
        out[r["standard_id"]] = (counts, graded, good)
    overall: Counter[str] = Counter()
    graded = good = 0
    for e in evals.values():
        if e["overall_grade"]:
            overall[e["overall_grade"]] += 1
            graded += e["overall_grade"] != "not_applicable"
            good += e["overall_good_or_better"] == "true"
    out["overall"] = (overall, graded, good)
    return out


def test_monthly_grades_per_standard_and_the_change(demo: dict[str, Any]) -> None:
    data, made = demo["data"], report(demo, "monthly", PERIOD)
    now = _grades(data, chosen(data, *span(PERIOD)))
    before = _grades(data, chosen(data, *previous(PERIOD)))
    table = {r["standard_id"]: r for r in rows(made, "grades_by_standard")}
    assert set(table) == set(now)
    # The examples' marks (seen / not seen) are not grades: never a standard of a report.
    examples = {r["prompt_id"] for r in data["prompt_marks"]}
    assert examples and not examples & set(table)
    assert {r["grade"] for r in data["ratings"]} <= {
        "outstanding",
        "good",
        "requires_improvement",
        "inadequate",
        "not_applicable",
    }
    assert {r["mark"] for r in data["prompt_marks"]} <= {"seen", "not_seen", "not_applicable"}
    for key, (counts, graded, good) in now.items():
        row = table[key]
        for grade in (
            "outstanding",
            "good",
            "requires_improvement",
            "inadequate",
            "not_applicable",
        ):
            assert row[f"n_{grade}"] == counts.get(grade, 0), (key, grade)
        assert row["n_graded"] == graded
        assert close(row["share_good_or_better"], share(good, graded))
        _c, b_graded, b_good = before.get(key, (Counter(), 0, 0))
        assert close(row["previous_share"], share(b_good, b_graded))
        if row["change_points"] is not None:
            expected = (share(good, graded) - share(b_good, b_graded)) * 100
            assert abs(row["change_points"] - expected) < 0.06
    ranked = sorted((v[2] / v[1], -v[1], k) for k, v in now.items() if k != "overall" and v[1] >= 5)
    weakest = figure(made, "Weakest standard")
    assert close(weakest["value"], ranked[0][0]) and weakest["n"] == -ranked[0][1]


def _scales(
    data: dict[str, list[dict[str, str]]], evals: dict[str, dict[str, str]]
) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for s in data["scaling"]:
        if s["evaluation_id"] in evals and s["score"] != "":
            out[s["question"]].append(int(s["score"]))
    return out


def test_monthly_scaling(demo: dict[str, Any]) -> None:
    data, made = demo["data"], report(demo, "monthly", PERIOD)
    now = _scales(data, chosen(data, *span(PERIOD)))
    before = _scales(data, chosen(data, *previous(PERIOD)))
    table = {r["scaling_question"]: r for r in rows(made, "scaling")}
    assert set(table) == set(now)
    for question, scores in now.items():
        row = table[question]
        mean = sum(scores) / len(scores)
        sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))
        ordered = sorted(scores)
        assert row["n"] == len(scores)
        assert close(row["mean"], round(mean, 2), 6) and close(row["sd"], round(sd, 2), 6)
        assert row["min"] == ordered[0] and row["max"] == ordered[-1]
        assert row["median"] == ordered[math.ceil(0.5 * len(ordered)) - 1]
        assert row["q1"] == ordered[math.ceil(0.25 * len(ordered)) - 1]
        earlier = before.get(question)
        assert close(
            row["previous_mean"], round(sum(earlier) / len(earlier), 2) if earlier else None, 6
        )
    every = [s for scores in now.values() for s in scores]
    assert figure(made, "Mean scale, every scaling question")["n"] == len(every)
    hist = {r["scale"]: r["n"] for r in rows(made, "scaling_distribution")}
    assert hist == {str(s): every.count(s) for s in range(11)}


def test_monthly_concerns_actions_and_moderation(demo: dict[str, Any]) -> None:
    data, made = demo["data"], report(demo, "monthly", PERIOD)
    every = chosen(data, *span(PERIOD), completed=False)
    # The lifecycle, worked out again from the shares and events themselves.
    four = {"practitioner", "team_manager", "service_manager", "director_social_care"}

    def lifecycle(evaluation_id: str) -> str:
        kinds = {e["kind"] for e in data["concern_events"] if e["evaluation_id"] == evaluation_id}
        roles = {
            s["recipient_role"]
            for s in data["concern_shares"]
            if s["evaluation_id"] == evaluation_id
            and s["shared_on"]
            and s["recipient_role"] in four
        }
        if "closed" in kinds:
            return "closed"
        if "acknowledged" in kinds:
            return "acknowledged"
        return "shared" if roles == four else "partly_shared" if roles else "not_shared"

    raised = [c["evaluation_id"] for c in data["concerns"] if c["evaluation_id"] in every]
    statuses = Counter(lifecycle(evaluation_id) for evaluation_id in raised)
    labels = {
        "not_shared": "Raised, notice not yet shared",
        "partly_shared": "Notice shared with some of the four",
        "shared": "Notice shared with all four, not yet acknowledged",
        "acknowledged": "Acknowledged",
        "closed": "Closed",
    }
    assert {r["status"]: r["evaluations"] for r in rows(made, "concerns_by_status")} == {
        labels[k]: statuses.get(k, 0) for k in labels
    }
    start, end = span(PERIOD)
    live = {e["evaluation_id"] for e in data["evaluations"]}
    acts = [a for a in data["actions"] if a["evaluation_id"] in live]
    opened = sum(1 for a in acts if start <= day(a["opened_on"]) <= end)
    completed = sum(
        1
        for a in acts
        if a["status"] == "done" and a["completed_on"] and start <= day(a["completed_on"]) <= end
    )
    open_now = [a for a in acts if a["status"] in ("open", "in_progress")]
    overdue = sum(1 for a in open_now if a["due_date"] and day(a["due_date"]) < TODAY)
    assert figure(made, "Actions agreed in the period")["value"] == opened
    assert figure(made, "Actions completed in the period")["value"] == completed
    assert figure(made, "Actions open today")["value"] == len(open_now)
    assert figure(made, "Overdue today")["value"] == overdue > 0
    when = {m["moderation_id"]: day(m["moderated_on"]) for m in data["moderations"]}
    judged = [
        j
        for j in data["moderation_judgements"]
        if j["moderated_grade"] and start <= when[j["moderation_id"]] <= end
    ]
    kinds = Counter(j["agreement"] for j in judged)
    row = rows(made, "moderation_agreement")[0]
    assert (row["n"], row["agree"], row["higher"], row["lower"]) == (
        len(judged),
        kinds["agree"],
        kinds["higher"],
        kinds["lower"],
    )
    assert len(judged) > 20


def _expected_managers(
    data: dict[str, list[dict[str, str]]], end: dt.date
) -> dict[str, Counter[str]]:
    areas: dict[str, Counter[str]] = defaultdict(Counter)
    for e in data["evaluations"]:
        when = day(e["evaluation_date"])
        if e["auditor"] and when and end - dt.timedelta(days=365) < when <= end:
            areas[e["auditor"]][e["service_area"]] += 1
    return areas


def test_monthly_expectation_and_coverage(demo: dict[str, Any]) -> None:
    data = demo["data"]
    start, end = span("2026-Q3")
    managers = _expected_managers(data, end)
    own = {
        name: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
        for name, c in managers.items()
    }
    collaborative = [
        e for e in chosen(data, start, end).values() if e["evaluation_type"] == "collaborative"
    ]
    months = {(e["evaluation_date"][:7], e["auditor"]) for e in collaborative}
    made = report(demo, "monthly", "2026-Q3")
    summary = rows(made, "monthly_expectation")
    assert [r["managers"] for r in summary] == [len(managers)] * 3
    for r, month in zip(summary, ("2026-07", "2026-08", "2026-09"), strict=True):
        assert r["completed"] == sum(1 for name in managers if (month, name) in months)
    cover = {
        r["manager"]: r for r in rows(report(demo, "coverage", "2026-Q3"), "coverage_by_manager")
    }
    assert set(cover) == set(managers)
    for name in managers:
        mine = [e for e in collaborative if e["auditor"] == name]
        inside = sum(1 for e in mine if e["service_area"] == own[name])
        assert cover[name]["own_line"] == own[name]
        assert (cover[name]["inside_own_line"], cover[name]["outside_own_line"]) == (
            inside,
            len(mine) - inside,
        )
        assert cover[name]["months_met"] == sum(
            1 for m in ("2026-07", "2026-08", "2026-09") if (m, name) in months
        )


def test_a_filtered_monthly_report_counts_only_that_area(demo: dict[str, Any]) -> None:
    data = demo["data"]
    area = "Children in Need"
    made = report(demo, "monthly", PERIOD, service_area=area)
    evals = chosen(data, *span(PERIOD), service_area=area)
    assert figure(made, "Evaluations completed")["value"] == len(evals)
    now = _grades(data, evals)
    overall = next(r for r in rows(made, "grades_by_standard") if r["standard_id"] == "overall")
    assert overall["n_graded"] == now["overall"][1]


# --- team, quarterly, actions --------------------------------------------------------------------


def test_team_summary_by_quarter(demo: dict[str, Any]) -> None:
    data, team = demo["data"], "CIN Team"
    made = report(demo, "team", "2026", team=team)
    assert made["title"] == f"Team summary: {team}"
    table = {r["quarter"]: r for r in rows(made, "by_quarter")}
    for q in range(1, 5):
        evals = chosen(data, *span(f"2026-Q{q}"), team=team)
        grades = _grades(data, evals)["overall"]
        scores = [s for v in _scales(data, evals).values() for s in v]
        row = table[f"2026 Q{q}"]
        assert row["completed"] == len(evals)
        assert row["n_overall"] == grades[1]
        assert close(row["overall_good_or_better"], share(grades[2], grades[1]))
        assert row["n_scales"] == len(scores)
        assert close(row["mean_scale"], round(sum(scores) / len(scores), 2) if scores else None, 6)
    quotes = rows(made, "development")
    newest = sorted(
        (e for e in chosen(data, *span("2026"), team=team).values() if e["summary_development"]),
        key=lambda e: e["evaluation_date"],
        reverse=True,
    )
    assert quotes and quotes[0]["date"] == newest[0]["evaluation_date"]


def test_quarterly_activity_by_service_area(demo: dict[str, Any]) -> None:
    data, made = demo["data"], report(demo, "quarterly", "2026-Q3")
    evals = chosen(data, *span("2026-Q3"))
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for e in evals.values():
        counts[e["service_area"]][e["evaluation_type"]] += 1
    for r in rows(made, "activity_by_service_area"):
        found = counts[r["service_area"]]
        assert r["completed"] == sum(found.values())
        assert (r["collaborative"], r["thematic"], r["dip_sample"], r["practice_day"]) == (
            found["collaborative"],
            found["thematic"],
            found["dip_sample"],
            found["practice_day"],
        )
    assert sum(r["completed"] for r in rows(made, "activity_by_service_area")) == len(evals)


def test_quarterly_worries_by_service_area(demo: dict[str, Any]) -> None:
    data, made = demo["data"], report(demo, "quarterly", "2026-Q3")
    start, end = span("2026-Q3")
    area_of = {e["evaluation_id"]: e["service_area"] for e in data["evaluations"]}
    raised: Counter[str] = Counter()
    short: Counter[str] = Counter()
    for c in data["concerns"]:
        if start <= day(c["evaluation_date"]) <= end:
            raised[area_of[c["evaluation_id"]]] += 1
            short[area_of[c["evaluation_id"]]] += int(c["recipients_shared"] or 0) < 4
    table = {r["service_area"]: r for r in rows(made, "worries_by_service_area")}
    assert sum(raised.values()) > 0 and sum(short.values()) > 0
    for area, n in raised.items():
        assert (table[area]["concerns"], table[area]["not_fully_shared"]) == (n, short[area])
    assert sum(r["concerns"] for r in table.values()) == sum(raised.values())


def test_actions_by_team_and_age(demo: dict[str, Any]) -> None:
    data, made = demo["data"], report(demo, "actions", "2026-Q3")
    team_of = {e["evaluation_id"]: e["team"] for e in data["evaluations"]}
    acts = [a for a in data["actions"] if a["evaluation_id"] in team_of]
    by_team: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    ages: Counter[str] = Counter()
    for a in acts:
        if a["status"] in ("open", "in_progress"):
            by_team[team_of[a["evaluation_id"]]][0] += 1
            overdue = a["due_date"] and day(a["due_date"]) < TODAY
            by_team[team_of[a["evaluation_id"]]][1] += bool(overdue)
            age = (TODAY - day(a["opened_on"])).days
            ages[
                "under 30 days"
                if age < 30
                else "30–59 days"
                if age < 60
                else "60–89 days"
                if age < 90
                else "90 days or more"
            ] += 1
    got = {r["team"]: [r["open"], r["overdue"]] for r in rows(made, "actions_by_team")}
    assert {k: v for k, v in got.items() if v != [0, 0]} == {
        k: v for k, v in by_team.items() if v != [0, 0]
    }
    assert {r["age"]: r["open"] for r in rows(made, "open_by_age")} == {
        k: ages.get(k, 0) for k in ("under 30 days", "30–59 days", "60–89 days", "90 days or more")
    }
    listed = rows(made, "overdue_actions")
    assert listed == sorted(listed, key=lambda r: r["due_date"])


# --- the dashboard and the evaluations behind its bars -------------------------------------------


def test_every_dashboard_bar_opens_the_evaluations_it_counts(demo: dict[str, Any]) -> None:
    from qa_tui.reports.dashboard import behind, dashboard
    from qa_tui.reports.model import ReportQuery
    from qa_tui.reports.period import parse_period
    from qa_tui.reports.queries import CONCERN_STATUSES
    from qa_tui.store.migrate import open_store

    data = demo["data"]
    store = open_store(demo["url"], create=False)
    query = ReportQuery(parse_period("2026-Q3"), today=TODAY)
    try:
        with store.reader() as session:
            board = dashboard(session, query)
            # The demo evaluations it says it includes are among the completed it counts.
            assert 0 < board.demo <= board.completed
            pages = {}
            for chart in board.charts:
                bar = next(b for b in chart.bars if b.n and b.value)
                pages[chart.name] = (bar, behind(session, query, chart.name, bar.key, 0, 1000))
            # Every standard's bar (an id can be a graded item in one version of a template
            # and an example, marked seen or not seen, in another: only grades are behind it).
            # A year: the audit's 1.0 items (to May) are 2.0's examples (from June).
            year = ReportQuery(parse_period("2026"), today=TODAY)
            standards = {
                b.key: behind(session, year, "grades", b.key, 0, 1000)
                for b in dashboard(session, year).chart("grades").bars
            }
            # Every status of the concerns chart opens the concerns it counts, and only them.
            concern_pages = {
                key: behind(session, query, "concerns", key, 0, 1000)
                for key, _label in CONCERN_STATUSES
            }
    finally:
        store.dispose()
    evals = {e["evaluation_id"]: e for e in data["evaluations"]}
    start, end = span("2026-Q3")

    assert len(standards) > 10
    start, end = span("2026")
    for key, (total, rows) in standards.items():
        template_id, item = key.split("/")
        graded = {
            r["evaluation_id"]
            for r in data["ratings"]
            if (r["template_id"], r["standard_id"]) == (template_id, item)
        }
        expected = set(graded) & set(chosen(data, start, end))
        assert total == len(rows) == len(expected) and {r.id for r in rows} == expected, key
    start, end = span("2026-Q3")

    bar, (total, rows) = pages["overdue"]
    late = Counter(
        a["evaluation_id"]
        for a in data["actions"]
        if a["status"] in ("open", "in_progress") and a["due_date"] and day(a["due_date"]) < TODAY
    )
    expected = {e for e in late if evals[e]["team"] == bar.key}
    assert bar.value == sum(late[e] for e in expected)  # the bar counts actions…
    assert total == len(expected) and {r.id for r in rows} == expected  # …and opens evaluations
    assert {r.id: r.detail for r in rows} == {e: f"{late[e]} overdue" for e in expected}

    raised = Counter(
        c["status"] for c in data["concerns"] if start <= day(c["evaluation_date"]) <= end
    )
    assert {b.key: b.value for b in board.chart("concerns").bars} == {
        key: raised.get(key, 0) for key, _label in CONCERN_STATUSES
    }
    assert sum(raised.values()) and len(raised) > 1  # more than one status to tell apart
    bar, (total, rows) = pages["concerns"]
    expected = {
        c["evaluation_id"]
        for c in data["concerns"]
        if c["status"] == bar.key and start <= day(c["evaluation_date"]) <= end
    }
    assert total == len(expected) == bar.value and {r.id for r in rows} == expected
    for key, (total, rows) in concern_pages.items():
        expected = {
            c["evaluation_id"]
            for c in data["concerns"]
            if c["status"] == key and start <= day(c["evaluation_date"]) <= end
        }
        assert total == len(expected) and {r.id for r in rows} == expected, key

    bar, (total, rows) = pages["scaling"]
    q_start, q_end = span(bar.key.replace(" ", "-"))
    scaled = {s["evaluation_id"] for s in data["scaling"] if s["score"] != ""}
    expected = scaled & set(chosen(data, q_start, q_end))
    assert total == len(expected) and {r.id for r in rows} == expected

    bar, (total, rows) = pages["agreement"]
    from qa_tui.reports.period import parse_period as parse

    month = parse(dt.datetime.strptime(bar.key, "%B %Y").strftime("%Y-%m"))
    expected = {
        m["evaluation_id"]
        for m in data["moderations"]
        if month.start <= day(m["moderated_on"]) <= month.end
    }
    assert total == len(expected) and {r.id for r in rows} == expected


def test_a_dashboard_chart_is_the_same_for_queries_it_does_not_tell_apart(
    demo: dict[str, Any],
) -> None:
    """The dashboard screen keeps a chart by :func:`depends_on` and does not read it again for
    another filter with the same key: the chart must then be the same."""
    from qa_tui.reports.dashboard import CHARTS, chart, depends_on
    from qa_tui.reports.model import ReportQuery
    from qa_tui.reports.period import parse_period
    from qa_tui.store.migrate import open_store

    queries = [
        ReportQuery(parse_period(p), area, "", TODAY)
        for p in ("2026-Q3", "2026-08", "2026-10", "2026")
        for area in ("", "Children in need")
    ]
    store = open_store(demo["url"], create=False)
    same = 0
    try:
        with store.reader() as session:
            for name in CHARTS:
                drawn: dict[tuple[object, ...], Any] = {}
                for query in queries:
                    key, found = depends_on(query, name), chart(session, query, name)
                    if key in drawn:
                        assert found == drawn[key], (name, query)
                        same += 1
                    drawn[key] = found
    finally:
        store.dispose()
    assert same >= 6  # the overdue chart for every period, the trends for Q3 and August


def test_dashboard_trends_and_overdue_from_the_tidy_data(demo: dict[str, Any]) -> None:
    """The scaling, agreement and overdue charts (their own narrower queries) against the
    tidy data: each quarter's mean scale and n, each month's agreement and n, each team's
    open and overdue actions."""
    from qa_tui.reports.dashboard import dashboard, trend_window
    from qa_tui.reports.model import ReportQuery
    from qa_tui.reports.period import parse_period
    from qa_tui.reports.queries import months_of, quarters_of
    from qa_tui.store.migrate import open_store

    data = demo["data"]
    query = ReportQuery(parse_period("2026-Q3"), today=TODAY)
    store = open_store(demo["url"], create=False)
    try:
        with store.reader() as session:
            board = dashboard(session, query)
    finally:
        store.dispose()
    window = trend_window(query.period)
    scaling = {b.key: b for b in board.chart("scaling").bars}
    for quarter in quarters_of(window):
        scores = [
            s for ss in _scales(data, chosen(data, quarter.start, quarter.end)).values() for s in ss
        ]
        bar = scaling[quarter.label]
        assert bar.n == len(scores)
        assert close(bar.value, sum(scores) / len(scores) if scores else None, 9)
    assert sum(b.n for b in scaling.values()) > 20
    when = {m["moderation_id"]: day(m["moderated_on"]) for m in data["moderations"]}
    agreement = {b.key: b for b in board.chart("agreement").bars}
    for month in months_of(window):
        judged = [
            j
            for j in data["moderation_judgements"]
            if j["moderated_grade"] and month.start <= when[j["moderation_id"]] <= month.end
        ]
        agreed = sum(1 for j in judged if j["agreement"] == "agree")
        assert agreement[month.label].n == len(judged)
        assert close(agreement[month.label].value, share(agreed, len(judged)), 9)
    assert sum(b.n for b in agreement.values()) > 20
    teams = {e["evaluation_id"]: e["team"] for e in data["evaluations"]}
    open_now = [a for a in data["actions"] if a["status"] in ("open", "in_progress")]
    expected = {
        team: (
            sum(1 for a in open_now if teams[a["evaluation_id"]] == team),
            sum(
                1
                for a in open_now
                if teams[a["evaluation_id"]] == team
                and a["due_date"]
                and day(a["due_date"]) < TODAY
            ),
        )
        for team in {teams[a["evaluation_id"]] for a in open_now}
    }
    assert {b.key: (b.n, b.value) for b in board.chart("overdue").bars} == expected
