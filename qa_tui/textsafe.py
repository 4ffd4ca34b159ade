"""Showing user text safely: terminals, CSV and spreadsheets.

User text is stored exactly as typed. Where it is shown, control characters (terminal escape
sequences among them) are made visible instead of being obeyed, and spreadsheet formulas are
neutralised so a cell never runs.

Two forms, one rule each:

* :func:`shown` — for the terminal (every widget, notification, palette entry and title of
  the TUI). Character for character: each control character becomes one visible character of
  one cell (``ESC`` → ``␛``, ``BEL`` → ``␇``, a C1 control, a bidirectional override or a lone
  surrogate → ``�``), so an editor's cursor and wrapping stay where they were.
* :func:`printable` — for files and command output (tables, text): ``\\x1b``-style escapes,
  reversible (:func:`unprintable` gives the text back exactly), so nothing is lost or
  ambiguous when the file is read back.
* :func:`json_text` — JSON for command output: what JSON leaves raw (C1 controls, DEL, bidi
  controls, separators, lone surrogates) as ``\\uNNNN``; ``json.loads`` gives the same data.
* :func:`cell` — the one writer of a CSV or spreadsheet cell: :func:`printable` on one line,
  then formula neutralising. Every CSV and XLSX writer calls it for every cell.
"""

from __future__ import annotations

import re
from typing import Any

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


# What printable() escapes: what _UNSAFE holds but tab and newline (they too with
# keep_breaks=False), and a backslash that would read as the start of an escape, so that
# unprintable() decodes exactly.
_CONTROLS = (
    r"\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
    r"\u2066-\u2069\ud800-\udfff"
)
_AMBIGUOUS_BACKSLASH = r"\\(?=x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4})"
_ESCAPED = re.compile(f"{_AMBIGUOUS_BACKSLASH}|[{_CONTROLS}]")
_ESCAPED_ONE_LINE = re.compile(f"{_AMBIGUOUS_BACKSLASH}|[\\t\\n{_CONTROLS}]")
_ESCAPE = re.compile(r"\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, *, keep_breaks: bool = True) -> str:
    """``text`` with every control character written as an escape, reversibly.

    C0 and C1 controls and DEL become ``\\xNN``; bidirectional embeddings, overrides and
    isolates, the Unicode line and paragraph separators and lone surrogates become
    ``\\uNNNN``. A backslash that is followed by what reads as an escape becomes ``\\x5c``,
    so :func:`unprintable` gives back exactly the original. Newlines and tabs are kept unless
    ``keep_breaks`` is False (one line, as in a CSV cell). Text without any of these (the
    common case) comes back unchanged.
    """
    pattern = _ESCAPED if keep_breaks else _ESCAPED_ONE_LINE
    return pattern.sub(_escape, text)


def unprintable(text: str) -> str:
    """The original of :func:`printable`'s output: each ``\\xNN`` and ``\\uNNNN`` decoded."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


# What json.dumps(ensure_ascii=False) leaves raw but a terminal may obey: it escapes C0 itself,
# and everything here can only occur inside a JSON string, where \uNNNN means the same.
_JSON_RAW = re.compile(
    r"[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def json_text(data: Any, *, indent: int | None = 2) -> str:
    """``data`` as JSON for a terminal or a file: readable non-ASCII text kept as it is, but
    every control character escaped, so nothing is obeyed and ``json.loads`` gives back
    exactly ``data``."""
    import json

    text = json.dumps(data, indent=indent, ensure_ascii=False)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def json_string(text: str) -> str:
    """``json_text(text, indent=None)`` of a string, without the encoder's set-up (a report
    encodes tens of thousands of distinct cells one at a time)."""
    from json.encoder import encode_basestring

    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", encode_basestring(text))


def one_line(text: str, limit: int = 80) -> str:
    """A single printable line, shortened with an ellipsis past ``limit`` characters."""
    flat = " ".join(printable(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


# A cell a spreadsheet would run: after spaces, "=", "+", "-" or "@", or a tab or carriage
# return (escaped by printable(), so seen as "\x09" / "\x0d"). Leading quotes are skipped
# too, so a value that already starts with a quote gets one more and stays reversible.
_FORMULA = re.compile(r"'*\s*(?:[=+\-@]|\\x09|\\x0d)")


def cell(value: Any) -> Any:
    """A value as a CSV or XLSX cell must hold it: the single cell writer of the project.

    Text goes through :func:`printable` on one line (every control character, tab and newline
    included, made visible and reversible) and, if a spreadsheet would read it as a formula
    (its first non-space character is ``=``, ``+``, ``-``, ``@``, a tab or a CR), gets a
    leading ``'``. Numbers, booleans and None are returned as they are.

    Reversible: :func:`uncell` gives back the original text.
    """
    if not isinstance(value, str):
        return value
    text = printable(value, keep_breaks=False)
    return "'" + text if _FORMULA.match(text) else text


def uncell(text: str) -> str:
    """The original text of a :func:`cell` (for tests and for reading an export back)."""
    if text.startswith("'") and _FORMULA.match(text, 1):
        text = text[1:]
    return unprintable(text)
