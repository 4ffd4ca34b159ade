"""What a report is, before any format: sections of figures, tables, charts and text.

Every number says what it rests on: a :class:`Figure` carries its ``n``, a :class:`Table` its
rows (the pairs or counts behind the figures), a :class:`Chart` names the table it draws. The
renderers only lay these out; they compute nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from qa_tui.reports.period import Period

ColumnKind = Literal["text", "int", "float", "percent", "points", "date"]
Cell = str | int | float | None


@dataclass(frozen=True)
class Column:
    """A table column: a stable ``key`` (CSV/JSON header), the ``label`` people read, and
    how its values are written (``percent``: a share from 0 to 1, shown as a percentage;
    ``points``: a change of a share, in percentage points, shown signed)."""

    key: str
    label: str
    kind: ColumnKind = "text"
    reading: bool = True  # False: a code for analysis (CSV, JSON, XLSX), left out of md/html


@dataclass(frozen=True)
class Table:
    """Rows under stable column keys; ``name`` is the table's id (a sheet, a JSON key)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    # A tuple, or a sequence that makes its rows as they are read (a big data-only table).
    rows: Sequence[tuple[Cell, ...]]
    note: str = ""
    # Data for the QA team's own analysis (e.g. every pair a figure rests on): in full in CSV,
    # JSON and XLSX; Markdown and HTML say how many rows it has and where to find them.
    data_only: bool = False

    def where_to_find(self) -> str:
        return (
            f"{self.title}: {len(self.rows):,} rows, in the CSV, JSON and XLSX versions of this "
            "report"
        )

    def for_reading(self) -> tuple[tuple[Column, ...], list[tuple[Cell, ...]]]:
        """The columns people read (and each row's cells of them): Markdown and HTML."""
        keep = [i for i, c in enumerate(self.columns) if c.reading]
        return (
            tuple(self.columns[i] for i in keep),
            [tuple(row[i] for i in keep) for row in self.rows],
        )

    def records(self) -> list[dict[str, Cell]]:
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Figure:
    """One headline number as people read it (``text``), the value itself, and its ``n``."""

    label: str
    text: str
    value: float | int | None = None
    n: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Chart:
    """A bar, stacked bar or line chart over ``categories``; ``table`` names the table whose
    numbers it draws (XLSX charts point at that sheet)."""

    title: str
    kind: Literal["bar", "stacked_bar", "line"]
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    unit: str = ""
    table: str = ""


@dataclass(frozen=True)
class Paragraph:
    text: str


Block = Figure | Table | Chart | Paragraph


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReportQuery:
    """What a report is asked about: the period and, optionally, one service area or team
    (and, for the thematic report, one plan: its id)."""

    period: Period
    service_area: str = ""
    team: str = ""
    today: dt.date = field(default_factory=dt.date.today)
    plan: str = ""
    # The data-only tables' rows will be written (CSV, XLSX, JSON: :func:`writes_rows`).
    # Markdown and HTML only say where to find them, so a report made for them may leave
    # unread what only those rows show (the moderation pairs' blind graders).
    rows: bool = True

    def filters(self) -> dict[str, str]:
        found = {"service area": self.service_area, "team": self.team}
        return {k: v for k, v in found.items() if v}


@dataclass(frozen=True)
class Report:
    """One report: what it is about, where its data came from, and its sections."""

    kind: str
    title: str
    query: ReportQuery
    scope: str  # "Central database", or "This laptop only: …"
    generated: str  # when it was made (ISO 8601, UTC)
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()  # said first: emptiness, demo records, caveats

    @property
    def period(self) -> Period:
        return self.query.period

    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for s in self.sections for b in s.blocks if isinstance(b, Figure)]
