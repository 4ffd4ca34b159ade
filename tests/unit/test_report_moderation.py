"""The moderation report on the demo data: its figures match an independent calculation from
its own pairs table (scikit-learn's kappa, the krippendorff package's alpha), filters work,
an empty period says so without a misleading number, and the command writes every format."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from qa_tui.reports import kinds
from qa_tui.reports.model import ReportQuery
from qa_tui.reports.period import parse_period
from qa_tui.reports.render import render

sklearn_metrics = pytest.importorskip("sklearn.metrics")
krippendorff = pytest.importorskip("krippendorff")


@pytest.fixture
def demo(workspace: Any) -> Any:
    from qa_tui.demo import generate

    generate(workspace, 40, 1)
    return workspace


def _data(ws: Any, period: str = "2026", **filters: str) -> dict[str, Any]:
    made = kinds.build(ws.store, "moderation", ReportQuery(parse_period(period), **filters))
    return json.loads(render(made, "json"))


def _figure(data: dict[str, Any], label: str) -> dict[str, Any]:
    return next(f for f in data["figures"] if f["label"].startswith(label))


def test_the_figures_match_an_independent_calculation_from_the_pairs(demo: Any) -> None:
    data = _data(demo)
    pairs = data["tables"]["pairs"]["rows"]
    scale = [row["grade"] for row in data["tables"]["scale"]["rows"]]
    on_scale = [
        p for p in pairs if p["auditor_position"] is not None and p["agreed_position"] is not None
    ]
    auditor = [p["auditor_position"] for p in on_scale]
    agreed = [p["agreed_position"] for p in on_scale]
    kappa = sklearn_metrics.cohen_kappa_score(
        auditor, agreed, labels=list(range(len(scale))), weights="linear"
    )
    assert _figure(data, "Weighted kappa")["value"] == pytest.approx(kappa, abs=1e-9)
    assert _figure(data, "Weighted kappa")["n"] == len(on_scale) > 100
    share = sum(a == g for a, g in zip(auditor, agreed, strict=True)) / len(on_scale)
    assert _figure(data, "Agreed with the auditor")["value"] == pytest.approx(share)
    higher = sum(a > g for a, g in zip(auditor, agreed, strict=True))
    lower = sum(a < g for a, g in zip(auditor, agreed, strict=True))
    assert higher > lower  # the demo's auditors are a little generous
    assert (
        f"in {sum(a - g == 1 for a, g in zip(auditor, agreed, strict=True))} of {higher + lower}"
        in (_figure(data, "Direction")["text"])
    )
    # Alpha from the blind grades, by the krippendorff package (units with two or more).
    width = max(
        int(k.split("_")[1]) for k in pairs[0] if k.startswith("blind_") and k != "blind_by"
    )
    counts = []
    for p in pairs:
        grades = [p[f"blind_{i}"] for i in range(1, width + 1) if p[f"blind_{i}"] in scale]
        if len(grades) >= 2:
            counts.append(np.bincount([scale.index(g) for g in grades], minlength=len(scale)))
    alpha = krippendorff.alpha(
        value_counts=np.array(counts),
        value_domain=list(range(len(scale))),
        level_of_measurement="ordinal",
    )
    figure = _figure(data, "Krippendorff")
    assert figure["value"] == pytest.approx(alpha, abs=1e-9) and figure["n"] == len(counts)
    na = sum("not_applicable" in (p["auditor_grade"], p["agreed_grade"]) for p in pairs)
    assert _figure(data, "Not applicable")["value"] == na


def test_the_csv_alone_recomputes_kappa_and_alpha(demo: Any) -> None:
    """What a QA officer opening the CSV in a spreadsheet has: its figures section, its scale
    and its pairs table, every cell as text. Kappa (scikit-learn) and alpha (krippendorff)
    computed from those cells alone are the report's own figures, to the last digit written."""
    made = kinds.build(demo.store, "moderation", ReportQuery(parse_period("2026")))
    lines = list(csv.reader(io.StringIO(render(made, "csv").decode())))

    def section(name: str) -> list[dict[str, str]]:
        start = lines.index([name])
        header, rows = lines[start + 1], []
        for row in lines[start + 2 :]:
            if not row:
                break
            rows.append(dict(zip(header, row, strict=True)))
        return rows

    figures = {row["label"]: row for row in section("figures")}
    scale = [row["grade"] for row in section("scale")]
    pairs = section("pairs")
    both = [p for p in pairs if p["auditor_position"] and p["agreed_position"]]
    kappa = sklearn_metrics.cohen_kappa_score(
        [int(p["auditor_position"]) for p in both],
        [int(p["agreed_position"]) for p in both],
        labels=list(range(len(scale))),
        weights="linear",
    )
    blind = [key for key in pairs[0] if key.startswith("blind_") and key != "blind_by"]
    counts = []
    for p in pairs:
        grades = [p[key] for key in blind if p[key] in scale]
        if len(grades) >= 2:
            counts.append(np.bincount([scale.index(g) for g in grades], minlength=len(scale)))
    alpha = krippendorff.alpha(
        value_counts=np.array(counts),
        value_domain=list(range(len(scale))),
        level_of_measurement="ordinal",
    )
    written_kappa = figures["Weighted kappa, auditor against agreed grade"]
    written_alpha = figures["Krippendorff's alpha, moderators' blind grades"]
    assert float(written_kappa["value"]) == pytest.approx(kappa, abs=1e-12)
    assert int(written_kappa["n"]) == len(both) > 100
    assert float(written_alpha["value"]) == pytest.approx(alpha, abs=1e-12)
    assert int(written_alpha["n"]) == len(counts) > 10


