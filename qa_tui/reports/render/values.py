"""How a cell's value is written for people (Markdown, HTML): numbers, shares, dates."""

from __future__ import annotations

from qa_tui.reports.model import Cell, Column


def shown_value(value: Cell, column: Column) -> str:
    """A value as a reader sees it; empty for a missing one (never "None" or "nan")."""
    if value is None or value == "":
        return "—"
    if column.kind == "percent" and isinstance(value, int | float):
        return f"{value * 100:.0f}%"
    if column.kind == "points" and isinstance(value, int | float):
        return "no change" if round(value) == 0 else f"{value:+.0f} points"
    if column.kind == "float" and isinstance(value, int | float):
        return f"{value:.2f}"
    if column.kind == "int" and isinstance(value, int | float):
        return f"{int(value):,}"
    return str(value)
