"""Plans, headless: practice days, dip samples and thematic evaluations, and their allocations.

A plan (``plans``) is the root of its own history, like a moderation session: its review
group (``plan_members``: the managers, their own line, whom they supervise) and its
allocations (``allocations``: a case, its details, the reviewer, the evaluation started from
it) belong to it, and it syncs and merges as one unit. Ids two devices must agree on are
derived: a member's from the plan and the name, an allocation's from the plan and the case
reference — so the same case added on the desk and on a laptop is one record.

A thematic evaluation cannot be started without its terms of reference (seed 000 §5.4-5.5);
starting an evaluation from an allocation fills in the case's details. Callers run these
functions inside ``store.session()``.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.domain import input_checks as v
from qa_tui.domain.allocation import CaseToAllocate, Manager, Rules, allocate, key
from qa_tui.domain.dip_sample import DipSample
from qa_tui.domain.evaluation import CaseDetails, create_evaluation
from qa_tui.domain.record_writes import create_record, remove_record, set_fields
from qa_tui.errors import NotFoundError, ValidationError
from qa_tui.framework.model import Template
from qa_tui.store import models
from qa_tui.store.entities import DELETED
from qa_tui.store.history import Actor, dumps, record_change
from qa_tui.store.sync_models import PurgedEvaluation

PLAN_NAMESPACE = uuid.UUID("8d0f6c1e-2b7a-4f39-9e51-6a4c3b2d1e07")
PLAN_KINDS = {
    "practice_day": "Practice day",
    "dip_sample": "Dip sample",
    "thematic": "Thematic evaluation",
}
STATUSES = {"planned": "Planned", "under_way": "Under way", "closed": "Closed"}
# The evaluation type an evaluation started from a plan of each kind has (vocab.py's words).
EVALUATION_TYPE = {
    "practice_day": "practice_day",
    "dip_sample": "dip_sample",
    "thematic": "thematic",
}
TERMS = {
    "tor_why": "Why commissioned, and why now",
    "tor_scope": "Scope",
    "tor_criteria": "Evaluation criteria",
    "tor_who": "Who will undertake it",
    "tor_methods": "How (methods)",
    "tor_timescale": "Timescale for completion and reporting",
}
FINDINGS = {
    "findings_strengths": "Strengths",
    "findings_barriers": "Barriers",
    "findings_good_practice": "Good practice to disseminate",
    "findings_weaknesses": "Weaknesses and risks",
    "findings_board_actions": "Actions for the board",
}
METHODS = (
    "in-depth collaborative evaluation",
    "interviews",
    "focus groups",
    "workshops",
    "a bespoke template",
    "observations",
    "views of children",
    "views of parents",
)
_TEXTS = {"hypothesis": "Hypothesis", "notes": "Notes", **TERMS, **FINDINGS}
_SHORT = {"title": "Title", "service_area": "Service area", "template_id": "Template"}


def member_id(plan_id: str, name: str) -> str:
    """One record per manager per plan, the same id on every device."""
    return str(uuid.uuid5(PLAN_NAMESPACE, f"{plan_id}/member/{key(name)}"))


def allocation_id(plan_id: str, case_reference: str) -> str:
    """One allocation per case per plan, the same id on every device."""
    return str(uuid.uuid5(PLAN_NAMESPACE, f"{plan_id}/case/{case_reference.strip().casefold()}"))


def get_plan(session: Session, plan_id: str) -> models.Plan:
    found = session.get(models.Plan, plan_id)
    if found is None or found.deleted:
        raise NotFoundError(f"No plan with id {plan_id}")
    return found


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name in _SHORT:
            out[name] = " ".join(v.text(value, _SHORT[name], name, short=True).split())
        elif name in _TEXTS:
            out[name] = v.text(value, _TEXTS[name], name)
        elif name in ("starts_on", "ends_on"):
            out[name] = v.parse_date(value, "Date" if name == "starts_on" else "Until", name)
        elif name == "status":
            out[name] = v.choice(value, STATUSES, "Status", name)
        else:
            raise ValidationError(f"{name}: not a field of a plan", field=name)
    return out


def create_plan(
    session: Session,
    actor: Actor,
    kind: str,
    title: str,
    starts_on: dt.date | str | None,
    ends_on: dt.date | str | None = None,
    **values: Any,
) -> str:
    """Plan a practice day (or fortnight), a dip sample or a thematic evaluation; returns
    its id. ``values``: service_area, hypothesis, template_id, notes, terms of reference."""
    v.choice(kind, PLAN_KINDS, "Kind", "kind")
    clean = _clean({"title": title, "starts_on": starts_on, "ends_on": ends_on, **values})
    if not clean["title"]:
        raise ValidationError("Title: say what is planned", field="title")
    if clean["starts_on"] is None and kind == "practice_day":
        raise ValidationError("Date: when is the practice day?", field="starts_on")
    _check_dates(clean.get("starts_on"), clean.get("ends_on"))
    clean.setdefault("status", "planned")
    plan_id = str(uuid.uuid4())
    create_record(session, actor, "plan", plan_id, {"kind": kind}, clean, plan_id)
    session.flush()
    return plan_id


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise ValidationError("Until: the last day is before the first", field="ends_on")


def update_plan(session: Session, actor: Actor, plan_id: str, **values: Any) -> int:
    """Change a plan's fields (title, dates, service area, hypothesis, terms of reference,
    findings, notes); the status has its own operations. The cases due on the plan's (last)
    day move with it. Returns how many of the plan's fields changed."""
    plan = get_plan(session, plan_id)
    clean = _clean(values)
    if "status" in clean:
        raise ValidationError("Status: start, close or reopen the plan instead", field="status")
    if "title" in clean and not clean["title"]:
        raise ValidationError("Title: say what is planned", field="title")
    if "starts_on" in clean and clean["starts_on"] is None and plan.kind == "practice_day":
        raise ValidationError("Date: a practice day needs its date", field="starts_on")
    _check_dates(clean.get("starts_on", plan.starts_on), clean.get("ends_on", plan.ends_on))
    was_due = plan.ends_on or plan.starts_on
    changed = set_fields(session, actor, "plan", plan_id, clean)
    now_due = plan.ends_on or plan.starts_on
    if now_due != was_due:
        # The cases due on the plan's (last) day follow it when it moves: the home list says
        # "allocated to you for 10 December", not the day it used to be.
        for row in allocations(session, plan_id):
            if row.due_on == was_due:
                set_fields(session, actor, "allocation", row.id, {"due_on": now_due})
    return changed


