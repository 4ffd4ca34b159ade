"""Writing the tidy data (:mod:`qa_tui.reports.tidy`) as CSV files, one workbook, or Parquet.

* ``csv`` — a folder with one ``TABLE.csv`` a table (UTF-8 with a byte-order mark, so Excel
  reads accents right), every cell through :func:`qa_tui.textsafe.cell`.
* ``xlsx`` — one workbook, a sheet a table (a table longer than a sheet can hold continues on
  ``TABLE (2)``…), headers frozen, dates as dates, written row by row in constant memory.
* ``parquet`` — a folder with one ``TABLE.parquet`` a table, typed columns; needs the
  optional ``pyarrow`` (``pip install 'qa-tui[parquet]'``).

Each file is written to a temporary name and renamed when complete, readable by the owner
alone: a failure leaves no half-written file under a real name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from qa_tui.errors import QaError, ValidationError
from qa_tui.fsutil import atomic_writer, make_private_dir
from qa_tui.reports.tidy import TidyTable, tables
from qa_tui.store.db import Store
from qa_tui.textsafe import cell

DATA_FORMATS = ("csv", "xlsx", "parquet")
XLSX_ROWS = 1_048_575  # data rows a sheet holds under its header


def write_data(store: Store, fmt: str, out: Path) -> dict[str, int]:
    """Write every table in ``fmt`` to ``out``; returns the rows written per table."""
    if fmt not in DATA_FORMATS:
        raise ValidationError(f"format {fmt!r}: one of {', '.join(DATA_FORMATS)}", field="format")
    if fmt == "parquet":
        _need_pyarrow()
    if fmt in ("csv", "parquet"):
        _folder(out)
    with store.reader() as session:
        if fmt == "xlsx":
            return _xlsx(tables(session), out)
        writer = _csv_table if fmt == "csv" else _parquet_table
        return {t.name: writer(t, found, out / f"{t.name}.{fmt}") for t, found in tables(session)}


def _folder(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise QaError(
            f"{out}: is a file; csv and parquet are written to a folder, one file a table"
        )
    make_private_dir(out)


def _need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise QaError("parquet needs pyarrow: pip install 'qa-tui[parquet]'") from None


def _csv_table(table: TidyTable, found: Iterator[tuple[Any, ...]], path: Path) -> int:
    count = 0
    with atomic_writer(path) as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        out = csv.writer(text, lineterminator="\r\n")
        out.writerow([c.key for c in table.columns])
        for row in found:
            out.writerow([_csv_cell(v) for v in row])
            count += 1
        text.flush()
        text.detach()
    return count


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return cell(value)


def _xlsx(
    found: Iterator[tuple[TidyTable, Iterator[tuple[Any, ...]]]], out: Path
) -> dict[str, int]:
    import xlsxwriter

    counts: dict[str, int] = {}
    with atomic_writer(out) as handle:
        book = xlsxwriter.Workbook(
            handle,
            {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        head = book.add_format({"bold": True, "bg_color": "#E9F0F7", "border": 1})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        for table, rows in found:
            counts[table.name] = _xlsx_table(book, table, rows, head, day)
        book.close()
    return counts


def _new_sheet(book: Any, table: TidyTable, part: int, head: Any) -> Any:
    name = table.name[:31] if part == 1 else f"{table.name[:26]} ({part})"
    sheet = book.add_worksheet(name)
    for col, column in enumerate(table.columns):
        sheet.set_column(col, col, 40 if column.key in _LONG else max(12, len(column.key) + 2))
        sheet.write_string(0, col, column.key, head)
    sheet.freeze_panes(1, 0)
    return sheet


_LONG = {
    "evidence",
    "text",
    "summary_strengths",
    "summary_development",
    "standard",
    "rationale",
    "description",
    "progress",
    "learning_points",
    "question",
    "list",
}


def _xlsx_table(
    book: Any, table: TidyTable, rows: Iterator[tuple[Any, ...]], head: Any, day: Any
) -> int:
    from qa_tui.reports.render.xlsx import MAX_CELL

    part, sheet, line, count = 1, _new_sheet(book, table, 1, head), 0, 0
    kinds = [c.kind for c in table.columns]
    for row in rows:
        if line == XLSX_ROWS:
            part, line = part + 1, 0
            sheet = _new_sheet(book, table, part, head)
        line += 1
        count += 1
        for col, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            if value is None or value == "":
                continue
            if kind == "date":
                sheet.write_datetime(line, col, dt.datetime.fromisoformat(str(value)), day)
            elif kind == "bool":
                sheet.write_boolean(line, col, bool(value))
            elif kind in ("int", "float") and isinstance(value, int | float):
                sheet.write_number(line, col, value)
            else:
                text = str(cell(str(value)))
                sheet.write_string(
                    line,
                    col,
                    text
                    if len(text) <= MAX_CELL
                    else text[: MAX_CELL - 40] + "… (cut: see the CSV)",
                )
    return count


_ARROW = {"text": "string", "int": "int64", "float": "float64", "date": "date32", "bool": "bool_"}


def _parquet_table(table: TidyTable, found: Iterator[tuple[Any, ...]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([(c.key, getattr(pa, _ARROW[c.kind])()) for c in table.columns])
    dates = [i for i, c in enumerate(table.columns) if c.kind == "date"]
    count = 0
    with atomic_writer(path) as handle:
        writer = pq.ParquetWriter(handle, schema)
        batch: list[tuple[Any, ...]] = []
        for row in found:
            batch.append(_arrow_row(row, dates))
            if len(batch) == 10_000:
                count += _flush(writer, schema, batch)
        count += _flush(writer, schema, batch)
        writer.close()
    return count


def _arrow_row(row: tuple[Any, ...], dates: list[int]) -> tuple[Any, ...]:
    if not dates:
        return row
    values = list(row)
    for i in dates:
        if values[i]:
            values[i] = dt.date.fromisoformat(str(values[i]))
    return tuple(values)


def _flush(writer: Any, schema: Any, batch: list[tuple[Any, ...]]) -> int:
    import pyarrow as pa

    if not batch and writer is None:
        return 0
    columns: list[Any] = list(zip(*batch, strict=True)) if batch else [[] for _ in schema]
    writer.write_table(
        pa.Table.from_arrays(
            [pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)],
            schema=schema,
        )
    )
    count = len(batch)
    batch.clear()
    return count
