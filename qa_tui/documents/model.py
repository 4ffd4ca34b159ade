"""What the written notice and the feedback summary say, computed once from an evaluation.

Plain data (strings and lists) for the renderers: Markdown, HTML, Word and email take the same
:class:`NoticeDoc` or :class:`SummaryDoc` and only lay it out, so every format says the same
thing. Text from users stays exactly as typed here; each renderer escapes it for its format.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from qa_tui.domain.followup import concern_state
from qa_tui.domain.moderation import AGREEMENTS, ModerationView
from qa_tui.framework.model import ItemKind, Template
from qa_tui.store.views import EvaluationView
from qa_tui.vocab import (
    ACTION_STATUSES,
    CONCERN_RECIPIENTS,
    EVALUATION_TYPES,
    SHARE_METHODS,
    SUMMARY_RECIPIENTS,
)

Pair = tuple[str, str]


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "date not recorded"


def _or_dash(text: str) -> str:
    return text if text.strip() else "—"


@dataclass(frozen=True)
class NoticeDoc:
    """The written notice of an immediate concern (seed 000 §3.4, §6.11)."""

    case_reference: str
    evaluation_date: str
    title: str
    intro: str
    recipients: list[Pair]  # (role, name or "")
    details: list[Pair]
    concern: str
    shared: list[str]
    lifecycle: list[str]
    prepared_on: str
    file_stem: str


@dataclass(frozen=True)
class GradedItem:
    prompt: str
    grade: str
    evidence: str


@dataclass(frozen=True)
class ScalingItem:
    prompt: str
    ends: str
    scales: list[tuple[str, str, str]]  # (who, score, rationale)


@dataclass(frozen=True)
class ActionLine:
    description: str
    owner: str
    due: str
    status: str


@dataclass(frozen=True)
class ModerationOutcome:
    by: str
    on: str
    overall: str
    agreement: str
    learning_points: str


@dataclass(frozen=True)
class SummaryDoc:
    """A completed evaluation's feedback summary for the child's electronic record and for
    the practitioner, team manager and service manager (seed 000 §4.8)."""

    case_reference: str
    evaluation_date: str
    title: str
    intro: str
    details: list[Pair]
    overall: str
    strengths: str
    development: str
    graded: list[tuple[str, list[GradedItem]]]  # (section title, items)
    scaling: list[ScalingItem]
    actions: list[ActionLine]
    moderation: list[ModerationOutcome]
    shared: list[str]
    prepared_on: str
    file_stem: str
    recipients: list[str] = field(default_factory=lambda: list(SUMMARY_RECIPIENTS.values()))


def safe_stem(kind: str, case_reference: str, when: dt.date | None) -> str:
    """A file name stem from the kind, the case reference and the date: never a person's
    name, only letters, digits, ``-`` and ``_``."""
    ref = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in case_reference)
    return f"{kind}-{ref.strip('_') or 'case'}" + (f"-{when.isoformat()}" if when else "")


def _details(view: EvaluationView, template: Template) -> list[Pair]:
    ev = view.evaluation
    by = ev.auditor + (f", {ev.auditor_role}" if ev.auditor_role.strip() else "")
    return [
        ("Case reference", ev.case_reference),
        ("Date of evaluation", _date(ev.evaluation_date)),
        ("Evaluation", EVALUATION_TYPES.get(ev.evaluation_type, ev.evaluation_type)),
        ("Template", f"{template.name}, version {template.version}"),
        ("Service area", _or_dash(ev.service_area)),
        ("Team", _or_dash(ev.team)),
        ("Practitioner", _or_dash(ev.practitioner)),
        ("Evaluated by", _or_dash(by)),
    ]


def build_notice(view: EvaluationView, template: Template, today: dt.date) -> NoticeDoc:
    """The notice of the evaluation's immediate concern as it stands (who it was shared with,
    acknowledgements, closure)."""
    ev = view.evaluation
    state = concern_state(ev, view.shares, view.concern_events)
    shared = [
        f"{CONCERN_RECIPIENTS.get(s.recipient_role, s.recipient_role)}"
        + (f" ({s.recipient_name})" if s.recipient_name.strip() else "")
        + f": {_date(s.shared_on)}, {SHARE_METHODS.get(s.method, s.method).lower()}"
        for s in view.shares
    ]
    lifecycle = [
        f"Acknowledged by the {CONCERN_RECIPIENTS.get(e.person_role, e.person_role).lower()}"
        + (f" ({e.person_name})" if e.person_name.strip() else "")
        + f" on {_date(e.happened_on)}"
        for e in state.acknowledgements
    ] + [f"Closed on {_date(e.happened_on)}: {e.note}" for e in state.closures]
    names = {"practitioner": ev.practitioner.strip()}
    for share in view.shares:  # the names the notice was recorded as shared with
        if share.recipient_name.strip():
            names[share.recipient_role] = share.recipient_name.strip()
    grade = template.scale.label(ev.overall_grade) or "not yet given"
    return NoticeDoc(
        case_reference=ev.case_reference,
        evaluation_date=_date(ev.evaluation_date),
        title=f"Immediate concern: case {ev.case_reference}",
        intro=(
            "A practice evaluation of this case has identified an immediate concern. In line "
            "with the practice evaluation framework (§3.4 and §6.11) it is shared in writing "
            "with the practitioner, team manager and service manager responsible for the case "
            "and the Director of Social Care, for their review and action."
            if ev.immediate_concern
            else "This evaluation records no immediate concern."
        ),
        recipients=[(label, names.get(role, "")) for role, label in CONCERN_RECIPIENTS.items()],
        details=[*_details(view, template), ("Overall judgement", grade)],
        concern=ev.concern_description if ev.immediate_concern else "",
        shared=shared,
        lifecycle=lifecycle,
        prepared_on=today.isoformat(),
        file_stem=safe_stem("concern-notice", ev.case_reference, ev.evaluation_date),
    )


def _graded(view: EvaluationView, template: Template) -> list[tuple[str, list[GradedItem]]]:
    out = []
    for section in template.sections:
        items = []
        for item in section.items:
            if item.kind is not ItemKind.GRADE:
                continue
            response = view.responses.get(item.id)
            grade = template.scale.label(response.grade) if response and response.grade else ""
            evidence = ""
            if response is not None:
                evidence = response.evidence or response.na_reason
            items.append(GradedItem(item.prompt, grade or "not graded", evidence))
        if items:
            out.append((section.title, items))
    return out


def _scaling(view: EvaluationView, template: Template) -> list[ScalingItem]:
    names = {p.id: " ".join(f"{p.name} ({p.role})".split()) for p in view.participants}
    out = []
    for item in template.items(ItemKind.SCALING):
        scales = [
            (
                names.get(s.participant_id, "someone no longer listed"),
                "—" if s.score is None else f"{s.score}/10",
                s.rationale,
            )
            for s in view.scales[item.id]
        ]
        ends = f"0 = {item.scale_low}; 10 = {item.scale_high}"
        out.append(ScalingItem(item.prompt, ends, scales))
    return out


def _moderation(moderations: list[ModerationView], template: Template) -> list[ModerationOutcome]:
    from qa_tui.domain.moderation import OVERALL

    out = []
    for mod in moderations:
        m = mod.moderation
        overall = next((j for j in mod.judgements if j.item_id == OVERALL), None)
        counts = mod.counts()
        agreed = f"{counts['agree']} of {len(mod.judgements)} items agreed"
        out.append(
            ModerationOutcome(
                by=m.moderator
                + (f", {m.moderator_role}" if m.moderator_role else "")
                + (f" ({m.group_name})" if m.group_name.strip() else ""),
                on=_date(m.moderated_on),
                overall=(
                    f"{template.scale.label(overall.moderated_grade) or overall.moderated_grade}"
                    f" ({AGREEMENTS[overall.agreement].lower()})"
                    if overall
                    else "overall judgement not moderated"
                ),
                agreement=agreed,
                learning_points=m.learning_points,
            )
        )
    return out


def build_summary(
    view: EvaluationView,
    template: Template,
    moderations: list[ModerationView],
    today: dt.date,
) -> SummaryDoc:
    """The feedback summary of a completed evaluation."""
    ev = view.evaluation
    actions = [
        ActionLine(
            a.description,
            _or_dash(a.owner),
            a.due_date.isoformat() if a.due_date else "no date",
            ACTION_STATUSES.get(a.current_status, a.current_status)
            + (f" ({a.status_on.isoformat()})" if a.status_on else ""),
        )
        for a in view.actions
    ]
    shared = [
        f"{SUMMARY_RECIPIENTS.get(s.recipient_role, s.recipient_role)}"
        + (f" ({s.recipient_name})" if s.recipient_name.strip() else "")
        + f": {_date(s.shared_on)}, {SHARE_METHODS.get(s.method, s.method).lower()}"
        for s in view.summary_shares
    ]
    overall = template.scale.label(ev.overall_grade) or "not given"
    if ev.overall_na_reason.strip():
        overall += f" ({ev.overall_na_reason})"
    return SummaryDoc(
        case_reference=ev.case_reference,
        evaluation_date=_date(ev.evaluation_date),
        title=f"Practice evaluation feedback: case {ev.case_reference}",
        intro=(
            "The outcome of a practice evaluation of this case, for the child's electronic "
            "record and for the practitioner, their team manager and the service manager "
            "(practice evaluation framework §4.8), including the actions identified."
        ),
        details=_details(view, template),
        overall=overall,
        strengths=_or_dash(ev.summary_strengths),
        development=_or_dash(ev.summary_development),
        graded=_graded(view, template),
        scaling=_scaling(view, template),
        actions=actions,
        moderation=_moderation(moderations, template),
        shared=shared,
        prepared_on=today.isoformat(),
        file_stem=safe_stem("feedback-summary", ev.case_reference, ev.evaluation_date),
    )