def missing_terms(plan: models.Plan) -> list[str]:
    """The terms of reference a thematic evaluation still lacks (none for other kinds)."""
    if plan.kind != "thematic":
        return []
    return [label for name, label in TERMS.items() if not getattr(plan, name).strip()]


def start_plan(session: Session, actor: Actor, plan_id: str) -> None:
    """Mark a plan under way; a thematic evaluation needs its terms of reference first."""
    plan = get_plan(session, plan_id)
    missing = missing_terms(plan)
    if missing:
        raise ValidationError(
            f"Thematic evaluation {plan.title}: it cannot start without its terms of reference "
            f"(missing: {', '.join(missing)})",
            field="tor_why",
        )
    set_fields(session, actor, "plan", plan_id, {"status": "under_way"})


def close_plan(session: Session, actor: Actor, plan_id: str) -> None:
    """Close a plan: it becomes the record of what happened (reopen to change it)."""
    get_plan(session, plan_id)
    set_fields(session, actor, "plan", plan_id, {"status": "closed"})


def reopen_plan(session: Session, actor: Actor, plan_id: str) -> None:
    get_plan(session, plan_id)
    set_fields(session, actor, "plan", plan_id, {"status": "under_way"})


# --- the review group --------------------------------------------------------------------


@dataclass(frozen=True)
class MemberInput:
    """A manager of the review group: their own line and whom they supervise directly."""

    name: str
    role: str = ""
    team: str = ""
    service_area: str = ""
    supervises: tuple[str, ...] = ()


