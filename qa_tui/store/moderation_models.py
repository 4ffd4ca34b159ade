"""The moderation tables: a moderator's review of an evaluation and its judgements, the
sessions of a moderation group with their moderators and blind grades, and the blind grades
grouped by unit (derived). Part of :mod:`qa_tui.store.models`, which names them all.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from qa_tui.store.blind_units import table_columns
from qa_tui.store.change_log import ID, Base
from qa_tui.store.records import Created, Provenance, Record


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
