"""One report, five formats: each renderer lays out the same :class:`Report` and computes
nothing. :func:`render` picks one by name; every renderer escapes what it writes."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from qa_tui.errors import ValidationError
from qa_tui.reports.model import Report

FORMATS = ("md", "html", "csv", "xlsx", "json")
_WITH_ROWS = ("csv", "xlsx", "json")  # formats that write the data-only tables' rows


def writes_rows(fmt: str) -> bool:
    """Whether format ``fmt`` writes the data-only tables' rows (``ReportQuery.rows``);
    Markdown and HTML say where to find them."""
    return fmt in _WITH_ROWS


def render(report: Report, fmt: str) -> bytes:
    """The report as the bytes of one file in format ``fmt``."""
    if fmt == "md":
        from qa_tui.reports.render.markdown import markdown

        return markdown(report).encode("utf-8")
    if fmt == "html":
        from qa_tui.reports.render.html import html

        return html(report).encode("utf-8")
    if fmt == "csv":
        from qa_tui.reports.render.tables import csv_text

        return csv_text(report).encode("utf-8")
    if fmt == "json":
        from qa_tui.reports.render.tables import json_bytes

        return json_bytes(report)
    if fmt == "xlsx":
        from qa_tui.reports.render.xlsx import xlsx

        return xlsx(report)
    raise ValidationError(f"format {fmt!r}: one of {', '.join(FORMATS)}", field="format")


def pieces(report: Report, fmt: str) -> Iterable[bytes]:
    """:func:`render`'s bytes a piece at a time: CSV and JSON as they are made (a year's
    moderation pairs are tens of megabytes: never held whole, nor twice)."""
    if fmt == "csv":
        from qa_tui.reports.render.tables import csv_pieces

        return (piece.encode("utf-8") for piece in csv_pieces(report))
    if fmt == "json":
        from qa_tui.reports.render.tables import json_pieces

        return (piece.encode("utf-8") for piece in json_pieces(report))
    return (render(report, fmt),)


def write_report(report: Report, fmt: str, out: Path) -> None:
    """Render and write atomically, readable by the owner alone."""
    from qa_tui.fsutil import atomic_writer

    made = pieces(report, fmt)  # an unknown format is refused before any file is made
    with atomic_writer(out) as handle:
        for piece in made:
            handle.write(piece)
