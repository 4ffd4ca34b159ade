"""The report's numbers for the QA team's own analysis: CSV and JSON carry the same tables.

CSV is one file: the headline figures first, then each table under a line naming it, its
header of stable column keys and its rows, a blank line between tables (a spreadsheet opens it
as it is). Every text cell goes through :func:`qa_tui.textsafe.cell`. JSON holds the report's
description, its figures and every table as a list of records under the table's name.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from qa_tui.reports.model import Report, Table
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
        out.writerows(_safe_rows(table))
        out.writerow([])
    return buffer.getvalue()


def _safe_rows(table: Table) -> Iterable[tuple[Any, ...]]:
    """Every row with each cell through :func:`cell`, column by column: each distinct value
    of a column made safe once (a pairs table of tens of thousands of rows repeats its teams,
    items, grades and ids), the loops over the rows left to C."""
    if not table.rows:
        return []
    columns: list[Iterable[Any]] = []
    for column in zip(*table.rows, strict=True):
        kinds = set(map(type, column))
        if str not in kinds:  # numbers, dates, None: cell() gives them back as they are
            columns.append(column)
        elif kinds == {str}:
            safe = {text: cell(text) for text in dict.fromkeys(column)}
            columns.append(map(safe.__getitem__, column))
        else:  # keyed by type as well: True == 1, but cell(True) is not cell(1)
            keys = list(zip(map(type, column), column, strict=True))
            mixed = {key: cell(key[1]) for key in dict.fromkeys(keys)}
            columns.append(map(mixed.__getitem__, keys))
    return zip(*columns, strict=True)


def report_data(report: Report, rows: bool = True) -> dict[str, Any]:
    """Everything the report says, as plain data (what the JSON holds; ``rows=False``: the
    tables without their rows)."""
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
                "rows": t.records() if rows else [],
            }
            for t in report.tables()
        },
    }


def json_bytes(report: Report) -> bytes:
    """:func:`json_report` encoded, a piece at a time (a year's pairs table is tens of
    megabytes: one copy of it at the end, not one per step)."""
    return b"".join(piece.encode("utf-8") for piece in _json_pieces(report))


def json_report(report: Report) -> str:
    """The report as JSON (see :func:`_json_pieces`)."""
    return "".join(_json_pieces(report))


def _json_pieces(report: Report) -> Iterator[str]:
    """The report as JSON: indented, but each table's rows on one line, by the C encoder (a
    year's pairs table in the pure-Python indenting encoder took seconds and gigabytes)."""
    data = report_data(report, rows=False)
    token = secrets.token_hex(16)
    marks = {}
    for index, (name, table) in enumerate(data["tables"].items()):
        mark = f"\x00rows {index} {token}\x00"  # a string no report holds
        marks[json_text(mark)] = name
        table["rows"] = mark
    text = json_text(data)
    tables = {t.name: t for t in report.tables()}
    for mark, name in marks.items():  # in the order they appear in the text
        before, _mark, text = text.partition(mark)
        yield before
        yield from _records_json(tables[name])
    yield text + "\n"


def _records_json(table: Table, chunk: int = 5_000) -> Iterator[str]:
    """``json_text(table.records(), indent=None)`` in pieces, a few thousand records at a time
    (a year's pairs table as one list of dicts held a hundred megabytes at once)."""
    keys = [c.key for c in table.columns]
    rows = iter(table.rows)
    yield "["
    separator = ""
    while batch := list(islice(rows, chunk)):
        records = [dict(zip(keys, row, strict=True)) for row in batch]
        yield separator + json_text(records, indent=None)[1:-1]
        separator = ", "
    yield "]"
