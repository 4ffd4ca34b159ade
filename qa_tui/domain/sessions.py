"""Moderation sessions, headless: a moderation group's meeting, from preparation to outcome.

A session (``moderation_sessions``) is the root of its own history: its moderators and their
blind grades belong to it, and it syncs and merges as one unit. The evaluations it moderates
are joined to it by the evaluation's own :class:`~qa_tui.store.models.Moderation` record
(``session_id``), so the outcome — agreed grades, learning points, feedback — travels with the
evaluation back to the auditor's laptop.

Ids that two laptops must agree on are derived, never drawn: a moderator's from the session
and their name, the session's moderation of an evaluation from the two ids, a blind grade from
(session, moderator, evaluation, item). So a moderator's blind grade is their own record, never
in conflict with another's, and the agreed grade is one judgement per item that follows the
normal conflict rules. Callers run these functions inside ``store.session()``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.domain import input_checks as v
from qa_tui.domain.moderation import OVERALL, judge, judgement_id, moderated_items
from qa_tui.domain.record_writes import create_record, remove_record, set_fields
from qa_tui.errors import NotFoundError, ValidationError
from qa_tui.framework.model import Template
from qa_tui.store import models
from qa_tui.store.entities import DELETED
from qa_tui.store.history import Actor, record_change
from qa_tui.store.queries import get_evaluation

SESSION_NAMESPACE = uuid.UUID("3c6f0b7e-9a1d-4e52-8b3f-5d2a7c9e1f40")
STATUSES = {"open": "Open", "closed": "Closed"}


def moderator_id(session_id: str, name: str) -> str:
    """One record per moderator per session, the same id on every device."""
    return str(uuid.uuid5(SESSION_NAMESPACE, f"{session_id}/moderator/{_key(name)}"))


def session_moderation_id(session_id: str, evaluation_id: str) -> str:
    """The session's moderation of one evaluation, the same id on every device."""
    return str(uuid.uuid5(SESSION_NAMESPACE, f"{session_id}/evaluation/{evaluation_id}"))


def blind_grade_id(session_id: str, moderator: str, evaluation_id: str, item_id: str) -> str:
    """One moderator's blind grade of one item: one record per (session, moderator,
    evaluation, item)."""
    return str(uuid.uuid5(SESSION_NAMESPACE, f"{session_id}/{moderator}/{evaluation_id}/{item_id}"))


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


# --- the session -------------------------------------------------------------------------


def get_session(session: Session, session_id: str) -> models.ModerationSession:
    found = session.get(models.ModerationSession, session_id)
    if found is None or found.deleted:
        raise NotFoundError(f"No moderation session with id {session_id}")
    return found


def open_session(session: Session, session_id: str) -> models.ModerationSession:
    """The session, refused (with its name) if it is closed."""
    found = get_session(session, session_id)
    if found.status == "closed":
        raise ValidationError(
            f"Moderation session {found.title or found.id} is closed; reopen it to change it",
            field="status",
        )
    return found


