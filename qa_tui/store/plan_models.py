"""The tables of planning the programme (issue 14): the case list imported from the
case-management system, plans with their review groups and allocations, and the board's
meetings, systemic actions and their updates. Part of :mod:`qa_tui.store.models`, which names
them all.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qa_tui.store.change_log import ID, Base
from qa_tui.store.records import Created, Provenance, Record


class CaseRecord(Base):
    """One case of the case list imported from the case-management system (reference data the
    QA desk keeps, like ``teams``): a case reference and where the case sits — never a name.

    Not history: an import replaces the list (the export is the system's whole list). Plans
    copy what they need of a case into their allocations, which sync.
    """

    __tablename__ = "case_list"
    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    service_area: Mapped[str] = mapped_column(String(200), default="")
    team: Mapped[str] = mapped_column(String(200), default="")
    worker: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(200), default="")
    opened_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    extra: Mapped[str] = mapped_column(Text, default="")  # JSON: other columns, by header
    line: Mapped[int] = mapped_column(Integer, default=0)  # the line of the file it came from
    imported_at: Mapped[str] = mapped_column(String(32), default="")


class Plan(Record, Provenance):
    """A planned piece of the programme: a practice day (or fortnight), a dip sample, or a
    thematic evaluation with its terms of reference and findings.

    The root of its own aggregate (like a moderation session): its review group
    (``plan_members``) and its allocations sync and merge with it (docs/sync.md).
    """

    __tablename__ = "plans"
    kind: Mapped[str] = mapped_column(String(16), default="practice_day")
    title: Mapped[str] = mapped_column(String(200), default="")
    service_area: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    hypothesis: Mapped[str] = mapped_column(Text, default="")
    template_id: Mapped[str] = mapped_column(String(100), default="")
    sample: Mapped[str] = mapped_column(Text, default="")  # JSON: how its cases were drawn
    rules: Mapped[str] = mapped_column(Text, default="")  # JSON: the allocation rules used
    notes: Mapped[str] = mapped_column(Text, default="")
    # Terms of reference of a thematic evaluation (seed 000 §5.4-5.5).
    tor_why: Mapped[str] = mapped_column(Text, default="")
    tor_scope: Mapped[str] = mapped_column(Text, default="")
    tor_criteria: Mapped[str] = mapped_column(Text, default="")
    tor_who: Mapped[str] = mapped_column(Text, default="")
    tor_methods: Mapped[str] = mapped_column(Text, default="")
    tor_timescale: Mapped[str] = mapped_column(Text, default="")
    # Its findings record (what the thematic report turns into the board paper).
    findings_strengths: Mapped[str] = mapped_column(Text, default="")
    findings_barriers: Mapped[str] = mapped_column(Text, default="")
    findings_good_practice: Mapped[str] = mapped_column(Text, default="")
    findings_weaknesses: Mapped[str] = mapped_column(Text, default="")
    findings_board_actions: Mapped[str] = mapped_column(Text, default="")


class PlanMember(Record):
    """A manager of a plan's review group: their own line (team), the workers they supervise
    directly (one per line), and their role. The id is derived from the plan and the name."""

    __tablename__ = "plan_members"
    plan_id: Mapped[str] = mapped_column(ID, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    team: Mapped[str] = mapped_column(String(200), default="")
    service_area: Mapped[str] = mapped_column(String(200), default="")
    supervises: Mapped[str] = mapped_column(Text, default="")


class Allocation(Record):
    """One case of a plan allocated to one reviewer; the id is derived from the plan and the
    case reference. ``started_evaluation_id`` names the evaluation started from it (empty:
    not yet)."""

    __tablename__ = "allocations"
    plan_id: Mapped[str] = mapped_column(ID, index=True)
    case_reference: Mapped[str] = mapped_column(String(64), default="")
    reviewer: Mapped[str] = mapped_column(String(200), default="", index=True)
    service_area: Mapped[str] = mapped_column(String(200), default="")
    team: Mapped[str] = mapped_column(String(200), default="")
    worker: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    started_evaluation_id: Mapped[str] = mapped_column(String(36), default="")


class BoardMeeting(Record, Provenance):
    """A meeting of the Quality, Performance and Impact Board, scheduled for the year with the
    deadline for reports to it (seed 000 §6.4). The root of its own aggregate."""

    __tablename__ = "board_meetings"
    held_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    report_deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")


class BoardAction(Record, Provenance):
    """A systemic action the board commissioned (§6.8-6.9, §6.13), distinct from the actions
    of single evaluations: owner, due date, status, the evidence that the change made a
    difference, and (optionally) the thematic evaluation it came from. The root of its own
    aggregate; its progress updates (``board_action_updates``) belong to it."""

    __tablename__ = "board_actions"
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    raised_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    due_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    evidence: Mapped[str] = mapped_column(Text, default="")
    plan_id: Mapped[str] = mapped_column(String(36), default="")


class BoardActionUpdate(Record, Created):
    """One progress update on a systemic action (a record of its own, so two people's updates
    are both kept rather than conflicting on one field)."""

    __tablename__ = "board_action_updates"
    action_id: Mapped[str] = mapped_column(ID, index=True)
    updated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="")
    note: Mapped[str] = mapped_column(Text, default="")