def put_member(session: Session, actor: Actor, plan_id: str, member: MemberInput) -> str:
    """Add a manager to the review group, or change them (the id comes from the name); their
    service area is the plan's unless given."""
    plan = get_plan(session, plan_id)
    name = " ".join(v.text(member.name, "Manager", "name", short=True).split())
    if not name:
        raise ValidationError("Manager: give a name", field="name")
    values = {
        "role": v.text(member.role, "Role", "role", short=True).strip(),
        "team": v.text(member.team, "Team", "team", short=True).strip(),
        "service_area": v.text(member.service_area, "Service area", "service_area", short=True)
        or plan.service_area,
        "supervises": "\n".join(" ".join(w.split()) for w in member.supervises if w.strip()),
    }
    entity_id = member_id(plan_id, name)
    row = session.get(models.PlanMember, entity_id)
    if row is None:
        fixed = {"plan_id": plan_id, "name": name}
        return create_record(session, actor, "plan_member", plan_id, fixed, values, entity_id)
    if row.deleted:
        record_change(session, actor, "plan_member", entity_id, plan_id, DELETED, False)
    set_fields(session, actor, "plan_member", entity_id, values)
    return entity_id


def remove_member(session: Session, actor: Actor, plan_id: str, name: str) -> None:
    remove_record(session, actor, "plan_member", member_id(plan_id, name))


def members(session: Session, plan_id: str) -> list[models.PlanMember]:
    """The plan's review group, by name."""
    m = models.PlanMember
    query = select(m).where(m.plan_id == plan_id, ~m.deleted).order_by(m.name)
    return list(session.scalars(query))


# --- cases and allocations ---------------------------------------------------------------


@dataclass(frozen=True)
class PlannedCase:
    """A case put on a plan, with what is known of it (from the case list or typed)."""

    case_reference: str
    service_area: str = ""
    team: str = ""
    worker: str = ""
    category: str = ""


def add_cases(
    session: Session,
    actor: Actor,
    plan_id: str,
    cases: Sequence[PlannedCase],
    case_pattern: str,
    due_on: dt.date | None = None,
) -> list[str]:
    """Put cases on a plan (not yet allocated); a case already on it is left as it is."""
    plan = get_plan(session, plan_id)
    due = due_on or plan.ends_on or plan.starts_on
    out = []
    for case in cases:
        ref = v.case_reference(case.case_reference, case_pattern)
        entity_id = allocation_id(plan_id, ref)
        row = session.get(models.Allocation, entity_id)
        if row is not None and not row.deleted:
            out.append(entity_id)
            continue
        values = {
            "reviewer": "",
            "service_area": case.service_area[:200],
            "team": case.team[:200],
            "worker": case.worker[:200],
            "category": case.category[:200],
            "due_on": due,
            "started_evaluation_id": "",
        }
        if row is None:
            fixed = {"plan_id": plan_id, "case_reference": ref}
            create_record(session, actor, "allocation", plan_id, fixed, values, entity_id)
        else:
            record_change(session, actor, "allocation", entity_id, plan_id, DELETED, False)
            set_fields(session, actor, "allocation", entity_id, values)
        out.append(entity_id)
    return out


def remove_case(session: Session, actor: Actor, plan_id: str, case_reference: str) -> None:
    remove_record(session, actor, "allocation", allocation_id(plan_id, case_reference))


def allocations(session: Session, plan_id: str) -> list[models.Allocation]:
    """The plan's cases, by case reference."""
    a = models.Allocation
    query = select(a).where(a.plan_id == plan_id, ~a.deleted).order_by(a.case_reference)
    return list(session.scalars(query))


