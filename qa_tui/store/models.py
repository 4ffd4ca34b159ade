"""SQLAlchemy 2 typed ORM models.

Two layers:

* ``changes`` (with ``change_links``) is the append-only history: one row per change to one
  field of one record, made on one device, ordered by a Lamport counter. It is the truth. Its
  tables are in :mod:`qa_tui.store.change_log` (named here too, as they always were).
* The typed tables (``evaluations``, ``responses``, ``entries``, …), here, are the *current
  state*, derived from the history (see :mod:`qa_tui.store.history`) and always consistent
  with it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from qa_tui.store.blind_units import table_columns
from qa_tui.store.change_log import (
    DELETIONS,
    HID,
    ID,
    ID_MARK,
    Base,
    Change,
    ChangeLink,
    FieldState,
    HistoryId,
    Meta,
    Source,
    Writer,
    WriterKey,
    given_change,
    given_value,
    heads_json,
    kept_value,
    register_parent_keys,
    source_ids,
    writer_ids,
)

__all__ = [
    "DELETIONS",
    "HID",
    "ID",
    "ID_MARK",
    "PROVENANCE",
    "Action",
    "ActionUpdate",
    "Allocation",
    "Base",
    "BlindGrade",
    "BoardAction",
    "BoardActionUpdate",
    "BoardMeeting",
    "CaseRecord",
    "Change",
    "ChangeLink",
    "ConcernEvent",
    "ConcernShare",
    "Created",
    "CreatedBy",
    "Entry",
    "Evaluation",
    "Feedback",
    "FieldState",
    "HistoryId",
    "LifecycleEvent",
    "Meta",
    "Moderation",
    "ModerationJudgement",
    "ModerationSession",
    "Participant",
    "Plan",
    "PlanMember",
    "Provenance",
    "Record",
    "Response",
    "Scale",
    "SessionModerator",
    "Source",
    "SummaryShare",
    "Team",
    "TemplateSnapshot",
    "Writer",
    "WriterKey",
    "given_change",
    "given_value",
    "heads_json",
    "keeps_updated_at",
    "kept_provenance",
    "kept_value",
    "provenance",
    "register_parent_keys",
    "source_ids",
    "touch",
    "writer_ids",
]


class Record(Base):
    """Columns every current-state record has: its id and whether it is deleted.

    Who made a record, on which device and when, and when it last changed, are its history's
    (the winner of its ``_create`` field, its latest change). A table keeps a copy of those
    its readers need, and only those (migration 0021: the responses, entries and judgements
    of an evaluation repeated ~3.8 KB of them that nothing read) — :class:`Created`,
    :class:`CreatedBy`, :class:`Provenance`; :func:`provenance` gives a new record's.
    """

    __abstract__ = True

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Created:
    """When the record was made (its creation's wall time): kept where records are shown or
    ordered by it."""

    created_at: Mapped[str] = mapped_column(String(32))


class CreatedBy:
    """Who made the record (its creation's author): kept where it is shown."""

    created_by: Mapped[str] = mapped_column(String(200))


class Provenance(Created, CreatedBy):
    """All of it, kept by the roots of aggregates (an evaluation, a session, a plan, …: one row
    of an aggregate's many): who, on which device, when, and when it last changed."""

    created_device: Mapped[str] = mapped_column(ID)
    updated_at: Mapped[str] = mapped_column(String(32))


# The columns of a record's provenance, in the order tables made before 0021 held them.
PROVENANCE = ("created_by", "created_device", "created_at", "updated_at")
_KEPT: dict[type[Base], frozenset[str]] = {}


def kept_provenance(model: type[Base]) -> frozenset[str]:
    """The provenance columns ``model``'s table keeps."""
    kept = _KEPT.get(model)
    if kept is None:
        kept = _KEPT[model] = frozenset(PROVENANCE) & set(model.__table__.columns.keys())
    return kept


def provenance(model: type[Base], author: str, device_id: str, wall_time: str) -> dict[str, str]:
    """A new record's provenance columns, as its table keeps them, from its creation's
    author, device and wall time (``updated_at``: the creation's time, moved on by later
    changes)."""
    values = {
        "created_by": author,
        "created_device": device_id,
        "created_at": wall_time,
        "updated_at": wall_time,
    }
    kept = kept_provenance(model)
    return {name: value for name, value in values.items() if name in kept}


def keeps_updated_at(model: type[Base]) -> bool:
    return "updated_at" in kept_provenance(model)


def touch(row: Base, when: str) -> None:
    """A change at ``when`` reached ``row``: its ``updated_at`` moves on, where its table keeps
    one."""
    if isinstance(row, Provenance):
        row.updated_at = max(row.updated_at or "", when)


class Evaluation(Record, Provenance):
    __tablename__ = "evaluations"
    case_reference: Mapped[str] = mapped_column(String(64), default="")
    service_area: Mapped[str] = mapped_column(String(200), default="")
    team: Mapped[str] = mapped_column(String(200), default="")
    practitioner: Mapped[str] = mapped_column(String(200), default="")
    auditor: Mapped[str] = mapped_column(String(200), default="")
    auditor_role: Mapped[str] = mapped_column(String(200), default="")
    evaluation_type: Mapped[str] = mapped_column(String(32), default="collaborative")
    template_id: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[str] = mapped_column(String(32))
    template_hash: Mapped[str] = mapped_column(String(64))
    evaluation_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    practice_day: Mapped[str] = mapped_column(String(200), default="")
    theme: Mapped[str] = mapped_column(String(200), default="")
    practitioner_present: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    overall_grade: Mapped[str] = mapped_column(String(64), default="")
    overall_na_reason: Mapped[str] = mapped_column(Text, default="")
    summary_strengths: Mapped[str] = mapped_column(Text, default="")
    summary_development: Mapped[str] = mapped_column(Text, default="")
    immediate_concern: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    concern_description: Mapped[str] = mapped_column(Text, default="")
    completed_at: Mapped[str] = mapped_column(String(32), default="")
    # Fictional data made by ``qa-tui demo``: never handed over unless asked (--include-demo).
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    __table_args__ = (
        Index("ix_evaluations_case", "case_reference"),
        # Reports (migration 0004): a period's evaluations, and one found by id, from the
        # index pages alone.
        Index(
            "ix_evaluations_report",
            "evaluation_date",
            "status",
            "deleted",
            "service_area",
            "team",
            "evaluation_type",
            "template_id",
            "overall_grade",
            "auditor",
            "immediate_concern",
            "id",
        ),
        Index(
            "ix_evaluations_by_id",
            "id",
            "deleted",
            "template_id",
            "service_area",
            "team",
            "status",
            "evaluation_date",
            "template_hash",  # the moderation report's (migration 0022)
        ),
        Index("ix_evaluations_concern", "immediate_concern"),
        # The home list (migration 0011): its filter and newest-first order read only this
        # index, a keystroke's page and count never the table (store/home_window.py).
        Index(
            "ix_evaluations_home",
            "evaluation_date",
            "id",
            "deleted",
            "status",
            "overall_grade",
            "immediate_concern",
            "demo",
            "case_reference",
            "service_area",
            "team",
            "practitioner",
            "auditor",
        ),
    )


class Participant(Record, Created):
    """Someone who took part (auditor, practitioner, family member, …) and gives a scale."""

    __tablename__ = "participants"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")


class Response(Record):
    """The answer to one template item (grade + evidence, yes/no + reason, or text)."""

    __tablename__ = "responses"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"))
    item_id: Mapped[str] = mapped_column(String(100))
    grade: Mapped[str] = mapped_column(String(64), default="")
    na_reason: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    text: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        UniqueConstraint("evaluation_id", "item_id"),
        Index("ix_responses_report", "evaluation_id", "grade", "item_id", "deleted"),
    )


class Entry(Record):
    """One entry of a list item (what is working well, worries, what needs to happen, …)."""

    __tablename__ = "entries"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[float] = mapped_column(default=0.0)


class Scale(Record, Created):
    """One participant's scale (0–10) and rationale on one scaling item."""

    __tablename__ = "scales"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"))
    item_id: Mapped[str] = mapped_column(String(100))
    participant_id: Mapped[str] = mapped_column(ID)
    score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rationale: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (Index("ix_scales_report", "evaluation_id", "score", "item_id", "deleted"),)


class Feedback(Record, Created):
    """Service-user feedback: direct (who, what they said) or where found in the record."""

    __tablename__ = "feedback"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"), index=True)
    item_id: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(100), default="")
    given_by: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")