def test_breakdowns_add_up_and_filters_narrow(demo: Any) -> None:
    data = _data(demo)
    for table in ("by_month", "by_team", "by_service_area", "by_item"):
        rows = data["tables"][table]["rows"]
        assert sum(r["pairs"] for r in rows) == _figure(data, "Weighted kappa")["n"], table
    team = data["tables"]["by_team"]["rows"][-1]["team"]
    only = _data(demo, team=team)
    assert {p["team"] for p in only["tables"]["pairs"]["rows"]} == {team}
    assert (
        _figure(only, "Judgements")["value"] == data["tables"]["by_team"]["rows"][-1]["judgements"]
    )


def test_an_empty_period_says_not_enough_data_never_nan(demo: Any) -> None:
    made = kinds.build(demo.store, "moderation", ReportQuery(parse_period("2024")))
    assert made.notes == ("No evaluations were moderated in 2024: no judgements to compare.",)
    for fmt in ("md", "html", "csv", "json"):
        text = render(made, fmt).decode()
        assert "nan" not in text.lower().replace("nancy", "")
        assert "not enough data: 0 pairs (at least 10 needed)" in text
    kappa = next(f for f in made.figures() if f.label.startswith("Weighted"))
    assert kappa.value is None and kappa.n == 0


def test_the_pairs_are_data_only_in_reading_formats(demo: Any) -> None:
    made = kinds.build(demo.store, "moderation", ReportQuery(parse_period("2026")))
    markdown = render(made, "md").decode()
    pairs = next(t for t in made.tables() if t.name == "pairs")
    assert f"{len(pairs.rows):,} rows, in the CSV, JSON and XLSX versions" in markdown
    assert pairs.rows[0][2] not in markdown  # no evaluation id of the pairs in Markdown
    text = render(made, "csv").decode()
    rows = list(csv.reader(io.StringIO(text)))
    start = next(i for i, r in enumerate(rows) if r == ["pairs"])
    assert rows[start + 1][:4] == ["session_id", "date", "evaluation_id", "team"]
    assert len([r for r in rows[start + 2 :] if r]) == len(pairs.rows)
    assert math.isfinite(float(rows[start + 2][9] or 0))


