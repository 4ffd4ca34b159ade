"""Where a key sits in a TOML text, for error messages.

:mod:`tomllib` gives no positions, so this module scans the text once, following table headers
(``[scale]``, ``[[sections]]``, ``[[sections.items]]``…) and ``key = value`` lines, and records the
first line of every key path such as ``sections[2].items[0].kind``. The scan understands enough
of TOML for template files (headers, bare and quoted keys, multi-line strings); a key it cannot
place is reported against its nearest enclosing table, or without a line.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\[\]#]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=""")
_PARENT = re.compile(r"^(.*?)(\[\d+\]|\.[^.\[\]]+)$")


def join_key(parent: str, name: str) -> str:
    """``join_key("sections[0]", "id")`` is ``"sections[0].id"``; a top-level key is itself."""
    return f"{parent}.{name}" if parent else name


def parent_key(path: str) -> str:
    """The enclosing key path: ``a[1].b`` → ``a[1]`` → ``a`` → ``""``."""
    match = _PARENT.match(path)
    return match.group(1) if match else ""


class KeyLocator:
    """The line numbers (1-based) of the key paths of one TOML text."""

    def __init__(self, text: str) -> None:
        self._lines = _scan(text)

    def line(self, path: str) -> int | None:
        """The line of ``path``, else of its nearest enclosing table; ``None`` if neither."""
        while path:
            if path in self._lines:
                return self._lines[path]
            path = parent_key(path)
        return None


def _scan(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    counters: dict[str, int] = {}
    current = ""
    open_quote: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if open_quote is not None:
            if line.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        header = _HEADER.match(line)
        if header:
            current = _header_path(header.group(2), header.group(1) == "[[", counters)
            found.setdefault(current, number)
            if header.group(1) == "[[":  # the array itself starts at its first element
                found.setdefault(parent_key(current), number)
            continue
        key = _KEY.match(line)
        if key:
            found.setdefault(join_key(current, key.group(1).strip("\"'")), number)
        open_quote = _opens_multiline(line)
    return found


def _opens_multiline(line: str) -> str | None:
    """The quote that starts a multi-line string left open at the end of ``line``, if any."""
    for quote in ('"""', "'''"):
        if line.count(quote) % 2 == 1:
            return quote
    return None


def _header_path(name: str, is_array: bool, counters: dict[str, int]) -> str:
    """The concrete path of a header, e.g. ``[[sections.items]]`` → ``sections[2].items[0]``."""
    parts = [part.strip().strip("\"'") for part in name.split(".")]
    path = ""
    for part in parts[:-1]:
        path = join_key(path, part)
        if path in counters:  # an array of tables: its current (last) element
            path = f"{path}[{counters[path]}]"
    path = join_key(path, parts[-1])
    if not is_array:
        return path
    counters[path] = counters.get(path, -1) + 1
    return f"{path}[{counters[path]}]"