class Action(Record, Created):
    """An agreed action: what, who owns it, by when; tracked to completion."""

    __tablename__ = "actions"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    completed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    progress: Mapped[str] = mapped_column(Text, default="")
    # Derived from the action's progress updates (``store/tracking.py``), never set directly:
    # the latest update by date, then Lamport counter; an action without updates keeps the
    # status, completion date and progress it was agreed with (the fields above).
    current_status: Mapped[str] = mapped_column(String(16), default="open")
    status_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    status_note: Mapped[str] = mapped_column(Text, default="")
    status_by: Mapped[str] = mapped_column(String(200), default="")
    # The due date, or 9999-12-31 for none: what the tracker sorts and pages by (an index
    # gives that order at once; a NULL would sort first on SQLite and last on PostgreSQL).
    due_key: Mapped[dt.date] = mapped_column(Date, default=dt.date(9999, 12, 31))
    __table_args__ = (
        # Reports (migrations 0004, 0005): an evaluation's actions by status and dates.
        Index(
            "ix_actions_report",
            "evaluation_id",
            "current_status",
            "due_date",
            "status_on",
            "created_at",
            "deleted",
        ),
        Index("ix_actions_status_due", "current_status", "due_key", "id"),
        Index("ix_actions_due", "due_key", "id"),
        Index("ix_actions_owner", "owner"),
    )


