"""The report as an Excel workbook: a summary sheet, then a sheet per table with its header
frozen, sensible widths and number formats, and a native Excel chart where the report draws
one. Text is written as text (never a formula) and passes through
:func:`qa_tui.textsafe.cell` first."""

from __future__ import annotations

import io
import re

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from qa_tui.reports.model import Chart, Column, Report, Table
from qa_tui.textsafe import cell

MAX_CELL = 32_767  # Excel's limit on the characters of one cell
_SHEET_BAD = re.compile(r"[\[\]:*?/\\']")


def _sheet_name(name: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", name)[:31] or "table"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f"_{n}"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _text(value: str) -> str:
    text = str(cell(value))
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 40] + "… (cut: see the CSV or JSON)"


class _Book:
    def __init__(self, report: Report) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        self.bold = self.book.add_format({"bold": True})
        self.head = self.book.add_format({"bold": True, "bg_color": "#E9F0F7", "border": 1})
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.formats = {
            "int": self.book.add_format({"num_format": "#,##0"}),
            "float": self.book.add_format({"num_format": "0.00"}),
            "percent": self.book.add_format({"num_format": "0%"}),
            "points": self.book.add_format({"num_format": '+0" pts";-0" pts";0" pts"'}),
        }
        self.used: set[str] = set()
        self.sheets: dict[str, str] = {}
        self.report = report

    def write_value(
        self, sheet: Worksheet, row: int, col: int, value: object, column: Column
    ) -> None:
        if value is None or value == "":
            return
        if isinstance(value, bool):
            sheet.write_boolean(row, col, value)
        elif isinstance(value, int | float) and column.kind != "text":
            sheet.write_number(row, col, value, self.formats.get(column.kind))
        else:
            sheet.write_string(row, col, _text(str(value)))

    def summary(self) -> None:
        r = self.report
        sheet = self.book.add_worksheet(_sheet_name("Summary", self.used))
        sheet.set_column(0, 0, 44)
        sheet.set_column(1, 1, 24)
        sheet.set_column(2, 3, 12)
        sheet.write_string(0, 0, _text(r.title), self.title)
        lines = [f"{r.period.label} ({r.period.start} to {r.period.end})", r.scope]
        lines += [f"{k.capitalize()}: {v}" for k, v in r.query.filters().items()]
        lines += [f"Made {r.generated}", *r.notes]
        for i, text in enumerate(lines, start=1):
            sheet.write_string(i, 0, _text(text))
        row = len(lines) + 2
        figures = r.figures()
        if figures:
            for col, name in enumerate(("Figure", "Value", "n", "Note")):
                sheet.write_string(row, col, name, self.head)
            for f in figures:
                row += 1
                sheet.write_string(row, 0, _text(f.label))
                sheet.write_string(row, 1, _text(f.text))
                if f.n is not None:
                    sheet.write_number(row, 2, f.n)
                if f.note:
                    sheet.write_string(row, 3, _text(f.note))

    def table(self, table: Table) -> None:
        name = _sheet_name(table.name, self.used)
        self.sheets[table.name] = name
        sheet = self.book.add_worksheet(name)
        for col, column in enumerate(table.columns):
            sheet.write_string(0, col, _text(column.label), self.head)
            longest = max([len(column.label), *(len(str(r[col] or "")) for r in table.rows[:200])])
            sheet.set_column(col, col, min(max(longest + 2, 8), 60))
        for index, values in enumerate(table.rows, start=1):
            for col, (value, column) in enumerate(zip(values, table.columns, strict=True)):
                self.write_value(sheet, index, col, value, column)
        sheet.freeze_panes(1, 0)
        if table.rows:
            sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
        if table.note:
            sheet.write_string(len(table.rows) + 2, 0, _text(table.note))

    def chart(self, chart: Chart, anchor_sheet: Worksheet, row: int) -> int:
        """A native chart drawn from its table's sheet (categories in the first column)."""
        source = next((t for t in self.report.tables() if t.name == chart.table), None)
        if source is None or not source.rows:
            return row
        sheet = self.sheets[source.name]
        kind = {"bar": "bar", "stacked_bar": "bar", "line": "line"}[chart.kind]
        options = {"type": kind}
        if chart.kind == "stacked_bar":
            options["subtype"] = "stacked"
        excel_chart = self.book.add_chart(options)
        last = len(source.rows)
        keys = [c.key for c in source.columns]
        for series in chart.series:
            if series.name not in keys and series.name not in [c.label for c in source.columns]:
                continue
            col = next(i for i, c in enumerate(source.columns) if series.name in (c.key, c.label))
            excel_chart.add_series(
                {
                    "name": [sheet, 0, col],
                    "categories": [sheet, 1, 0, last, 0],
                    "values": [sheet, 1, col, last, col],
                }
            )
        excel_chart.set_title({"name": chart.title[:250]})
        anchor_sheet.insert_chart(row, 0, excel_chart, {"x_scale": 1.4, "y_scale": 1.2})
        return row + 20


def xlsx(report: Report) -> bytes:
    book = _Book(report)
    book.summary()
    for table in report.tables():
        book.table(table)
    charts = [b for s in report.sections for b in s.blocks if isinstance(b, Chart) and b.table]
    if charts:
        sheet = book.book.add_worksheet(_sheet_name("Charts", book.used))
        row = 0
        for chart in charts:
            row = book.chart(chart, sheet, row)
    book.book.close()
    return book.buffer.getvalue()
