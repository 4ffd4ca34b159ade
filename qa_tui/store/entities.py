"""Which record types exist, which fields each has, and how values travel as JSON.

Every change stores its value as JSON; this registry turns that JSON into the typed column
value and back, and says which fields are fixed at creation (``create_fields``, carried by the
record's ``_create`` change) and which can change later (``fields``).

Records come in *aggregates*: a root record and the records that belong to it, whose changes
all carry the root's id (``changes.evaluation_id``, read as "aggregate id"). An evaluation is
one root (its participants, responses, … belong to it); a moderation session is another (its
moderators and blind grades). Each type names its ``root`` type and the column holding its
root's id (``parent_key``; ``id`` for a root itself). See docs/sync.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from qa_tui.store import models

CREATE = "_create"
DELETED = "_deleted"


def _date_in(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _date_out(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _ident(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Codec:
    """Converts one field between its JSON form and its column form."""

    to_column: Callable[[Any], Any] = _ident
    to_json: Callable[[Any], Any] = _ident


PLAIN = Codec()
DATE = Codec(_date_in, _date_out)


@dataclass(frozen=True)
class EntityType:
    name: str
    model: type[models.Record]
    create_fields: tuple[str, ...]
    fields: dict[str, Codec]
    root: str = "evaluation"  # the type of the root record of the aggregate it belongs to
    parent_key: str = "evaluation_id"  # the column holding that root's id ("id": a root)

    def codec(self, field: str) -> Codec:
        if field == DELETED:
            return PLAIN
        return self.fields[field]

    @property
    def is_root(self) -> bool:
        return self.name == self.root

    def aggregate_of(self, row: Any) -> str:
        """The id of the aggregate (the root record) ``row`` belongs to."""
        return str(getattr(row, self.parent_key))


def _plain(*names: str) -> dict[str, Codec]:
    return dict.fromkeys(names, PLAIN)


ENTITY_TYPES: dict[str, EntityType] = {
    e.name: e
    for e in (
        EntityType(
            "evaluation",
            models.Evaluation,
            ("template_id", "template_version", "template_hash"),
            {
                **_plain(
                    "case_reference",
                    "service_area",
                    "team",
                    "practitioner",
                    "auditor",
                    "auditor_role",
                    "evaluation_type",
                    "practice_day",
                    "theme",
                    "practitioner_present",
                    "status",
                    "overall_grade",
                    "overall_na_reason",
                    "summary_strengths",
                    "summary_development",
                    "immediate_concern",
                    "concern_description",
                    "completed_at",
                    "demo",
                ),
                "evaluation_date": DATE,
            },
            parent_key="id",
        ),
        EntityType("participant", models.Participant, ("evaluation_id",), _plain("name", "role")),
        EntityType(
            "response",
            models.Response,
            ("evaluation_id", "item_id"),
            _plain("grade", "na_reason", "evidence", "answer", "text"),
        ),
        EntityType("entry", models.Entry, ("evaluation_id", "item_id"), _plain("text", "position")),
        EntityType(
            "scale",
            models.Scale,
            ("evaluation_id", "item_id", "participant_id"),
            _plain("score", "rationale"),
        ),
        EntityType(
            "feedback",
            models.Feedback,
            ("evaluation_id", "item_id"),
            _plain("source", "given_by", "text"),
        ),
        EntityType(
            "action",
            models.Action,
            ("evaluation_id",),
            {
                **_plain("description", "owner", "status", "progress"),
                "due_date": DATE,
                "completed_on": DATE,
            },
        ),
        EntityType(
            "concern_share",
            models.ConcernShare,
            ("evaluation_id",),
            {**_plain("recipient_role", "recipient_name", "method"), "shared_on": DATE},
        ),
        EntityType(
            "lifecycle_event", models.LifecycleEvent, ("evaluation_id", "kind", "reason"), {}
        ),
        # Follow-through after an evaluation (issue 12): each update or event is a record of
        # its own, so two devices' updates are both kept rather than conflicting on one field.
        EntityType(
            "action_update",
            models.ActionUpdate,
            ("evaluation_id", "action_id"),
            {**_plain("status", "note"), "updated_on": DATE},
        ),
        EntityType(
            "concern_event",
            models.ConcernEvent,
            ("evaluation_id", "kind"),
            {**_plain("person_role", "person_name", "note"), "happened_on": DATE},
        ),
        EntityType(
            "summary_share",
            models.SummaryShare,
            ("evaluation_id",),
            {**_plain("recipient_role", "recipient_name", "method"), "shared_on": DATE},
        ),
        EntityType(
            "moderation",
            models.Moderation,
            ("evaluation_id",),
            {
                **_plain(
                    "moderator",
                    "moderator_role",
                    "group_name",
                    "learning_points",
                    "session_id",
                    "revealed",
                    "feedback_strengths",
                    "feedback_gaps",
                ),
                "moderated_on": DATE,
            },
        ),
        EntityType(
            "moderation_judgement",
            models.ModerationJudgement,
            ("evaluation_id", "moderation_id", "item_id"),
            _plain("auditor_grade", "moderated_grade", "rationale"),
        ),
        # A moderation session is the root of its own aggregate.
        EntityType(
            "moderation_session",
            models.ModerationSession,
            (),
            {
                **_plain("title", "status", "blind_first", "sample", "notes", "closed_at", "demo"),
                "held_on": DATE,
            },
            root="moderation_session",
            parent_key="id",
        ),
        EntityType(
            "session_moderator",
            models.SessionModerator,
            ("session_id", "name"),
            _plain("role"),
            root="moderation_session",
            parent_key="session_id",
        ),
        EntityType(
            "blind_grade",
            models.BlindGrade,
            ("session_id", "moderator_id", "target_evaluation_id", "item_id"),
            _plain("grade"),
            root="moderation_session",
            parent_key="session_id",
        ),
        # A plan (practice day, dip sample, thematic evaluation) is the root of its own
        # aggregate: its review group and its allocations travel with it (issue 14).
        EntityType(
            "plan",
            models.Plan,
            ("kind",),
            {
                **_plain(
                    "title",
                    "service_area",
                    "status",
                    "hypothesis",
                    "template_id",
                    "sample",
                    "rules",
                    "notes",
                    "tor_why",
                    "tor_scope",
                    "tor_criteria",
                    "tor_who",
                    "tor_methods",
                    "tor_timescale",
                    "findings_strengths",
                    "findings_barriers",
                    "findings_good_practice",
                    "findings_weaknesses",
                    "findings_board_actions",
                ),
                "starts_on": DATE,
                "ends_on": DATE,
            },
            root="plan",
            parent_key="id",
        ),
        EntityType(
            "plan_member",
            models.PlanMember,
            ("plan_id", "name"),
            _plain("role", "team", "service_area", "supervises"),
            root="plan",
            parent_key="plan_id",
        ),
        EntityType(
            "allocation",
            models.Allocation,
            ("plan_id", "case_reference"),
            {
                **_plain(
                    "reviewer",
                    "service_area",
                    "team",
                    "worker",
                    "category",
                    "started_evaluation_id",
                ),
                "due_on": DATE,
            },
            root="plan",
            parent_key="plan_id",
        ),
        # The board's programme: its meetings, and the systemic actions it commissioned with
        # their progress updates (each a root; the updates belong to their action).
        EntityType(
            "board_meeting",
            models.BoardMeeting,
            (),
            {**_plain("title", "notes"), "held_on": DATE, "report_deadline": DATE},
            root="board_meeting",
            parent_key="id",
        ),
        EntityType(
            "board_action",
            models.BoardAction,
            (),
            {
                **_plain("description", "owner", "status", "evidence", "plan_id"),
                "raised_on": DATE,
                "due_on": DATE,
            },
            root="board_action",
            parent_key="id",
        ),
        EntityType(
            "board_action_update",
            models.BoardActionUpdate,
            ("action_id",),
            {**_plain("status", "note"), "updated_on": DATE},
            root="board_action",
            parent_key="action_id",
        ),
    )
}

# A creation names its aggregate: the change log keeps a mark in the id's place (0021).
models.register_parent_keys(
    {name: e.parent_key for name, e in ENTITY_TYPES.items() if not e.is_root}
)

# The types whose records are roots of aggregates ("evaluation", "moderation_session").
ROOT_TYPES: tuple[str, ...] = tuple(name for name, e in ENTITY_TYPES.items() if e.is_root)

MODEL_TO_TYPE: dict[type, EntityType] = {e.model: e for e in ENTITY_TYPES.values()}

# Parents before children, so foreign keys hold when a merge creates records.
CREATION_ORDER = tuple(ENTITY_TYPES)


def entity_type(name: str) -> EntityType:
    """The registered record type called ``name`` (KeyError for an unknown one)."""
    return ENTITY_TYPES[name]
