"""The kinds of report and the one way to make any of them.

A kind is a module with a ``build(session, query) -> ReportBody`` function, listed in
:data:`KINDS` (imported only when asked for, so start-up pays nothing). :func:`build` checks
the request — a known kind, a team or service area the database knows — says where the data
came from (the central database, or this laptop only), and times the report.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from sqlalchemy import ColumnElement, func, select

from qa_tui.errors import ValidationError
from qa_tui.reports.model import Report, ReportQuery, Section
from qa_tui.reports.where import counted_conditions
from qa_tui.store import tables
from qa_tui.store.db import Store

if TYPE_CHECKING:
    from typing import TypeAlias

    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

    # What a report reads through: an ORM session, or a Core connection (``ReportKind.core``).
    Reads: TypeAlias = Session | Connection

CENTRAL_SCOPE = "Central database: every evaluation merged from the laptops"
LAPTOP_SCOPE = "This laptop only: evaluations made or synced here, not the whole service"


@dataclass(frozen=True)
class ReportBody:
    """What a kind's ``build`` returns: the rest of the :class:`Report` is filled in here."""

    title: str
    sections: tuple[Section, ...]
    notes: tuple[str, ...] = ()
    # How many demo evaluations the figures count, when not the period's (a thematic
    # evaluation counts its own cases' evaluations): None lets build() count the period's.
    demo: int | None = None


class KindModule(Protocol):
    def build(self, session: Reads, query: ReportQuery) -> ReportBody: ...


@dataclass(frozen=True)
class ReportKind:
    name: str
    title: str
    summary: str
    module: str  # the module whose build() makes it
    # Its build() reads through a Core connection, not an ORM session: a headless report
    # that needs no ORM never imports it (store.Store.reading).
    core: bool = False

    def load(self) -> Callable[[Reads, ReportQuery], ReportBody]:
        module: KindModule = importlib.import_module(self.module)
        return module.build


# Each kind of report adds one line here.
_ALL: tuple[ReportKind, ...] = (
    ReportKind(
        "monthly",
        "Monthly report to the board",
        "Evaluations, grades, scaling, concerns, actions and moderation in a period (§6.7)",
        "qa_tui.reports.monthly",
    ),
    ReportKind(
        "team",
        "Team summary",
        "One team's strengths, development, improvements and progress by quarter (§4.10)",
        "qa_tui.reports.team",
    ),
    ReportKind(
        "quarterly",
        "Quarterly summary",
        "Activity, learning and change across the services, by service area (§4.12)",
        "qa_tui.reports.quarterly",
    ),
    ReportKind(
        "actions",
        "Actions",
        "Open, overdue and completed actions by owner, team and age",
        "qa_tui.reports.actions",
    ),
    ReportKind(
        "coverage",
        "Coverage",
        "The monthly expectation by manager, inside and outside their own line (§3.2–3.3)",
        "qa_tui.reports.coverage",
    ),
    ReportKind(
        "moderation",
        "Moderation",
        "Agreement with auditors' grades: shares, kappa and alpha, by session, team and item",
        "qa_tui.reports.moderation",
        core=True,
    ),
    ReportKind(
        "thematic",
        "Thematic evaluation (board paper)",
        "Terms of reference, cases, grades, findings and the board's actions (§5.5, §5.7)",
        "qa_tui.reports.thematic",
    ),
)
KINDS: dict[str, ReportKind] = {kind.name: kind for kind in _ALL}


def kind_names() -> str:
    return ", ".join(sorted(KINDS)) or "none yet"


# The evaluations as light table handles (qa_tui.store.tables): a report reads them without
# importing the ORM models, a tenth of a second of a headless report.
_E = tables.evaluations.c


def _known(session: Reads, column: ColumnElement[str]) -> list[str]:
    values = session.scalars(select(column).where(~_E.deleted).distinct())
    return sorted(v for v in values if v)


def filter_choices(session: Reads) -> tuple[list[str], list[str]]:
    """The service areas and the teams the evaluations name (for the screens' filters)."""
    return _known(session, _E.service_area), _known(session, _E.team)


def check_filters(session: Reads, query: ReportQuery) -> None:
    """A team or service area the database does not know is refused, listing those it does."""
    for label, value, column in (
        ("service area", query.service_area, _E.service_area),
        ("team", query.team, _E.team),
    ):
        if not value:
            continue
        known = _known(session, column)
        if value not in known:
            shown = ", ".join(known[:12]) + (
                f" and {len(known) - 12} more" if len(known) > 12 else ""
            )
            raise ValidationError(
                f"{label} {value!r} is not in this database; known: {shown or 'none'}",
                field=label.replace(" ", "_"),
            )


def scope_of(session: Reads) -> str:
    meta = tables.meta.c
    role = session.scalar(select(meta.value).where(meta.key == "role"))
    return CENTRAL_SCOPE if role == "central" else LAPTOP_SCOPE


def demo_note(session: Reads, query: ReportQuery, count: int | None = None) -> str:
    """ "Includes N demo evaluations" when the period holds fictional demo data (said by every
    report, whatever its kind); ``count``: the report counted its own evaluations."""
    if count is None:  # the period's evaluations, completed or not
        where = counted_conditions(_E, query, completed=False)
        counted = select(func.count()).select_from(tables.evaluations).where(*where, _E.demo)
        count = int(session.scalar(counted) or 0)
    if not count:
        return ""
    return f"Includes {count:,} demo evaluation{'s' if count != 1 else ''} (fictional data)."


def build(store: Store, kind: str, query: ReportQuery, now: dt.datetime | None = None) -> Report:
    """Make report ``kind`` for ``query`` from the database behind ``store``."""
    found = KINDS.get(kind)
    if found is None:
        raise ValidationError(f"report {kind!r}: the kinds are {kind_names()}", field="kind")
    make = found.load()
    stamp = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
    with store.reading() if found.core else store.reader() as session:
        check_filters(session, query)
        scope = scope_of(session)
        body = make(session, query)
        demo = demo_note(session, query, body.demo)
    if demo:
        body = ReportBody(body.title, body.sections, (*body.notes, demo))
    return Report(
        kind=kind,
        title=body.title,
        query=query,
        scope=scope,
        generated=stamp,
        sections=body.sections,
        notes=body.notes,
    )
