"""The imported case list (``case_list``): replacing it in bulk, and reading it as a frame.

Reference data, not history (like ``teams``): an import replaces the whole list in one
transaction, through ``executemany`` in batches, so a 200,000-row export lands in seconds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from qa_tui.store import models

BATCH = 5000
CASE_TABLE = cast(Table, models.CaseRecord.__table__)
CASE_FIELDS = ("service_area", "team", "worker", "category", "opened_on", "closed_on")


class CaseLike(Protocol):
    """A checked row of a case list (``qa_tui.domain.case_import.CaseRow``)."""

    @property
    def line(self) -> int: ...
    @property
    def reference(self) -> str: ...
    @property
    def service_area(self) -> str: ...
    @property
    def team(self) -> str: ...
    @property
    def worker(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def opened_on(self) -> dt.date | None: ...
    @property
    def closed_on(self) -> dt.date | None: ...
    @property
    def extra(self) -> tuple[tuple[str, str], ...]: ...


def replace_cases(
    session: Session,
    rows: Sequence[CaseLike],
    stamp: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Replace the case list with ``rows`` (in the caller's transaction); returns how many.
    ``progress(n)`` is called after each batch with the rows written so far."""
    session.execute(delete(models.CaseRecord))
    written = 0
    for start in range(0, len(rows), BATCH):
        batch = [
            {
                "reference": r.reference,
                "service_area": r.service_area,
                "team": r.team,
                "worker": r.worker,
                "category": r.category,
                "opened_on": r.opened_on,
                "closed_on": r.closed_on,
                "extra": json.dumps(dict(r.extra), ensure_ascii=False) if r.extra else "",
                "line": r.line,
                "imported_at": stamp,
            }
            for r in rows[start : start + BATCH]
        ]
        # A Core insert: one executemany per batch (the ORM's bulk path would split the
        # batch by which columns are None).
        session.execute(insert(CASE_TABLE), batch)
        written += len(batch)
        if progress is not None:
            progress(written)
    return written


def case_count(session: Session) -> int:
    """How many cases the imported list holds."""
    return int(session.scalar(select(func.count()).select_from(models.CaseRecord)) or 0)


@dataclass(frozen=True)
class FrameCase:
    """A case as a sampling frame sees it."""

    reference: str
    service_area: str
    team: str
    worker: str
    category: str
    open: bool


def case_frame(session: Session, where: dict[str, str], open_only: bool = False) -> list[FrameCase]:
    """The cases matching ``where`` (field -> value, exact), in order of reference (sorted
    here, not by the database: SQLite and PostgreSQL collate text differently)."""
    c = models.CaseRecord
    query: Any = select(c.reference, c.service_area, c.team, c.worker, c.category, c.closed_on)
    for name, value in where.items():
        query = query.where(getattr(c, name) == value)
    if open_only:
        query = query.where(c.closed_on.is_(None))
    rows = session.execute(query)
    found = [FrameCase(r, s, t, w, k, closed is None) for r, s, t, w, k, closed in rows]
    return sorted(found, key=lambda case: case.reference)


def case_units(session: Session, where: dict[str, str], strata: str) -> list[tuple[str, str]]:
    """(reference, the value of the ``strata`` field or "") of the cases matching ``where``:
    a sampling frame, read in one query of two columns."""
    c = models.CaseRecord
    column: Any = getattr(c, strata) if strata else c.reference
    query: Any = select(c.reference, column)
    for name, value in where.items():
        query = query.where(getattr(c, name) == value)
    # The driver's own rows: both columns are text, which needs no conversion, and building
    # 200,000 result rows would cost a third of a second.
    cursor = session.connection().execute(query).cursor
    rows = cursor.fetchall()
    return [(ref, value or "") for ref, value in rows] if strata else [(r, "") for r, _v in rows]


def cases_by_reference(session: Session, refs: Iterable[str]) -> dict[str, models.CaseRecord]:
    """The imported cases with these references."""
    wanted = sorted(set(refs))
    found: dict[str, models.CaseRecord] = {}
    for start in range(0, len(wanted), 500):
        query = select(models.CaseRecord).where(
            models.CaseRecord.reference.in_(wanted[start : start + 500])
        )
        found.update({row.reference: row for row in session.scalars(query)})
    return found