def test_a_report_for_reading_formats_leaves_the_blind_graders_unread(demo: Any) -> None:
    """Markdown and HTML never write the pairs' rows, so a report made for them
    (``ReportQuery.rows`` False) does not read who gave each blind grade: the same figures, the
    same document, and rows that refuse to be written rather than come out blank."""
    import datetime as dt

    from qa_tui.reports.moderation_data import read_selection
    from qa_tui.reports.moderation_units import AgreementFilter
    from qa_tui.reports.render import writes_rows

    assert [f for f in ("md", "html", "csv", "xlsx", "json") if writes_rows(f)] == [
        "csv",
        "xlsx",
        "json",
    ]
    now = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    period = parse_period("2026")
    whole = kinds.build(demo.store, "moderation", ReportQuery(period), now)
    lean = kinds.build(demo.store, "moderation", ReportQuery(period, rows=False), now)
    for fmt in ("md", "html"):
        assert render(lean, fmt) == render(whole, fmt)
    pairs = next(t for t in lean.tables() if t.name == "pairs")
    assert len(pairs.rows) == len(next(t for t in whole.tables() if t.name == "pairs").rows)
    with pytest.raises(ValueError, match="blind graders were not read"):
        render(lean, "csv")
    with demo.store.reader() as session:
        flt = AgreementFilter(period.start, period.end)
        graded, counted = read_selection(session, flt), read_selection(session, flt, who=False)
    assert any(graded.units.blind) and not any(counted.units.blind)
    assert counted.units.blind_given == graded.units.blind_given
    assert sum(graded.units.blind_given) > 100
    assert np.array_equal(counted.units.blind_counts, graded.units.blind_counts)


