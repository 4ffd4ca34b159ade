"""The report's numbers for the QA team's own analysis: CSV and JSON carry the same tables.

CSV is one file: the headline figures first, then each table under a line naming it, its
header of stable column keys and its rows, a blank line between tables (a spreadsheet opens it
as it is). Every text cell goes through :func:`qa_tui.textsafe.cell`. JSON holds the report's
description, its figures and every table as a list of records under the table's name.
"""

from __future__ import annotations

import csv
import io
import math
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from qa_tui.reports.model import Report, Table
from qa_tui.textsafe import cell, json_string, json_text


def csv_text(report: Report) -> str:
    return "".join(csv_pieces(report))


def csv_pieces(report: Report) -> Iterator[str]:
    """:func:`csv_text` a piece at a time (a year's pairs table is megabytes of text: written
    as it is made, not held twice)."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")

    def written() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

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
        if len(table.columns) > 1:
            yield written()
            yield from _csv_rows(table)
        else:  # a row of one empty cell is written '""': the writer's own rule
            out.writerows(_safe_rows(table))
        out.writerow([])
    yield written()


def _csv_rows(table: Table, chunk: int = 5_000) -> Iterator[str]:
    """The rows of a table of two or more columns as the CSV writer writes them (each cell
    through :func:`cell`), column by column: each distinct value of a column written once,
    each line joined from its columns' pieces, the loops over the rows in C."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")

    def field(value: Any) -> str:
        """The value as the writer writes it in a row of more than one cell."""
        if type(value) is str:
            text: str = cell(value)
            if not _QUOTED.search(text):  # nothing the writer quotes: written as it is
                return text
        out.writerow((cell(value), ""))
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text[:-2]  # less the empty last cell's "," and the line's end

    seen: list[dict[Any, dict[Any, str]]] = [{} for _ in table.columns]
    for columns in _column_batches(table, chunk):
        pieces = [
            _each_once(column, found, field) for column, found in zip(columns, seen, strict=True)
        ]
        yield _interleaved(pieces, ",", "\n")


# What makes the CSV writer quote a cell (minimal quoting: the delimiter, the quote character
# and line breaks); a text cell without any is written as it is, without the writer.
_QUOTED = re.compile(r'[,"\r\n]')


def _safe_rows(table: Table) -> Iterable[tuple[Any, ...]]:
    """Every row with each cell through :func:`cell`, column by column: each distinct value
    of a column made safe once (a pairs table of tens of thousands of rows repeats its teams,
    items, grades and ids), the loops over the rows left to C."""
    if not table.rows:
        return []
    columns: list[Iterable[Any]] = []
    for column in next(_column_batches(table, len(table.rows))):
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
    return b"".join(piece.encode("utf-8") for piece in json_pieces(report))


def json_report(report: Report) -> str:
    """The report as JSON (see :func:`json_pieces`)."""
    return "".join(json_pieces(report))


def json_pieces(report: Report) -> Iterator[str]:
    """The report as JSON, a piece at a time: indented, but each table's rows on one line
    (:func:`_records_json`; a year's pairs table in the pure-Python indenting encoder took
    seconds and gigabytes)."""
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


def _column_batches(table: Table, chunk: int) -> Iterator[list[Sequence[Any]]]:
    """The table's cells column by column, ``chunk`` rows at a time. Rows that are made
    column by column (a ``columns()`` method, as the moderation report's pairs) give their
    columns as they are, without a tuple per row in between."""
    columns = getattr(table.rows, "columns", None)
    if callable(columns):
        made: list[Sequence[Any]] = columns()
        for start in range(0, len(table.rows), chunk):
            yield [column[start : start + chunk] for column in made]
        return
    rows = iter(table.rows)
    while batch := list(islice(rows, chunk)):
        yield list(zip(*batch, strict=True))


