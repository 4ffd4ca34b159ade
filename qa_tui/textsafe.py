"""Showing user text safely outside the TUI: terminals, CSV and spreadsheets.

User text is stored exactly as typed. Where it is shown, control characters (terminal escape
sequences among them) are made visible instead of being obeyed, and spreadsheet formulas are
neutralised so a cell never runs.
"""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` (newlines and tabs kept)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str, limit: int = 80) -> str:
    """A single printable line, shortened with an ellipsis past ``limit`` characters."""
    flat = " ".join(printable(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def csv_cell(value: Any) -> Any:
    """A value safe for CSV/XLSX: text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