class ActionUpdate(Record, CreatedBy):
    """A dated progress update on an action: its status from that day and a note.

    Updates are history: each is a record of its own (never edited), so updates made on two
    devices are both kept and the action's current status follows from all of them.
    """

    __tablename__ = "action_updates"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"), index=True)
    action_id: Mapped[str] = mapped_column(ID, index=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    note: Mapped[str] = mapped_column(Text, default="")
    updated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class ConcernShare(Record, Created):
    """The written notice of an immediate concern, shared with one recipient."""

    __tablename__ = "concern_shares"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"), index=True)
    recipient_role: Mapped[str] = mapped_column(String(64), default="")
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    shared_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    method: Mapped[str] = mapped_column(String(64), default="")


class ConcernEvent(Record, Created):
    """A step in an immediate concern's lifecycle after sharing: ``acknowledged`` (by whom,
    when) or ``closed`` (when, with the outcome). Each is a record of its own, never edited."""

    __tablename__ = "concern_events"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    person_role: Mapped[str] = mapped_column(String(64), default="")
    person_name: Mapped[str] = mapped_column(String(200), default="")
    happened_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class SummaryShare(Record, Created):
    """A completed evaluation's feedback summary, shared with one recipient (the child's
    electronic record, the practitioner, their team manager or the service manager)."""

    __tablename__ = "summary_shares"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"), index=True)
    recipient_role: Mapped[str] = mapped_column(String(64), default="")
    recipient_name: Mapped[str] = mapped_column(String(200), default="")
    shared_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    method: Mapped[str] = mapped_column(String(64), default="")


class LifecycleEvent(Record, Created, CreatedBy):
    """Completion and reopening, kept for the record (reopening needs a reason)."""

    __tablename__ = "lifecycle_events"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")


class Moderation(Record, Created):
    """A moderator's (or moderation group's) review of one completed evaluation.

    A record of the evaluation (so the outcome reaches the auditor's laptop). In a moderation
    session its id is derived from the session and the evaluation, ``session_id`` names the
    session, and ``revealed`` says the group has seen the auditor's grades (the blind pass is
    over); the feedback fields are what the auditor reads on their summary.
    """

    __tablename__ = "moderations"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"), index=True)
    moderator: Mapped[str] = mapped_column(String(200), default="")
    moderator_role: Mapped[str] = mapped_column(String(200), default="")
    moderated_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    group_name: Mapped[str] = mapped_column(String(200), default="")
    learning_points: Mapped[str] = mapped_column(Text, default="")
    session_id: Mapped[str] = mapped_column(String(36), default="", index=True)
    revealed: Mapped[bool] = mapped_column(Boolean, default=False)
    feedback_strengths: Mapped[str] = mapped_column(Text, default="")
    feedback_gaps: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        Index(  # session_id: migration 0022 (the report reads the index alone)
            "ix_moderations_report", "moderated_on", "deleted", "evaluation_id", "id", "session_id"
        ),
    )


