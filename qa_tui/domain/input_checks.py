"""Checks on user input, each failing with a :class:`ValidationError` naming the field."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from qa_tui.errors import ValidationError
from qa_tui.vocab import MAX_SHORT_TEXT, MAX_TEXT


def text(value: Any, label: str, field: str, *, short: bool = False) -> str:
    """Free text, stored exactly as typed; only its type and length are checked."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError(f"{label}: must be text", field=field)
    limit = MAX_SHORT_TEXT if short else MAX_TEXT
    if len(value) > limit:
        raise ValidationError(
            f"{label}: {len(value):,} characters is too long (at most {limit:,})", field=field
        )
    return value


def parse_date(value: Any, label: str, field: str) -> dt.date | None:
    """A date from ``date``, ``YYYY-MM-DD`` or ``DD/MM/YYYY``; empty means no date."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        raw = value.strip()
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
    raise ValidationError(
        f"{label}: {str(value)[:40]!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY)", field=field
    )


def case_reference(value: Any, pattern: str) -> str:
    """A case reference from the case-management system: a pseudonymous ID, never a name."""
    ref = text(value, "Case reference", "case_reference", short=True).strip()
    if not ref:
        raise ValidationError("Case reference: required", field="case_reference")
    if not re.fullmatch(pattern, ref):
        raise ValidationError(
            f"Case reference: {ref[:40]!r} does not match this authority's pattern {pattern}",
            field="case_reference",
        )
    return ref


def choice(value: Any, allowed: dict[str, str] | tuple[str, ...], label: str, field: str) -> str:
    if value not in allowed:
        names = ", ".join(allowed)
        raise ValidationError(f"{label}: {value!r} is not one of {names}", field=field)
    return str(value)


def score(value: Any, field: str = "score") -> int | None:
    """A scale from 0 to 10 (None: not given yet)."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 10:
        raise ValidationError(f"Scale: {value!r} is not a whole number from 0 to 10", field=field)
    return value


def optional_bool(value: Any, label: str, field: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raise ValidationError(f"{label}: must be yes or no", field=field)
