"""The report machinery every kind of report uses: periods, the registry, and the five formats.

A report is built by hand here, full of hostile text, and each renderer is checked by reading
its output back the way a user's program would: an HTML parser, openpyxl, the csv and json
modules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from qa_tui.errors import ValidationError
from qa_tui.reports import kinds
from qa_tui.reports.model import (
    Chart,
    Column,
    Figure,
    Paragraph,
    Report,
    ReportQuery,
    Section,
    Series,
    Table,
)
from qa_tui.reports.period import default_period, parse_period
from qa_tui.reports.render import FORMATS, render
from qa_tui.textsafe import uncell

HOSTILE = '<script>alert(1)</script> =HYPERLINK("http://x") \x1b]0;pwned\x07 # *bold* | ``` pipe'


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("2026", "2026-01-01", "2026-12-31", "2026"),
        ("2026-Q3", "2026-07-01", "2026-09-30", "2026 Q3"),
        ("2026-q1", "2026-01-01", "2026-03-31", "2026 Q1"),
        ("2026-02", "2026-02-01", "2026-02-28", "February 2026"),
        ("2028-02", "2028-02-01", "2028-02-29", "February 2028"),
        ("2026-01-01..2026-06-30", "2026-01-01", "2026-06-30", "2026-01-01 to 2026-06-30"),
    ],
)
def test_periods_as_people_write_them(text: str, start: str, end: str, label: str) -> None:
    period = parse_period(text)
    assert (period.start.isoformat(), period.end.isoformat(), period.label) == (start, end, label)


@pytest.mark.parametrize(
    "text", ["", "26", "2026-13", "2026-Q5", "last month", "2026-06-30..2026-01-01"]
)
def test_a_bad_period_names_the_forms(text: str) -> None:
    with pytest.raises(ValidationError, match=r"2026-Q3, 2026-10"):
        parse_period(text)


def test_the_previous_period_is_of_the_same_kind() -> None:
    assert parse_period("2026-01").previous().label == "December 2025"
    assert parse_period("2026-Q1").previous().label == "2025 Q4"
    assert parse_period("2026").previous().label == "2025"
    span = parse_period("2026-03-01..2026-03-10").previous()
    assert (span.start, span.end) == (dt.date(2026, 2, 19), dt.date(2026, 2, 28))
    assert parse_period("2026-Q4").months() == [(2026, 10), (2026, 11), (2026, 12)]
    assert default_period(dt.date(2026, 11, 30)).label == "October 2026"


# --- the five formats ------------------------------------------------------------------------


def hostile_report() -> Report:
    grades = Table(
        "grades",
        "Grades by standard",
        (
            Column("standard", "Standard"),
            Column("good", "Good", "int"),
            Column("share", "Share", "percent"),
        ),
        ((HOSTILE, 3, 0.75), ("-1 + 2", 1, 0.25), ("@SUM(A1)", None, None)),
        note=f"n = 4 judgements · {HOSTILE}",
    )
    return Report(
        kind="test",
        title=f"Test report {HOSTILE}",
        query=ReportQuery(parse_period("2026-10"), team=HOSTILE, today=dt.date(2026, 11, 30)),
        scope="Central database",
        generated="2026-11-30T09:00:00+00:00",
        notes=(f"Includes 2 demo evaluations {HOSTILE}",),
        sections=(
            Section(
                f"Findings {HOSTILE}",
                (
                    Figure("Evaluations completed", "4", 4, n=4, note=HOSTILE),
                    Figure("Share good or better", "75%", 0.75, n=4),
                    grades,
                    Chart(
                        f"Good by standard {HOSTILE}",
                        "bar",
                        (HOSTILE, "-1 + 2"),
                        (Series("good", (3.0, 1.0)),),
                        table="grades",
                    ),
                    Paragraph(f"Said plainly: {HOSTILE}"),
                ),
            ),
        ),
    )


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


def test_html_escapes_everything_and_fetches_nothing() -> None:
    page = render(hostile_report(), "html").decode("utf-8")
    parsed = _Page()
    parsed.feed(page)
    assert "script" not in parsed.tags  # the user's <script> is text, and we add none
    assert "svg" in parsed.tags and "table" in parsed.tags
    text = "".join(parsed.text)
    assert "<script>alert(1)</script>" in text  # shown as text
    assert "\x1b" not in page and "\x07" not in page
    for name, value in parsed.attrs:
        if name == "xmlns":
            continue  # a namespace name, never fetched
        assert not (value or "").lower().startswith(("http:", "https:", "//")), (name, value)
    assert "@import" not in page and "url(" not in page


def test_markdown_cannot_be_made_into_markup() -> None:
    text = render(hostile_report(), "md").decode("utf-8")
    prose = text.split("```")[0::2]  # outside the chart's code block: escaped
    assert all("<script>" not in part for part in prose) and "\\<script\\>" in text
    assert text.count("```") == 2  # a backtick in a label cannot close the chart's block
    assert "\x1b" not in text
    assert "| Standard | Good | Share |" in text
    assert "75%" in text and "n = 4" in text


def test_csv_cells_are_safe_and_read_back_exactly() -> None:
    text = render(hostile_report(), "csv").decode("utf-8")
    assert "\x1b" not in text and "\x07" not in text
    rows = list(csv.reader(io.StringIO(text)))
    header = rows.index(["standard", "good", "share"])
    first, second, third = rows[header + 1 : header + 4]
    assert uncell(first[0]) == HOSTILE
    assert second[0].startswith("'") and uncell(second[0]) == "-1 + 2"
    assert third[0].startswith("'") and uncell(third[0]) == "@SUM(A1)"
    assert first[1:] == ["3", "0.75"]


def test_json_carries_every_table_and_figure() -> None:
    data = json.loads(render(hostile_report(), "json"))
    assert data["tables"]["grades"]["rows"][0] == {"standard": HOSTILE, "good": 3, "share": 0.75}
    assert data["figures"][0] == {
        "label": "Evaluations completed",
        "value": 4,
        "text": "4",
        "n": 4,
        "note": HOSTILE,
    }
    assert data["period"] == {"label": "October 2026", "start": "2026-10-01", "end": "2026-10-31"}
    assert data["filters"] == {"team": HOSTILE}


def test_xlsx_has_a_sheet_a_table_with_safe_text_and_numbers(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "r.xlsx"
    path.write_bytes(render(hostile_report(), "xlsx"))
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "grades", "Charts"]
    sheet = book["grades"]
    assert [c.value for c in sheet[1]] == ["Standard", "Good", "Share"]
    assert sheet.freeze_panes == "A2"
    assert uncell(sheet["A2"].value) == HOSTILE
    assert sheet["A3"].value.startswith("'")  # "-1 + 2" is never a formula
    assert sheet["B2"].value == 3 and sheet["C2"].value == 0.75
    assert sheet["C2"].number_format == "0%"
    for row in book["grades"].iter_rows():
        for found in row:
            assert found.data_type != "f"  # nothing runs
            assert "\x1b" not in str(found.value or "")
    assert len(book["Charts"]._charts) == 1


def test_every_format_renders() -> None:
    for fmt in FORMATS:
        assert render(hostile_report(), fmt)
    with pytest.raises(ValidationError, match="one of md, html"):
        render(hostile_report(), "pdf")


# --- the registry and the command ------------------------------------------------------------


def _empty_kind(session: Any, query: ReportQuery) -> kinds.ReportBody:
    return kinds.ReportBody("Empty", (Section("Nothing", (Paragraph("none"),)),), ("Empty.",))


@pytest.fixture
def test_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    kind = kinds.ReportKind("empty", "Empty", "a test kind", __name__)
    monkeypatch.setitem(kinds.KINDS, "empty", kind)
    monkeypatch.setattr(kinds.ReportKind, "load", lambda self: _empty_kind)


def test_a_report_says_where_its_data_came_from(workspace: Any, test_kind: None) -> None:
    query = ReportQuery(parse_period("2026-10"))
    made = kinds.build(workspace.store, "empty", query)
    assert made.scope == kinds.LAPTOP_SCOPE  # a laptop database covers this laptop only
    assert made.notes == ("Empty.",)
    with pytest.raises(ValidationError, match=r"report 'nope': the kinds are .*empty"):
        kinds.build(workspace.store, "nope", query)
    with pytest.raises(ValidationError, match=r"team 'Nowhere' is not in this database; known"):
        kinds.build(workspace.store, "empty", ReportQuery(parse_period("2026"), team="Nowhere"))


def test_the_command_refuses_an_unknown_kind_in_one_line(tmp_path: Path) -> None:
    from qa_tui.cli import main

    result = CliRunner().invoke(
        main, ["report", "nope", "--format", "md", "--out", str(tmp_path / "r.md")]
    )
    assert result.exit_code != 0
    assert "report 'nope': the kinds are" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.md").exists()