class ModerationJudgement(Record):
    """The moderated grade of one graded item (or the overall judgement), with a rationale.

    ``auditor_grade`` is the auditor's grade the moderator saw; whether they agree, or
    disagree higher or lower, follows from the two grades (:mod:`qa_tui.domain.moderation`).
    """

    __tablename__ = "moderation_judgements"
    evaluation_id: Mapped[str] = mapped_column(ID, ForeignKey("evaluations.id"), index=True)
    moderation_id: Mapped[str] = mapped_column(ID)
    item_id: Mapped[str] = mapped_column(String(100))
    auditor_grade: Mapped[str] = mapped_column(String(64), default="")
    moderated_grade: Mapped[str] = mapped_column(String(64), default="")
    rationale: Mapped[str] = mapped_column(Text, default="")
    __table_args__ = (
        Index(
            "ix_moderation_judgements_report",
            "moderation_id",
            "evaluation_id",
            "auditor_grade",
            "moderated_grade",
            "deleted",
            "item_id",  # migration 0022 (the report reads the index alone)
        ),
    )


class ModerationSession(Record, Provenance):
    """A meeting of a moderation group: when, who (``session_moderators``), which evaluations
    (the ``moderations`` whose ``session_id`` is this one), and how they were chosen.

    The root of its own history (an *aggregate*, like an evaluation): it and its moderators and
    blind grades sync, merge and conflict as one unit (docs/sync.md).
    """

    __tablename__ = "moderation_sessions"
    held_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True, index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    blind_first: Mapped[bool] = mapped_column(Boolean, default=True)
    sample: Mapped[str] = mapped_column(Text, default="")  # JSON: how the sample was drawn
    notes: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[str] = mapped_column(String(32), default="")
    # A demo session (``qa-tui demo``): like a demo evaluation, never handed over unless asked.
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class SessionModerator(Record):
    """A moderator present at a session; the id is derived from the session and the name."""

    __tablename__ = "session_moderators"
    session_id: Mapped[str] = mapped_column(ID, index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")


class BlindGrade(Record):
    """One moderator's own grade of one item, given before the auditor's grade was shown.

    One record per (session, moderator, evaluation, item), with an id derived from the four, so
    a moderator's grade is never in conflict with another moderator's. A record of the
    session, not of the evaluation: ``target_evaluation_id`` names the evaluation graded.
    """

    __tablename__ = "blind_grades"
    session_id: Mapped[str] = mapped_column(ID)  # first in ix_blind_grades_report
    moderator_id: Mapped[str] = mapped_column(ID)
    target_evaluation_id: Mapped[str] = mapped_column(ID, index=True)
    item_id: Mapped[str] = mapped_column(String(100))
    grade: Mapped[str] = mapped_column(String(64), default="")
    __table_args__ = (
        # The agreement report groups a year's blind grades by unit from this index alone,
        # in its order (qa_tui/reports/moderation_units.py); a session's grades are found by
        # its first column.
        Index(
            "ix_blind_grades_report",
            "session_id",
            "target_evaluation_id",
            "item_id",
            "deleted",
            "grade",
            "moderator_id",
        ),
    )


# The blind grades grouped by unit, kept by triggers (qa_tui.store.blind_units): derived, read
# by the moderation report, never written by qa-tui.
blind_units = Table("blind_units", Base.metadata, *table_columns(), sqlite_with_rowid=False)


class TemplateSnapshot(Base):
    """The exact text of a template: one an evaluation used (so it stays readable forever),
    or one the QA team published on the central database for every laptop to use."""

    __tablename__ = "template_snapshots"
    content_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[str] = mapped_column(String(32))
    source_text: Mapped[str] = mapped_column(Text)
    published_at: Mapped[str | None] = mapped_column(String(32), nullable=True)


class Team(Base):
    """A team evaluations belong to: reference data the QA team keeps on the central database
    and sync copies to laptops (the central copy is authoritative; laptops never edit it)."""

    __tablename__ = "teams"
    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    service_area: Mapped[str] = mapped_column(String(200), default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[str] = mapped_column(String(32))


# --- planning the programme (issue 14) -----------------------------------------------------


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