def _clean_session(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "title":
            out[name] = v.text(value, "Title", name, short=True)
        elif name == "held_on":
            out[name] = v.parse_date(value, "Date", name)
            if out[name] is None:
                raise ValidationError("Date: when does the group meet?", field=name)
        elif name == "blind_first":
            if not isinstance(value, bool):
                raise ValidationError("Blind first pass: yes or no", field=name)
            out[name] = value
        elif name == "notes":
            out[name] = v.text(value, "Notes", name)
        else:
            raise ValidationError(f"{name}: not a field of a moderation session", field=name)
    return out


def _clean_moderators(moderators: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name, role in moderators:
        clean = " ".join(v.text(name, "Moderator", "moderators", short=True).split())
        role = " ".join(v.text(role, "Moderator's role", "moderators", short=True).split())
        if not clean:
            continue
        if _key(clean) in seen:
            raise ValidationError(f"Moderators: {clean!r} is listed twice", field="moderators")
        seen.add(_key(clean))
        out.append((clean, role))
    return out


def create_session(
    session: Session,
    actor: Actor,
    held_on: dt.date | str,
    title: str,
    moderators: Sequence[tuple[str, str]],
    blind_first: bool = True,
    notes: str = "",
) -> str:
    """Create a moderation session with the moderators present; returns its id."""
    values = _clean_session(
        {"held_on": held_on, "title": title, "blind_first": blind_first, "notes": notes}
    )
    people = _clean_moderators(moderators)
    if not people:
        raise ValidationError("Moderators: name at least one moderator", field="moderators")
    if not values["title"].strip():
        day = values["held_on"]
        values["title"] = f"Moderation group, {day.day} {day:%B %Y}"
    session_id = str(uuid.uuid4())
    values.update(status="open", sample="", closed_at="")
    create_record(session, actor, "moderation_session", session_id, {}, values, session_id)
    session.flush()
    for name, role in people:
        _put_moderator(session, actor, session_id, name, role)
    return session_id


def update_session(session: Session, actor: Actor, session_id: str, **values: Any) -> int:
    """Change the title, date, notes or whether a blind first pass is asked for."""
    open_session(session, session_id)
    clean = _clean_session(values)
    if "blind_first" in clean and _any_revealed_or_blind(session, session_id):
        raise ValidationError(
            "Blind first pass: blind grades are already recorded or the auditor's grades "
            "revealed; it can no longer be switched",
            field="blind_first",
        )
    return set_fields(session, actor, "moderation_session", session_id, clean)


def _any_revealed_or_blind(session: Session, session_id: str) -> bool:
    blind = session.scalar(
        select(models.BlindGrade.id)
        .where(models.BlindGrade.session_id == session_id, ~models.BlindGrade.deleted)
        .limit(1)
    )
    revealed = session.scalar(
        select(models.Moderation.id)
        .where(
            models.Moderation.session_id == session_id,
            models.Moderation.revealed.is_(True),
            ~models.Moderation.deleted,
        )
        .limit(1)
    )
    return blind is not None or revealed is not None


def close_session(session: Session, actor: Actor, session_id: str) -> None:
    """Close a session once each of its evaluations has an overall moderated grade."""
    found = open_session(session, session_id)
    members = _members(session, session_id)
    if not members:
        raise ValidationError(
            f"Moderation session {found.title}: it has no evaluations, so it cannot be closed",
            field="evaluations",
        )
    undecided = [
        ref
        for ref, moderation_id in members
        if not _judged(session, judgement_id(moderation_id, OVERALL))
    ]
    if undecided:
        shown = ", ".join(undecided[:5]) + (" …" if len(undecided) > 5 else "")
        raise ValidationError(
            f"Close: {len(undecided)} evaluation(s) have no overall moderated grade yet ({shown})",
            field="status",
        )
    stamp = actor.timestamp()
    set_fields(
        session, actor, "moderation_session", session_id, {"status": "closed", "closed_at": stamp}
    )


def reopen_session(session: Session, actor: Actor, session_id: str) -> None:
    """Open a closed session again (to correct it); the closing stays in its history."""
    get_session(session, session_id)
    set_fields(session, actor, "moderation_session", session_id, {"status": "open"})


def _judged(session: Session, entity_id: str) -> bool:
    row = session.get(models.ModerationJudgement, entity_id)
    return row is not None and not row.deleted and bool(row.moderated_grade)


def _members(session: Session, session_id: str) -> list[tuple[str, str]]:
    """(case reference, moderation id) of the evaluations in the session."""
    rows = session.execute(
        select(models.Evaluation.case_reference, models.Moderation.id)
        .join(models.Evaluation, models.Evaluation.id == models.Moderation.evaluation_id)
        .where(models.Moderation.session_id == session_id, ~models.Moderation.deleted)
        .order_by(models.Evaluation.case_reference)
    )
    return [(ref, mid) for ref, mid in rows]


# --- moderators --------------------------------------------------------------------------


def _put_moderator(session: Session, actor: Actor, session_id: str, name: str, role: str) -> str:
    entity_id = moderator_id(session_id, name)
    row = session.get(models.SessionModerator, entity_id)
    if row is None:
        fixed = {"session_id": session_id, "name": name}
        return create_record(
            session, actor, "session_moderator", session_id, fixed, {"role": role}, entity_id
        )
    if row.deleted:  # removed, then named again: the record comes back
        record_change(session, actor, "session_moderator", entity_id, session_id, DELETED, False)
    set_fields(session, actor, "session_moderator", entity_id, {"role": role})
    return entity_id


def add_moderator(
    session: Session, actor: Actor, session_id: str, name: str, role: str = ""
) -> str:
    """Add a moderator present at the session (their id is derived from their name)."""
    open_session(session, session_id)
    people = _clean_moderators([(name, role)])
    if not people:
        raise ValidationError("Moderator: give a name", field="name")
    return _put_moderator(session, actor, session_id, *people[0])


def remove_moderator(session: Session, actor: Actor, session_id: str, moderator: str) -> None:
    """Take a moderator off the session (their blind grades stay in the history)."""
    open_session(session, session_id)
    remove_record(session, actor, "session_moderator", moderator)


def moderators(session: Session, session_id: str) -> list[models.SessionModerator]:
    """The session's moderators, by name."""
    return list(
        session.scalars(
            select(models.SessionModerator)
            .where(
                models.SessionModerator.session_id == session_id, ~models.SessionModerator.deleted
            )
            .order_by(models.SessionModerator.name)
        )
    )


# --- evaluations -------------------------------------------------------------------------


def add_evaluation(session: Session, actor: Actor, session_id: str, evaluation_id: str) -> str:
    """Put a completed evaluation on the session's agenda; returns the moderation's id.

    A draft (or reopened) evaluation is refused with the reason; adding one twice is a no-op.
    """
    found = open_session(session, session_id)
    evaluation = get_evaluation(session, evaluation_id)
    if evaluation.status != "completed":
        raise ValidationError(
            f"Evaluation {evaluation.case_reference} is {evaluation.status}, not completed; "
            "only a completed evaluation can be moderated",
            field="evaluation",
        )
    entity_id = session_moderation_id(session_id, evaluation_id)
    names = ", ".join(m.name for m in moderators(session, session_id))
    values = {
        "moderator": names[:200],
        "moderator_role": "",
        "moderated_on": found.held_on,
        "group_name": found.title,
        "session_id": session_id,
    }
    row = session.get(models.Moderation, entity_id)
    if row is None:
        fixed = {"evaluation_id": evaluation_id}
        return create_record(session, actor, "moderation", evaluation_id, fixed, values, entity_id)
    if row.deleted:
        record_change(session, actor, "moderation", entity_id, evaluation_id, DELETED, False)
        set_fields(session, actor, "moderation", entity_id, values)
    return entity_id


def remove_evaluation(session: Session, actor: Actor, session_id: str, evaluation_id: str) -> None:
    """Take an evaluation off the session's agenda (what was recorded stays in the history)."""
    open_session(session, session_id)
    remove_record(session, actor, "moderation", _moderation_of(session, session_id, evaluation_id))


def _moderation_of(session: Session, session_id: str, evaluation_id: str) -> str:
    entity_id = session_moderation_id(session_id, evaluation_id)
    row = session.get(models.Moderation, entity_id)
    if row is None or row.deleted:
        raise NotFoundError(f"Evaluation {evaluation_id} is not in this moderation session")
    return entity_id


# --- the blind pass, the reveal, the agreed grade, the outcome -----------------------------


def _check_item(template: Template, item_id: str) -> None:
    if item_id not in dict(moderated_items(template)):
        raise ValidationError(f"{item_id}: not a graded item of {template.name}", field="item_id")


def set_blind_grade(
    session: Session,
    actor: Actor,
    template: Template,
    session_id: str,
    moderator: str,
    evaluation_id: str,
    item_id: str,
    grade: str,
) -> str:
    """Record one moderator's own grade of one item before the auditor's grade is revealed
    (an empty grade takes it back); returns the blind grade's id."""
    found = open_session(session, session_id)
    if not found.blind_first:
        raise ValidationError(
            "Blind grade: this session has no blind first pass", field="blind_first"
        )
    who = session.get(models.SessionModerator, moderator)
    if who is None or who.deleted or who.session_id != session_id:
        raise NotFoundError(f"No moderator {moderator} in this moderation session")
    moderation = session.get(models.Moderation, _moderation_of(session, session_id, evaluation_id))
    assert moderation is not None
    if moderation.revealed:
        raise ValidationError(
            "Blind grade: the auditor's grades are already revealed for this evaluation",
            field="grade",
        )
    _check_item(template, item_id)
    if grade and grade not in template.scale.ids():
        raise ValidationError(
            f"Blind grade: {grade!r} is not on the grading scale of {template.name}",
            field="grade",
        )
    entity_id = blind_grade_id(session_id, moderator, evaluation_id, item_id)
    row = session.get(models.BlindGrade, entity_id)
    if row is None:
        if not grade:
            return entity_id
        fixed = {
            "session_id": session_id,
            "moderator_id": moderator,
            "target_evaluation_id": evaluation_id,
            "item_id": item_id,
        }
        return create_record(
            session, actor, "blind_grade", session_id, fixed, {"grade": grade}, entity_id
        )
    set_fields(session, actor, "blind_grade", entity_id, {"grade": grade})
    return entity_id


def reveal(session: Session, actor: Actor, session_id: str, evaluation_id: str) -> None:
    """End the blind pass on one evaluation: the group now sees the auditor's grades."""
    open_session(session, session_id)
    entity_id = _moderation_of(session, session_id, evaluation_id)
    set_fields(session, actor, "moderation", entity_id, {"revealed": True})


def is_blind(session: Session, session_id: str, evaluation_id: str) -> bool:
    """Whether the auditor's grades are still hidden for this evaluation in this session."""
    found = get_session(session, session_id)
    row = session.get(models.Moderation, session_moderation_id(session_id, evaluation_id))
    return found.blind_first and not (row is not None and row.revealed)


def agree(
    session: Session,
    actor: Actor,
    template: Template,
    session_id: str,
    evaluation_id: str,
    item_id: str,
    grade: str,
    rationale: str = "",
    expected: str | None = None,
) -> str:
    """Record the group's agreed (moderated) grade of one item; returns the judgement's id.

    With a blind first pass the auditor's grades must be revealed first. The rules are
    :func:`qa_tui.domain.moderation.judge`'s: a grade on the scale, a rationale to disagree.
    """
    open_session(session, session_id)
    moderation = _moderation_of(session, session_id, evaluation_id)
    if is_blind(session, session_id, evaluation_id):
        raise ValidationError(
            "Agreed grade: reveal the auditor's grades first (this session has a blind pass)",
            field="revealed",
        )
    return judge(session, actor, template, moderation, item_id, grade, rationale, expected)


OUTCOME_FIELDS = {
    "learning_points": "Learning points",
    "feedback_strengths": "What was evidenced well",
    "feedback_gaps": "What was not evidenced well",
}


def record_outcome(
    session: Session,
    actor: Actor,
    session_id: str,
    evaluation_id: str,
    *,
    learning_points: str | None = None,
    feedback_strengths: str | None = None,
    feedback_gaps: str | None = None,
) -> int:
    """The group's learning points and feedback to the auditor on one evaluation (a field
    left as None is not changed)."""
    open_session(session, session_id)
    given = {
        "learning_points": learning_points,
        "feedback_strengths": feedback_strengths,
        "feedback_gaps": feedback_gaps,
    }
    clean = {
        name: v.text(value, OUTCOME_FIELDS[name], name)
        for name, value in given.items()
        if value is not None
    }
    entity_id = _moderation_of(session, session_id, evaluation_id)
    return set_fields(session, actor, "moderation", entity_id, clean)