def test_the_command_writes_the_report(demo: Any, tmp_path: Path) -> None:
    from qa_tui.cli import main

    db = str(demo.store.url)
    for fmt in ("md", "html", "csv", "json", "xlsx"):
        out = tmp_path / f"moderation.{fmt}"
        args = ["report", "moderation", "--db", db, "--period", "2026-Q3", "--format", fmt]
        result = CliRunner().invoke(main, [*args, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 1000
    bad = CliRunner().invoke(
        main,
        [
            "report",
            "moderation",
            "--db",
            db,
            "--period",
            "2026-13",
            "--format",
            "md",
            "--out",
            str(tmp_path / "x.md"),
        ],
    )
    assert bad.exit_code != 0 and "2026-Q3" in bad.output and "Traceback" not in bad.output


def test_sessions_headless(demo: Any, tmp_path: Path) -> None:
    from qa_tui.cli import main

    db = str(demo.store.url)

    def run(*args: str, code: int = 0) -> str:
        result = CliRunner().invoke(main, list(args))
        assert result.exit_code == code, result.output
        return result.output

    sid = run(
        "moderation",
        "new",
        "--db",
        db,
        "--date",
        "2026-12-01",
        "--moderator",
        "Priya Okafor, Head of Service",
        "--moderator",
        "Tom Lindqvist",
    ).strip()
    drawn = run(
        "moderation", "sample", sid, "--db", db, "--size", "3", "--seed", "4711", "--period", "2026"
    ).splitlines()
    assert drawn[0].startswith("Drew 3 of ") and drawn[0].endswith("(dated 2026), seed 4711")
    assert len(drawn) == 4
    again = run("moderation", "sample", sid, "--db", db, "--size", "500", "--seed", "1", code=1)
    assert "500 asked for, but only" in again and "Traceback" not in again
    listed = run("moderation", "list", "--db", db)
    assert f"{sid}  2026-12-01  open      3  Moderation group, 1 December 2026" in listed
    missing = tmp_path / "none.db"
    run("moderation", "list", "--db", f"sqlite:///{missing}", code=1)
    assert not missing.exists()


def test_csv_and_json_write_every_cell_as_the_cell_writer_does() -> None:
    """The CSV makes each distinct value of a column safe once and the JSON writes rows with
    the C encoder: the same cells and data as one cell() per value and one json.dumps."""
    import datetime as dt

    from qa_tui.reports.model import Column, Report, Section, Table
    from qa_tui.reports.render.tables import _safe_rows, json_report, report_data
    from qa_tui.textsafe import cell

    rows = (
        ("=SUM(A1)", 1, True, None, dt.date(2026, 1, 2), "Team\x1b[31m A"),
        ("=SUM(A1)", True, 1, 2.5, None, "Team\x1b[31m A"),
        ("plain", 0, False, "-1", dt.date(2026, 1, 2), "\u202eevil"),
    )
    columns = tuple(Column(f"c{i}", f"C{i}") for i in range(6))
    table = Table(name="t", title="T", columns=columns, rows=rows)
    assert [list(r) for r in _safe_rows(table)] == [[cell(v) for v in r] for r in rows]
    assert [type(v) for v in next(iter(_safe_rows(table)))][1:3] == [int, bool]
    plain = Table(name="p", title="P", columns=columns[:4], rows=tuple(r[:4] for r in rows))
    made = Report(
        kind="moderation",
        title="T",
        query=ReportQuery(parse_period("2026")),
        scope="\x00rows 0\x00",  # what the JSON writer marks its rows with, and more
        generated="now",
        sections=(Section("S", (plain,)),),
        notes=(),
    )
    assert json.loads(json_report(made)) == report_data(made)


def test_rows_written_column_by_column_are_the_writers_own_bytes() -> None:
    """CSV and JSON rows are joined from each column's distinct values, written once: byte
    for byte what the csv writer and json.dumps write row by row, across chunks whose types
    differ (True == 1 == 1.0 and 0.0 == -0.0, but each is written as itself), for rows given
    as tuples and rows made column by column."""
    import datetime as dt

    from qa_tui.reports.model import Column, Table
    from qa_tui.reports.moderation import Rows
    from qa_tui.reports.render.tables import _csv_rows, _records_json
    from qa_tui.textsafe import cell, json_text

    rows = (
        (1, "=SUM(A1)", 0.0, None, "a,b"),
        (2, "Team\x1b[31m A", -0.0, 1.0, 'say "x"'),
        (True, "\u2028line", float("nan"), 1, "two\nlines"),
        (1, "=SUM(A1)", 2.5, True, ""),
        (False, "\u202eevil", float("inf"), dt.date(2026, 1, 2).isoformat(), "a,b"),
    )
    columns = tuple(Column(f"c{i}", f"C{i}") for i in range(5))
    by_columns = Rows(len(rows), lambda: [list(c) for c in zip(*rows, strict=True)])
    for given in (rows, by_columns):
        table = Table(name="t", title="T", columns=columns, rows=given)
        records = [dict(zip([c.key for c in columns], r, strict=True)) for r in rows]
        expected = json_text(records, indent=None)
        assert "".join(_records_json(table, chunk=2)) == expected
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows([cell(v) for v in r] for r in rows)
        assert "".join(_csv_rows(table, chunk=2)) == buffer.getvalue()


def test_what_the_paused_collector_saw_made_is_not_walked_again_while_young() -> None:
    """Made while the collector was paused (a year of units, alive until written), it goes to
    the oldest generation as it is: the next young collections no longer walk it (23 ms of a
    year's JSON report). Where the app keeps objects frozen, they stay frozen."""
    import gc

    from qa_tui.reports.moderation_data import collector_paused

    class Made:  # a container the collector tracks
        pass

    gc.unfreeze()  # as in the command's process: an earlier test's app may have frozen some
    gc.collect()
    with collector_paused():
        made = Made()
    assert gc.isenabled()
    young = gc.get_objects(generation=0) + gc.get_objects(generation=1)
    assert not any(obj is made for obj in young)
    assert any(obj is made for obj in gc.get_objects(generation=2))

    gc.freeze()  # as the terminal app does with what it keeps
    try:
        frozen = gc.get_freeze_count()
        with collector_paused():
            later = Made()
        assert gc.get_freeze_count() == frozen
        assert any(obj is later for obj in gc.get_objects(generation=0))
    finally:
        gc.unfreeze()


def test_the_command_leaves_what_it_made_to_the_exit(
    demo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the report is written the process ends: the collector is frozen at exit, so its
    last walk over every object still alive (90 ms of a year's JSON report) is not made."""
    import atexit
    import gc

    from qa_tui.cli import main

    at_exit: list[Any] = []
    monkeypatch.setattr(atexit, "register", at_exit.append)
    out = tmp_path / "moderation.md"
    args = ["report", "moderation", "--db", str(demo.store.url), "--period", "2026-Q3"]
    result = CliRunner().invoke(main, [*args, "--format", "md", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert at_exit == [gc.freeze]
