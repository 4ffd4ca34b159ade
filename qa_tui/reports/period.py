"""Report periods as people write them: ``2026``, ``2026-Q3``, ``2026-10``, or a range.

A :class:`Period` is a closed range of dates with a label ("October 2026", "2026 Q3"); it
knows the period before it (for "change from the previous period") and the months it spans
(for trends and the monthly expectation).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from qa_tui.errors import ValidationError

FORMS = "2026, 2026-Q3, 2026-10, or 2026-01-01..2026-06-30"
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date
    label: str
    kind: str = "range"  # year, quarter, month or range: what "previous" means

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> list[tuple[int, int]]:
        """The (year, month) pairs the period touches, in order."""
        out = []
        year, month = self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    def previous(self) -> Period:
        """The period just before, of the same kind (a range: the same number of days)."""
        if self.kind == "year":
            return year(self.start.year - 1)
        if self.kind == "quarter":
            q = (self.start.month - 1) // 3 + 1
            return quarter(self.start.year - 1, 4) if q == 1 else quarter(self.start.year, q - 1)
        if self.kind == "month":
            y, m = self.start.year, self.start.month
            return month(y - 1, 12) if m == 1 else month(y, m - 1)
        end = self.start - dt.timedelta(days=1)
        start = end - dt.timedelta(days=self.days - 1)
        return Period(start, end, f"{start.isoformat()} to {end.isoformat()}")


def year(y: int) -> Period:
    return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), str(y), "year")


def quarter(y: int, q: int) -> Period:
    first = 3 * (q - 1) + 1
    return Period(dt.date(y, first, 1), _month_end(y, first + 2), f"{y} Q{q}", "quarter")


def month(y: int, m: int) -> Period:
    start = dt.date(y, m, 1)
    return Period(start, _month_end(y, m), f"{calendar.month_name[m]} {y}", "month")


def parse_period(text: str) -> Period:
    """A period from its written form; a one-line :class:`ValidationError` listing the forms
    otherwise."""
    value = text.strip()
    try:
        if found := _YEAR.match(value):
            return year(int(found[1]))
        if found := _QUARTER.match(value):
            return quarter(int(found[1]), int(found[2]))
        if found := _MONTH.match(value):
            y, m = int(found[1]), int(found[2])
            if not 1 <= m <= 12:
                raise ValueError(f"month {m}")
            return month(y, m)
        if found := _RANGE.match(value):
            start, end = dt.date.fromisoformat(found[1]), dt.date.fromisoformat(found[2])
            if end < start:
                raise ValueError("the range ends before it starts")
            return Period(start, end, f"{start.isoformat()} to {end.isoformat()}")
    except ValueError as err:
        raise ValidationError(
            f"period {text!r}: {err}; write it as {FORMS}", field="period"
        ) from None
    raise ValidationError(f"period {text!r}: write it as {FORMS}", field="period")


def default_period(today: dt.date) -> Period:
    """The last complete month: what a monthly board report is about."""
    first = today.replace(day=1)
    last = first - dt.timedelta(days=1)
    return month(last.year, last.month)
