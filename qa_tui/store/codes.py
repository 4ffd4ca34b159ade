"""The change log's names and times as numbers: record types, field names and wall times
(migration 0019).

Every change names its record's type and its field (``response``, ``evidence``): as text they
were ~18 of a change's bytes, repeated on every change and every ``field_states`` row. There
are a few dozen of each, all known to this code (a change naming another is refused when it is
received: :mod:`qa_tui.sync.aggregates`), so the database keeps each as its position in the
tuples below, and :class:`Code` turns one into the other on the way in and out: Python sees
the names.

The tuples only ever grow at their end: a name's number is in every database written since
0019. Ordered as the names sort (``_create`` and ``_deleted`` first), the numbers keep the
change log's key in the order it had when the names were text. ``tests/unit/test_codes.py``
checks that every record type and field has a number and that none has moved.

A change's wall time is kept as milliseconds since 1970 (:class:`WallTime`): every wall time
qa-tui has written is UTC to the millisecond, and one received must be written so
(:mod:`qa_tui.sync.aggregates`), so the text comes back exactly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Dialect, SmallInteger, TypeDecorator

from qa_tui.clock import millis_stamp, stamp_millis

RECORD_TYPES: tuple[str, ...] = (
    "action",
    "action_update",
    "allocation",
    "blind_grade",
    "board_action",
    "board_action_update",
    "board_meeting",
    "concern_event",
    "concern_share",
    "entry",
    "evaluation",
    "feedback",
    "lifecycle_event",
    "moderation",
    "moderation_judgement",
    "moderation_session",
    "participant",
    "plan",
    "plan_member",
    "response",
    "scale",
    "session_moderator",
    "summary_share",
)

FIELD_NAMES: tuple[str, ...] = (
    "_create",
    "_deleted",
    "answer",
    "auditor",
    "auditor_grade",
    "auditor_role",
    "blind_first",
    "case_reference",
    "category",
    "closed_at",
    "completed_at",
    "completed_on",
    "concern_description",
    "demo",
    "description",
    "due_date",
    "due_on",
    "ends_on",
    "evaluation_date",
    "evaluation_type",
    "evidence",
    "feedback_gaps",
    "feedback_strengths",
    "findings_barriers",
    "findings_board_actions",
    "findings_good_practice",
    "findings_strengths",
    "findings_weaknesses",
    "given_by",
    "grade",
    "group_name",
    "happened_on",
    "held_on",
    "hypothesis",
    "immediate_concern",
    "learning_points",
    "method",
    "moderated_grade",
    "moderated_on",
    "moderator",
    "moderator_role",
    "na_reason",
    "name",
    "note",
    "notes",
    "overall_grade",
    "overall_na_reason",
    "owner",
    "person_name",
    "person_role",
    "plan_id",
    "position",
    "practice_day",
    "practitioner",
    "practitioner_present",
    "progress",
    "raised_on",
    "rationale",
    "recipient_name",
    "recipient_role",
    "report_deadline",
    "revealed",
    "reviewer",
    "role",
    "rules",
    "sample",
    "score",
    "service_area",
    "session_id",
    "shared_on",
    "source",
    "started_evaluation_id",
    "starts_on",
    "status",
    "summary_development",
    "summary_strengths",
    "supervises",
    "team",
    "template_id",
    "text",
    "theme",
    "title",
    "tor_criteria",
    "tor_methods",
    "tor_scope",
    "tor_timescale",
    "tor_who",
    "tor_why",
    "updated_on",
    "worker",
)


class UnknownName(ValueError):
    """A record type or field name with no number: this version of qa-tui does not know it."""


class Code(TypeDecorator[str]):
    """A name in Python, its number (a ``SMALLINT``) in the database."""

    impl = SmallInteger
    cache_ok = True

    def __init__(self, names: tuple[str, ...], what: str) -> None:
        super().__init__()
        self.names = names
        self.what = what
        self.codes = {name: n for n, name in enumerate(names)}

    def process_bind_param(self, value: str | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        try:
            return self.codes[value]
        except KeyError:
            raise UnknownName(f"unknown {self.what} {str(value)[:40]!r}") from None

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else self.names[value]

    def process_literal_param(self, value: str | None, dialect: Dialect) -> str:
        return str(self.process_bind_param(value, dialect)) if value is not None else "NULL"


RECORD_TYPE = Code(RECORD_TYPES, "record type")
FIELD = Code(FIELD_NAMES, "field")
RECORD_TYPE_CODES: dict[str, int] = RECORD_TYPE.codes
FIELD_CODES: dict[str, int] = FIELD.codes


class WallTime(TypeDecorator[str]):
    """A change's wall time: its text in Python (as :func:`qa_tui.clock.stamp` writes it),
    milliseconds since 1970 in the database (a ``BIGINT``: 6 bytes on SQLite instead of 29)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> int | None:
        return None if value is None else stamp_millis(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else millis_stamp(value)


WALL_TIME = WallTime()