def _records_json(table: Table, chunk: int = 5_000) -> Iterator[str]:
    """``json_text(table.records(), indent=None)`` in pieces, a few thousand records at a time
    (a year's pairs table as one list of dicts held a hundred megabytes at once), made column
    by column: each distinct value of a column encoded once, with its key (a pairs table of
    tens of thousands of rows repeats its teams, items, grades and ids), and each record
    joined from its columns' pieces, the loops over the rows in C."""
    keys = [json_text(c.key, indent=None) + ": " for c in table.columns]
    if not keys:  # no columns: records with nothing in them
        yield json_text([{} for _row in table.rows], indent=None)
        return
    keys[0] = "{" + keys[0]
    ends = [""] * (len(keys) - 1) + ["}"]
    seen: list[dict[Any, dict[Any, str]]] = [{} for _ in keys]
    yield "["
    separator = ""
    for columns in _column_batches(table, chunk):
        pieces = [
            _encoded(column, key, end, found)
            for column, key, end, found in zip(columns, keys, ends, seen, strict=True)
        ]
        yield separator + _interleaved(pieces, ", ", ", ")
        separator = ", "
    yield "]"


def _encoded(
    column: Sequence[Any], key: str, end: str, seen: dict[Any, dict[Any, str]]
) -> list[str]:
    """Each cell of ``column`` as ``key`` + its JSON + ``end``, each distinct value encoded
    once (kept in ``seen`` for the next rows)."""

    def encode(value: Any) -> str:
        if type(value) is str:
            text = json_string(value)
        elif type(value) is float and math.isfinite(value):
            text = float.__repr__(value)  # what json.dumps writes for it, without its set-up
        else:
            text = json_text(value, indent=None)
        return key + text + end

    return _each_once(column, seen, encode)


_TEXT = {str, type(None)}  # text or None: equal values are of one type and written alike
_NUMBERS = {str, int, type(None)}  # nor these: no two of them are equal (True == 1: not bool)


def _each_once(
    column: Sequence[Any], seen: dict[Any, dict[Any, str]], encode: Callable[[Any], str]
) -> list[str]:
    """``encode`` of each cell of ``column``, called once per distinct value (``seen`` keeps
    them for the column's next rows). Text, whole numbers and None (or booleans, text and
    None) are told apart by value; anything else (floats, dates, whole numbers beside
    booleans) by type and repr (True == 1 == 1.0 and 0.0 == -0.0, but they are written
    differently). A column whose distinct values are all text or None is all text or None
    (nothing else equals them): its types are read from those few values, not every cell, and
    once its values are known its next cells are looked up in one pass."""
    text = seen.get("text")  # this column's text and None so far: a cell equal to one is one
    if text is not None:
        try:
            return list(map(text.__getitem__, column))
        except KeyError:  # a value not seen yet
            pass
    distinct = dict.fromkeys(column)
    kinds = set(map(type, distinct))
    if not kinds <= _TEXT:  # another value may hide behind an equal one (1 and True)
        kinds = set(map(type, column))
    if kinds <= _NUMBERS or kinds <= {bool, *_TEXT}:
        lookup: Iterable[Any] = column
        found = seen.setdefault("text" if kinds <= _TEXT else bool in kinds, {})
        for value in distinct.keys() - found.keys():
            found[value] = encode(value)
    else:
        lookup = list(zip(map(type, column), map(repr, column), strict=True))
        found = seen.setdefault("typed", {})
        for typed, value in dict(zip(lookup, column, strict=True)).items():
            if typed not in found:
                found[typed] = encode(value)
    return list(map(found.__getitem__, lookup))


def _interleaved(pieces: list[list[str]], between: str, after: str) -> str:
    """The rows whose cells are ``pieces`` (column by column): each row's cells joined by
    ``between``, the rows by ``after`` (and ``after`` once more at the end when the two
    differ, as CSV's lines end). One join of every cell in row order, the cells put in place
    by a slice per column: no string per row."""
    width, count = len(pieces), len(pieces[0]) if pieces else 0
    if between == after:
        cells = [""] * (width * count)
        for i, column in enumerate(pieces):
            cells[i::width] = column
        return between.join(cells)
    cells = [between] * (2 * width * count)
    for i, column in enumerate(pieces):
        cells[2 * i :: 2 * width] = column
    cells[2 * width - 1 :: 2 * width] = [after] * count
    return "".join(cells)
