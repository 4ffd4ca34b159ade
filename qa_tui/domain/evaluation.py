"""The evaluation journey as headless operations on a session.

Each function validates its input (raising :class:`ValidationError` naming the field, before
anything is written), then records changes through :mod:`qa_tui.domain.record_writes`. Callers run
them inside ``store.session()`` so a failure leaves every record as it was.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_tui.domain import input_checks as v
from qa_tui.domain.record_writes import (
    create_record,
    ensure_editable,
    remove_record,
    response_id,
    set_fields,
)
from qa_tui.errors import ValidationError
from qa_tui.framework.model import NOT_APPLICABLE, PROMPT_MARKS, Item, ItemKind, Template
from qa_tui.ids import new_id
from qa_tui.store import models
from qa_tui.store.history import Actor
from qa_tui.vocab import (
    EVALUATION_TYPES,
)


@dataclass
class CaseDetails:
    """Step 1 of the journey: what is being evaluated, by whom, with whom."""

    case_reference: str
    service_area: str = ""
    team: str = ""
    practitioner: str = ""
    evaluation_type: str = "collaborative"
    evaluation_date: dt.date | str | None = None
    practice_day: str = ""
    theme: str = ""
    practitioner_present: bool | None = None
    auditor: str = ""
    auditor_role: str = ""


DETAIL_LABELS = {
    "case_reference": "Case reference",
    "service_area": "Service area",
    "team": "Team",
    "practitioner": "Practitioner",
    "evaluation_type": "Evaluation type",
    "evaluation_date": "Date",
    "practice_day": "Practice day",
    "theme": "Theme",
    "practitioner_present": "Practitioner present",
    "auditor": "Auditor",
    "auditor_role": "Auditor's role",
}


def clean_details(values: dict[str, Any], case_pattern: str) -> dict[str, Any]:
    """Validate case-detail fields; returns them in column form."""
    out: dict[str, Any] = {}
    for field, value in values.items():
        label = DETAIL_LABELS.get(field)
        if label is None:
            raise ValidationError(f"{field}: not a case detail", field=field)
        if field == "case_reference":
            out[field] = v.case_reference(value, case_pattern)
        elif field == "evaluation_type":
            out[field] = v.choice(value, EVALUATION_TYPES, label, field)
        elif field == "evaluation_date":
            out[field] = v.parse_date(value, label, field)
        elif field == "practitioner_present":
            out[field] = v.optional_bool(value, label, field)
        else:
            out[field] = v.text(value, label, field, short=True)
    return out


def create_evaluation(
    session: Session,
    actor: Actor,
    template: Template,
    details: CaseDetails,
    case_pattern: str,
    practitioner_role: str = "",
) -> str:
    """Start a draft evaluation on ``template``; the auditor becomes its first participant,
    and the practitioner the next when present (with ``practitioner_role``, e.g. "Social
    worker"; "Practitioner" if none is given)."""
    values = clean_details(vars(details), case_pattern)
    values["auditor"] = values.get("auditor") or actor.author
    values["status"] = "draft"
    if values.get("evaluation_date") is None:
        values["evaluation_date"] = actor.now().date()
    fixed = {
        "template_id": template.id,
        "template_version": template.version,
        "template_hash": template.content_hash,
    }
    evaluation_id = new_id()
    create_record(session, actor, "evaluation", evaluation_id, fixed, {}, evaluation_id)
    set_fields(session, actor, "evaluation", evaluation_id, values)
    add_participant(
        session, actor, evaluation_id, values["auditor"], values.get("auditor_role") or "Auditor"
    )
    if values.get("practitioner_present") and values.get("practitioner"):
        role = practitioner_role.strip() or "Practitioner"
        add_participant(session, actor, evaluation_id, values["practitioner"], role)
    return evaluation_id


def remember_template(session: Session, template: Template) -> models.TemplateSnapshot:
    """The template's text kept in the database (added if it is not there yet), so every
    evaluation made with it stays readable after the template changes or is removed."""
    snapshot = session.get(models.TemplateSnapshot, template.content_hash)
    if snapshot is None:
        snapshot = models.TemplateSnapshot(
            content_hash=template.content_hash,
            template_id=template.id,
            version=template.version,
            source_text=template.source_text,
        )
        session.add(snapshot)
    return snapshot


def update_details(
    session: Session, actor: Actor, evaluation_id: str, values: dict[str, Any], case_pattern: str
) -> int:
    return set_fields(
        session, actor, "evaluation", evaluation_id, clean_details(values, case_pattern)
    )


def _item(template: Template, item_id: str, *kinds: ItemKind) -> Item:
    item = template.item(item_id)
    if item is None or (kinds and item.kind not in kinds):
        raise ValidationError(f"{item_id}: not an item of template {template.id}", field=item_id)
    return item


def set_response(
    session: Session,
    actor: Actor,
    /,  # so ``**values`` can never take them, as Workspace.write's type requires
    template: Template,
    evaluation_id: str,
    item_id: str,
    **values: Any,
) -> str:
    """Answer a grade, yes/no or text item (only the fields given are changed)."""
    item = _item(template, item_id, ItemKind.GRADE, ItemKind.YES_NO, ItemKind.TEXT)
    clean: dict[str, Any] = {}
    for field, value in values.items():
        if field == "grade":
            if value not in ("", None) and value not in template.scale.ids():
                raise ValidationError(
                    f"{item.prompt[:60]}: {value!r} is not on the grading scale "
                    f"({', '.join(template.scale.ids())})",
                    field=item_id,
                )
            clean[field] = value or ""
        elif field == "answer":
            clean[field] = v.optional_bool(value, "Answer", item_id)
        elif field in ("na_reason", "evidence", "text"):
            clean[field] = v.text(value, field.replace("_", " ").capitalize(), item_id)
        else:
            raise ValidationError(f"{field}: not a field of a response", field=item_id)
    ensure_editable(session, evaluation_id, "response")
    rid = response_id(evaluation_id, item_id)
    if session.get(models.Response, rid) is None:
        fixed = {"evaluation_id": evaluation_id, "item_id": item_id}
        create_record(session, actor, "response", evaluation_id, fixed, clean, rid)
    else:
        set_fields(session, actor, "response", rid, clean)
    return rid


def set_prompt(
    session: Session,
    actor: Actor,
    template: Template,
    evaluation_id: str,
    prompt_id: str,
    mark: str | None = None,
    evidence: str | None = None,
) -> str:
    """Mark a prompt (an example to look for under a judgement) seen, not seen or not
    applicable (``""`` clears it), and/or give its evidence; only what is given changes.

    The answer is an ordinary response (history like every other): the mark is its ``grade``,
    on the prompts' own scale (``PROMPT_MARKS``), the evidence its ``evidence``.
    """
    prompt = template.prompt(prompt_id)
    if prompt is None:
        raise ValidationError(
            f"{prompt_id}: not a prompt of template {template.id}", field=prompt_id
        )
    clean: dict[str, Any] = {}
    if mark is not None:
        if mark and mark not in PROMPT_MARKS:
            raise ValidationError(
                f"{prompt.prompt[:60]}: {mark!r} is not one of {', '.join(PROMPT_MARKS)}",
                field=prompt_id,
            )
        clean["grade"] = mark
    if evidence is not None:
        clean["evidence"] = v.text(evidence, "Evidence", prompt_id)
    ensure_editable(session, evaluation_id, "response")
    rid = response_id(evaluation_id, prompt_id)
    if session.get(models.Response, rid) is None:
        fixed = {"evaluation_id": evaluation_id, "item_id": prompt_id}
        create_record(session, actor, "response", evaluation_id, fixed, clean, rid)
    else:
        set_fields(session, actor, "response", rid, clean)
    return rid


def mark_not_reached(
    session: Session, actor: Actor, template: Template, evaluation_id: str, item_id: str
) -> str:
    """A stage the case has not reached: its judgement not applicable, with the template's
    reason for that (``scale.not_reached_reason``), in one change of the record."""
    item = _item(template, item_id, ItemKind.GRADE)
    reason = template.scale.not_reached_reason
    if not item.stage or not reason:
        raise ValidationError(
            f"{item.prompt[:60]}: not a stage a case can have not reached", field=item_id
        )
    return set_response(
        session, actor, template, evaluation_id, item_id, grade=NOT_APPLICABLE, na_reason=reason
    )


def _next_position(
    session: Session, model: type[models.Entry], evaluation_id: str, item_id: str
) -> float:
    top = session.scalar(
        select(func.max(model.position)).where(
            model.evaluation_id == evaluation_id, model.item_id == item_id, ~model.deleted
        )
    )
    return float(top or 0) + 1.0


def add_entry(
    session: Session, actor: Actor, template: Template, evaluation_id: str, item_id: str, text: str
) -> str:
    """Add an entry at the end of a list item (working well, worries, needs to happen, …)."""
    _item(template, item_id, ItemKind.LIST)
    text = v.text(text, "Entry", item_id)
    ensure_editable(session, evaluation_id, "entry")
    position = _next_position(session, models.Entry, evaluation_id, item_id)
    fixed = {"evaluation_id": evaluation_id, "item_id": item_id}
    return create_record(
        session, actor, "entry", evaluation_id, fixed, {"text": text, "position": position}
    )


def edit_entry(session: Session, actor: Actor, entry_id: str, text: str) -> None:
    set_fields(session, actor, "entry", entry_id, {"text": v.text(text, "Entry", "entry")})


def move_entry(session: Session, actor: Actor, entry_id: str, offset: int) -> None:
    """Move an entry up (offset -1) or down (+1) among its siblings."""
    entry = session.get(models.Entry, entry_id)
    if entry is None or entry.deleted:
        raise ValidationError("That entry no longer exists", field="entry")
    siblings = session.scalars(
        select(models.Entry)
        .where(
            models.Entry.evaluation_id == entry.evaluation_id,
            models.Entry.item_id == entry.item_id,
            ~models.Entry.deleted,
        )
        .order_by(models.Entry.position, models.Entry.id)
    ).all()
    index = siblings.index(entry)
    target = index + offset
    if not 0 <= target < len(siblings):
        return
    other = siblings[target]
    # Swap by taking a position just past the neighbour: one change, no renumbering.
    beyond = target + (1 if offset > 0 else -1)
    if 0 <= beyond < len(siblings):
        position = (other.position + siblings[beyond].position) / 2
    else:
        position = other.position + (1.0 if offset > 0 else -1.0)
    set_fields(session, actor, "entry", entry_id, {"position": position})


def remove_entry(session: Session, actor: Actor, entry_id: str) -> None:
    remove_record(session, actor, "entry", entry_id)


def add_participant(
    session: Session, actor: Actor, evaluation_id: str, name: str, role: str
) -> str:
    """Someone who took part and gives a scale (auditor, practitioner, parent, …)."""
    name = v.text(name, "Participant's name", "participant_name", short=True).strip()
    role = v.text(role, "Participant's role", "participant_role", short=True).strip()
    if not name and not role:
        raise ValidationError("Participant: give a name or a role", field="participant_name")
    ensure_editable(session, evaluation_id, "participant")
    fixed = {"evaluation_id": evaluation_id}
    return create_record(
        session, actor, "participant", evaluation_id, fixed, {"name": name, "role": role}
    )


def update_participant(
    session: Session, actor: Actor, participant_id: str, name: str, role: str
) -> None:
    set_fields(
        session,
        actor,
        "participant",
        participant_id,
        {
            "name": v.text(name, "Participant's name", "participant_name", short=True),
            "role": v.text(role, "Participant's role", "participant_role", short=True),
        },
    )


def remove_participant(session: Session, actor: Actor, participant_id: str) -> None:
    remove_record(session, actor, "participant", participant_id)


def set_scale(
    session: Session,
    actor: Actor,
    template: Template,
    evaluation_id: str,
    item_id: str,
    participant_id: str,
    score: Any = None,
    rationale: str | None = None,
) -> str:
    """A participant's scale (0–10) and rationale on a scaling item."""
    _item(template, item_id, ItemKind.SCALING)
    values: dict[str, Any] = {}
    if score is not None:
        values["score"] = v.score(score, item_id)
    if rationale is not None:
        values["rationale"] = v.text(rationale, "Rationale", item_id)
    ensure_editable(session, evaluation_id, "scale")
    participant = session.get(models.Participant, participant_id)
    if participant is None or participant.deleted or participant.evaluation_id != evaluation_id:
        raise ValidationError("That participant is not part of this evaluation", field=item_id)
    existing = session.scalar(
        select(models.Scale).where(
            models.Scale.evaluation_id == evaluation_id,
            models.Scale.item_id == item_id,
            models.Scale.participant_id == participant_id,
            ~models.Scale.deleted,
        )
    )
    if existing is not None:
        set_fields(session, actor, "scale", existing.id, values)
        return existing.id
    fixed = {"evaluation_id": evaluation_id, "item_id": item_id, "participant_id": participant_id}
    return create_record(session, actor, "scale", evaluation_id, fixed, values)


def add_feedback(
    session: Session,
    actor: Actor,
    template: Template,
    evaluation_id: str,
    item_id: str,
    source: str,
    given_by: str,
    text: str,
) -> str:
    """Feedback: ``source`` is one of the item's sources (``direct`` for direct feedback)."""
    values = _clean_feedback(template, item_id, source, given_by, text)
    ensure_editable(session, evaluation_id, "feedback")
    fixed = {"evaluation_id": evaluation_id, "item_id": item_id}
    return create_record(session, actor, "feedback", evaluation_id, fixed, values)


def _clean_feedback(
    template: Template, item_id: str, source: str, given_by: str, text: str
) -> dict[str, Any]:
    item = _item(template, item_id, ItemKind.FEEDBACK)
    source_ids = {s.id: s.label for s in item.sources}
    return {
        "source": v.choice(source, source_ids, "Feedback source", item_id),
        "given_by": v.text(given_by, "Who gave the feedback", item_id, short=True),
        "text": v.text(text, "Feedback", item_id),
    }


def update_feedback(
    session: Session,
    actor: Actor,
    template: Template,
    feedback_id: str,
    source: str,
    given_by: str,
    text: str,
) -> None:
    row = session.get(models.Feedback, feedback_id)
    if row is None:
        raise ValidationError("That feedback no longer exists", field="feedback")
    values = _clean_feedback(template, row.item_id, source, given_by, text)
    set_fields(session, actor, "feedback", feedback_id, values)


def remove_feedback(session: Session, actor: Actor, feedback_id: str) -> None:
    remove_record(session, actor, "feedback", feedback_id)


__all__ = ["NOT_APPLICABLE", "CaseDetails"]
