"""The report's numbers for the QA team's own analysis: CSV and JSON carry the same tables.

CSV is one file: the headline figures first, then each table under a line naming it, its
header of stable column keys and its rows, a blank line between tables (a spreadsheet opens it
as it is). Every text cell goes through :func:`qa_tui.textsafe.cell`. JSON holds the report's
description, its figures and every table as a list of records under the table's name.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from qa_tui.reports.model import Report
from qa_tui.textsafe import cell, json_text


def csv_text(report: Report) -> str:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    out.writerow([cell(f"{report.title} — {report.period.label}")])
    out.writerow([cell(f"period {report.period.start}..{report.period.end}"), cell(report.scope)])
    for note in report.notes:
        out.writerow([cell(note)])
    out.writerow([])
    figures = report.figures()
    if figures:
        out.writerow(["figures"])
        out.writerow(["label", "value", "text", "n", "note"])
        for f in figures:
            out.writerow([cell(f.label), f.value, cell(f.text), f.n, cell(f.note)])
        out.writerow([])
    for table in report.tables():
        out.writerow([cell(table.name)])
        out.writerow([c.key for c in table.columns])
        out.writerows([cell(v) for v in row] for row in table.rows)
        out.writerow([])
    return buffer.getvalue()


def report_data(report: Report) -> dict[str, Any]:
    """Everything the report says, as plain data (what the JSON holds)."""
    return {
        "kind": report.kind,
        "title": report.title,
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
        "scope": report.scope,
        "filters": report.query.filters(),
        "generated": report.generated,
        "notes": list(report.notes),
        "figures": [
            {"label": f.label, "value": f.value, "text": f.text, "n": f.n, "note": f.note}
            for f in report.figures()
        ],
        "tables": {
            t.name: {
                "title": t.title,
                "note": t.note,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in t.columns],
                "rows": t.records(),
            }
            for t in report.tables()
        },
    }


def json_report(report: Report) -> str:
    return json_text(report_data(report)) + "\n"
