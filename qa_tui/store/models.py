"""SQLAlchemy 2 typed ORM models.

Two layers:

* ``changes`` (with ``change_links``) is the append-only history: one row per change to one
  field of one record, made on one device, ordered by a Lamport counter. It is the truth. Its
  tables are in :mod:`qa_tui.store.change_log` (named here too, as they always were).
* The typed tables (``evaluations``, ``responses``, ``entries``, …), here, are the *current
  state*, derived from the history (see :mod:`qa_tui.store.history`) and always consistent
  with it. The moderation tables are in :mod:`qa_tui.store.moderation_models`, planning's in
  :mod:`qa_tui.store.plan_models`, what every record has in :mod:`qa_tui.store.records`; all
  are named here.
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
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

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
from qa_tui.store.moderation_models import (
    BlindGrade,
    Moderation,
    ModerationJudgement,
    ModerationSession,
    SessionModerator,
)
from qa_tui.store.plan_models import (
    Allocation,
    BoardAction,
    BoardActionUpdate,
    BoardMeeting,
    CaseRecord,
    Plan,
    PlanMember,
)
from qa_tui.store.records import (
    PROVENANCE,
    Created,
    CreatedBy,
    Provenance,
    Record,
    keeps_updated_at,
    kept_provenance,
    provenance,
    touch,
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
        # A direct sync's pull (migration 0025): the evaluations this device made or this
        # user audits, found in these two indexes alone (``sync.direct.wanted_evaluations``)
        # instead of a pass over every evaluation the central database holds.
        Index("ix_evaluations_device", "created_device", "id"),
        Index("ix_evaluations_auditor", "auditor", "id"),
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
