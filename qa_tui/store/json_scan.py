"""JSON read without ``json.loads``' two Python calls around its scanner.

Every change's value is a JSON text, and a big merge reads millions of them — checked as a
bundle arrives (:mod:`qa_tui.sync.wire_values`) and again as its records are derived
(:mod:`qa_tui.store.bulk_derive`): the calls around the scanner (C) were a measurable part of
that time (docs/sync.md). One helper for both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

# The scanner (C) of a decoder with json.loads's settings (its own, json._default_decoder).
_SCAN: Callable[[str, int], tuple[Any, int]] = getattr(json.JSONDecoder(), "scan_once")  # noqa: B009


def loads_whole(text: str) -> Any:
    """``json.loads(text)`` without its two Python calls around the scanner, for a text the
    scanner reads whole from its first character; anything else (space around it, something
    after it, not JSON) goes to ``json.loads``, which reads it or says why not."""
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)
