"""Showing user text safely: terminals, CSV and spreadsheets.

User text is stored exactly as typed. Where it is shown, control characters (terminal escape
sequences among them) are made visible instead of being obeyed, and spreadsheet formulas are
neutralised so a cell never runs.

Two forms, one rule each:

* :func:`shown` — for the terminal (every widget, notification, palette entry and title of
  the TUI). Character for character: each control character becomes one visible character of
  one cell (``ESC`` → ``␛``, ``BEL`` → ``␇``, a C1 control, a bidirectional override or a lone
  surrogate → ``�``), so an editor's cursor and wrapping stay where they were.
* :func:`printable` — for files and command output (CSV, JSON, tables): ``\\x1b``-style escapes,
  reversible, so nothing is lost or ambiguous when the file is read back.
"""

from __future__ import annotations

import re
from typing import Any

# C0 (but tab and newline), DEL and C1: what a terminal may obey.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What a terminal may obey or reorder: every C0 and C1 control, DEL, the bidirectional
# embeddings, overrides and isolates (text that displays in another order than it reads), the
# Unicode line and paragraph separators, and lone surrogates (which no terminal can encode).
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_REPLACEMENT = "\ufffd"


def _picture(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control pictures: ␀ … ␟
    if code == 0x7F:
        return "\u2421"  # ␡
    if char in "\u2028\u2029":
        return "\u2424"  # ␤
    return _REPLACEMENT


_PICTURES = {code: _picture(chr(code)) for code in range(0x20)}
_PICTURES.update({0x7F: "\u2421", 0x2028: "\u2424", 0x2029: "\u2424"})


def shown(text: str, *, multiline: bool = False) -> str:
    """``text`` as the terminal may draw it: every control character made visible.

    One character in, one character out, each one cell wide. With ``multiline`` a newline
    (and a CR+LF pair, as one newline) is kept as a line break and a tab as a tab; otherwise
    they too become visible (``␊``, ``␉``), so a single-line place never breaks.
    """
    if not _UNSAFE.search(text):
        return text
    if multiline:
        text = text.replace("\r\n", "\n")

    def visible(match: re.Match[str]) -> str:
        char = match.group()
        if multiline and char in "\n\t":
            return char
        return _PICTURES.get(ord(char), _REPLACEMENT)

    return _UNSAFE.sub(visible, text)


def is_shown_safe(text: str, *, multiline: bool = False) -> bool:
    """Whether ``text`` holds nothing :func:`shown` would change (for tests and assertions)."""
    unsafe = _UNSAFE.findall(text)
    return all(multiline and char in "\n\t" for char in unsafe)


def printable(text: str) -> str:
    """``text`` with control characters shown as ``\\xNN`` (newlines and tabs kept)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def one_line(text: str, limit: int = 80) -> str:
    """A single printable line, shortened with an ellipsis past ``limit`` characters."""
    flat = " ".join(printable(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def csv_cell(value: Any) -> Any:
    """A value safe for CSV/XLSX: text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value
