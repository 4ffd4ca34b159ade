"""Moderation, headless: a moderator's review of a completed evaluation.

A moderator (or a moderation group) reads the auditor's judgement and evidence item by item
and records a moderated grade with a rationale; agreeing, or disagreeing higher or lower,
follows from the two grades. The group's learning points are kept with the moderation.

Moderations are records of the evaluation like its actions: every change is in the history,
they travel in the evaluation's bundle, merge like everything else, and a direct sync brings
them back to the auditor's laptop. A completed evaluation stays read-only; its moderations do
not. Callers run these functions inside ``store.session()``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.domain import input_checks as v
from qa_tui.domain.record_writes import create_record, remove_record, set_fields
from qa_tui.errors import NotFoundError, ValidationError
from qa_tui.framework.model import GradingScale, ItemKind, Template
from qa_tui.store import models
from qa_tui.store.history import Actor
from qa_tui.store.queries import get_evaluation
from qa_tui.vocab import OVERALL as OVERALL

JUDGEMENT_NAMESPACE = uuid.UUID("0b8e2f4c-52a1-4d0e-9f3c-7a1d6e5b2c90")

AGREEMENTS: dict[str, str] = {
    "agree": "Agree",
    "higher": "Disagree: moderated higher",
    "lower": "Disagree: moderated lower",
    "different": "Disagree",  # one of the two is "not applicable": no direction
}


def judgement_id(moderation_id: str, item_id: str) -> str:
    """One judgement per item per moderation, the same id on every device (so edits merge)."""
    return str(uuid.uuid5(JUDGEMENT_NAMESPACE, f"{moderation_id}/{item_id}"))


def agreement(scale: GradingScale, auditor_grade: str, moderated_grade: str) -> str:
    """``agree``, ``higher``, ``lower``, ``different`` (N/A on one side), or ``""`` if not
    moderated."""
    if not moderated_grade:
        return ""
    if moderated_grade == auditor_grade:
        return "agree"
    auditor, moderated = scale.get(auditor_grade), scale.get(moderated_grade)
    if auditor is None or moderated is None:
        return "different"
    return "higher" if moderated.rank > auditor.rank else "lower"


def moderated_items(template: Template) -> list[tuple[str, str]]:
    """(item id, prompt) of everything a moderator grades: each graded item, then the overall."""
    items = [(item.id, item.prompt) for item in template.items(ItemKind.GRADE)]
    return [*items, (OVERALL, "Overall judgement")]


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "moderator":
            out[name] = v.text(value, "Moderator", name, short=True)
        elif name in ("moderator_role", "group_name"):
            label = "Moderator's role" if name == "moderator_role" else "Moderation group"
            out[name] = v.text(value, label, name, short=True)
        elif name == "learning_points":
            out[name] = v.text(value, "Learning points", name)
        elif name == "moderated_on":
            out[name] = v.parse_date(value, "Moderated on", name)
        else:
            raise ValidationError(f"{name}: not a field of a moderation", field=name)
    return out


def start_moderation(
    session: Session,
    actor: Actor,
    evaluation_id: str,
    moderator: str,
    moderator_role: str = "",
    moderated_on: dt.date | str | None = None,
    group_name: str = "",
) -> str:
    """Begin moderating a completed evaluation; returns the moderation's id."""
    values = _clean(
        {
            "moderator": moderator,
            "moderator_role": moderator_role,
            "moderated_on": moderated_on,
            "group_name": group_name,
        }
    )
    if not values["moderator"].strip():
        raise ValidationError("Moderator: say who is moderating", field="moderator")
    values["moderated_on"] = values["moderated_on"] or actor.now().date()
    evaluation = get_evaluation(session, evaluation_id)
    if evaluation.status != "completed":
        raise ValidationError(
            f"Evaluation {evaluation.case_reference} is not completed; "
            "only a completed evaluation can be moderated",
            field="status",
        )
    fixed = {"evaluation_id": evaluation_id}
    return create_record(session, actor, "moderation", evaluation_id, fixed, values)


def update_moderation(session: Session, actor: Actor, moderation_id: str, **values: Any) -> int:
    """Change who moderated, when, in which group, or the learning points."""
    clean = _clean(values)
    if "moderator" in clean and not clean["moderator"].strip():
        raise ValidationError("Moderator: say who is moderating", field="moderator")
    return set_fields(session, actor, "moderation", moderation_id, clean)


def remove_moderation(session: Session, actor: Actor, moderation_id: str) -> None:
    remove_record(session, actor, "moderation", moderation_id)


def _moderation(session: Session, moderation_id: str) -> models.Moderation:
    row = session.get(models.Moderation, moderation_id)
    if row is None or row.deleted:
        raise NotFoundError(f"No moderation with id {moderation_id}")
    return row


def auditor_grade(session: Session, evaluation_id: str, item_id: str) -> str:
    """The auditor's current grade of one item (or of the overall judgement)."""
    if item_id == OVERALL:
        return get_evaluation(session, evaluation_id).overall_grade
    response = session.scalars(
        select(models.Response).where(
            models.Response.evaluation_id == evaluation_id,
            models.Response.item_id == item_id,
            ~models.Response.deleted,
        )
    ).first()
    return response.grade if response else ""