def set_reviewer(session: Session, actor: Actor, allocation: str, reviewer: str) -> None:
    """Allocate one case to one reviewer by hand (empty: unallocate it)."""
    name = " ".join(v.text(reviewer, "Reviewer", "reviewer", short=True).split())
    set_fields(session, actor, "allocation", allocation, {"reviewer": name})


def allocate_plan(session: Session, actor: Actor, plan_id: str, rules: Rules | None = None) -> int:
    """Allocate the plan's cases not yet started to its review group under ``rules`` (see
    :mod:`qa_tui.domain.allocation`); keeps the rules with the plan. Returns how many
    allocations changed."""
    get_plan(session, plan_id)
    rules = rules or Rules()
    group = members(session, plan_id)
    open_cases = [a for a in allocations(session, plan_id) if not a.started_evaluation_id]
    managers = [
        Manager(m.name, m.team, frozenset(key(w) for w in m.supervises.splitlines() if w.strip()))
        for m in group
    ]
    cases = [CaseToAllocate(a.case_reference, a.team, a.worker) for a in open_cases]
    if not cases:
        raise ValidationError("Allocation: the plan has no cases left to allocate", field="cases")
    chosen = allocate(cases, managers, rules)
    changed = 0
    for row in open_cases:
        changed += set_fields(
            session, actor, "allocation", row.id, {"reviewer": chosen[row.case_reference]}
        )
    set_fields(session, actor, "plan", plan_id, {"rules": dumps(asdict(rules))})
    return changed


def record_sample(
    session: Session,
    actor: Actor,
    plan_id: str,
    sample: DipSample,
    cases: Sequence[PlannedCase],
    case_pattern: str,
) -> list[str]:
    """Keep how a plan's cases were drawn (seed, frame, strata) and put them on it."""
    get_plan(session, plan_id)
    ids = add_cases(session, actor, plan_id, cases, case_pattern)
    values = {"sample": dumps(sample.to_json())}
    if sample.hypothesis:
        values["hypothesis"] = sample.hypothesis
    set_fields(session, actor, "plan", plan_id, values)
    return ids


def sample_of(plan: models.Plan) -> dict[str, Any] | None:
    """How the plan's cases were drawn, as recorded (None if they were chosen by hand)."""
    if not plan.sample:
        return None
    try:
        found = json.loads(plan.sample)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def start_from_allocation(
    session: Session, actor: Actor, template: Template, allocation: str, case_pattern: str
) -> str:
    """Start (or return) the evaluation of an allocated case: a draft on ``template`` with
    the case's details, the plan's type and the reviewer as auditor."""
    row = session.get(models.Allocation, allocation)
    if row is None or row.deleted:
        raise NotFoundError(f"No allocation with id {allocation}")
    started = row.started_evaluation_id
    if started:
        existing = session.get(models.Evaluation, started)
        if existing is not None and not existing.deleted:
            return started
        if session.get(PurgedEvaluation, started) is not None:
            raise ValidationError(
                f"Case {row.case_reference}: its evaluation was completed and handed over "
                "to the QA team (no longer on this laptop)",
                field="allocation",
            )
    plan = get_plan(session, row.plan_id)
    if missing_terms(plan):
        raise ValidationError(
            f"Thematic evaluation {plan.title}: it cannot start without its terms of reference",
            field="tor_why",
        )
    details = CaseDetails(
        case_reference=row.case_reference,
        service_area=row.service_area,
        team=row.team,
        practitioner=row.worker,
        evaluation_type=EVALUATION_TYPE[plan.kind],
        evaluation_date=actor.now().date(),
        practice_day=plan.title if plan.kind == "practice_day" else "",
        theme=plan.title if plan.kind == "thematic" else "",
        auditor=row.reviewer or actor.author,
    )
    evaluation_id = create_evaluation(session, actor, template, details, case_pattern)
    set_fields(session, actor, "allocation", allocation, {"started_evaluation_id": evaluation_id})
    if plan.status == "planned":
        set_fields(session, actor, "plan", plan.id, {"status": "under_way"})
    return evaluation_id