def judge(
    session: Session,
    actor: Actor,
    template: Template,
    moderation_id: str,
    item_id: str,
    moderated_grade: str,
    rationale: str = "",
    expected: str | None = None,
) -> str:
    """Record the moderated grade of one item; returns the judgement's id.

    ``expected`` is what the moderator said (``agree``, ``higher`` or ``lower``): with
    ``agree`` an empty grade means the auditor's; otherwise it must match the grades. A
    disagreement needs a rationale.
    """
    moderation = _moderation(session, moderation_id)
    item = template.item(item_id)
    if item_id != OVERALL and (item is None or item.kind is not ItemKind.GRADE):
        raise ValidationError(f"{item_id}: not a graded item of {template.name}", field="item_id")
    given = auditor_grade(session, moderation.evaluation_id, item_id)
    grade = moderated_grade or (given if expected == "agree" else "")
    label = template.scale.label
    if not grade:
        raise ValidationError("Moderated grade: choose a grade", field="moderated_grade")
    if grade not in template.scale.ids():
        raise ValidationError(
            f"Moderated grade: {grade!r} is not on the grading scale", field="moderated_grade"
        )
    found = agreement(template.scale, given, grade)
    _check_expected(expected, found, label(grade) or grade, label(given) or "no grade")
    text = v.text(rationale, "Rationale", "rationale")
    if found != "agree" and not text.strip():
        raise ValidationError(
            "Rationale: say why the moderated grade differs from the auditor's", field="rationale"
        )
    values = {"auditor_grade": given, "moderated_grade": grade, "rationale": text}
    entity_id = judgement_id(moderation_id, item_id)
    existing = session.get(models.ModerationJudgement, entity_id)
    if existing is not None and not existing.deleted:
        set_fields(session, actor, "moderation_judgement", entity_id, values)
        return entity_id
    if existing is not None:  # judged, withdrawn, judged again: the record comes back
        set_fields_undeleted(session, actor, entity_id, values)
        return entity_id
    fixed = {
        "evaluation_id": moderation.evaluation_id,
        "moderation_id": moderation_id,
        "item_id": item_id,
    }
    evaluation_id = moderation.evaluation_id
    return create_record(
        session, actor, "moderation_judgement", evaluation_id, fixed, values, entity_id
    )


def _check_expected(expected: str | None, found: str, grade: str, given: str) -> None:
    """The agreement the moderator chose must be what the two grades say."""
    if expected is None:
        return
    if expected not in ("agree", "higher", "lower"):
        raise ValidationError(
            f"Agreement: {expected!r} is not agree, higher or lower", field="agreement"
        )
    # With "not applicable" on one side there is no higher or lower: either disagreement fits.
    fits = found == expected or (found == "different" and expected != "agree")
    if not fits:
        raise ValidationError(
            f"Agreement: you chose {AGREEMENTS[expected].lower()}, but {grade} against the "
            f"auditor's {given} is {AGREEMENTS[found].lower()}",
            field="agreement",
        )


def set_fields_undeleted(
    session: Session, actor: Actor, entity_id: str, values: dict[str, Any]
) -> None:
    """Bring a withdrawn judgement back (its deletion flag is a field like any other)."""
    from qa_tui.store.entities import DELETED
    from qa_tui.store.history import record_change

    row = session.get(models.ModerationJudgement, entity_id)
    if row is None:
        raise NotFoundError(f"No moderation judgement with id {entity_id}")
    record_change(
        session, actor, "moderation_judgement", entity_id, row.evaluation_id, DELETED, False
    )
    set_fields(session, actor, "moderation_judgement", entity_id, values)


def withdraw_judgement(session: Session, actor: Actor, moderation_id: str, item_id: str) -> None:
    """Take back the judgement of one item."""
    remove_record(session, actor, "moderation_judgement", judgement_id(moderation_id, item_id))


# --- reading -------------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgementView:
    item_id: str
    prompt: str
    auditor_grade: str
    moderated_grade: str
    agreement: str  # a key of AGREEMENTS
    rationale: str


@dataclass
class ModerationView:
    moderation: models.Moderation
    judgements: list[JudgementView] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """How many items were agreed, moderated higher, lower or differently."""
        out = dict.fromkeys(AGREEMENTS, 0)
        for j in self.judgements:
            out[j.agreement] += 1
        return out


def moderation_views(
    session: Session, template: Template, evaluation_id: str
) -> list[ModerationView]:
    """Every moderation of one evaluation, oldest first, judgements in template order."""
    order = {item_id: i for i, (item_id, _p) in enumerate(moderated_items(template))}
    prompts = dict(moderated_items(template))
    moderations = session.scalars(
        select(models.Moderation)
        .where(models.Moderation.evaluation_id == evaluation_id, ~models.Moderation.deleted)
        .order_by(models.Moderation.moderated_on, models.Moderation.created_at)
    ).all()
    judgements = session.scalars(
        select(models.ModerationJudgement).where(
            models.ModerationJudgement.evaluation_id == evaluation_id,
            ~models.ModerationJudgement.deleted,
        )
    ).all()
    out = []
    for moderation in moderations:
        mine = sorted(
            (j for j in judgements if j.moderation_id == moderation.id),
            key=lambda j: (order.get(j.item_id, len(order)), j.item_id),
        )
        out.append(
            ModerationView(
                moderation,
                [
                    JudgementView(
                        j.item_id,
                        prompts.get(j.item_id, j.item_id),
                        j.auditor_grade,
                        j.moderated_grade,
                        agreement(template.scale, j.auditor_grade, j.moderated_grade),
                        j.rationale,
                    )
                    for j in mine
                ],
            )
        )
    return out
