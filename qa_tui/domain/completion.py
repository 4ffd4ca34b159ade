"""What is still missing before an evaluation can be completed, and the template's rules."""

from __future__ import annotations

from dataclasses import dataclass

from qa_tui.framework.model import NOT_APPLICABLE, Item, ItemKind, Prompt, RuleKind, Template
from qa_tui.store.views import EvaluationView
from qa_tui.vocab import CONCERN_RECIPIENTS

DETAILS = "details"
ACTIONS = "actions"
CONCERNS = "concerns"
OVERALL = "overall"
PARTICIPANTS = "participants"


@dataclass(frozen=True)
class Missing:
    """One thing to do before completing: where (section, and item or field) and what, as a
    sentence a person can act on (the review lists them under their section)."""

    section: str
    target: str  # item id, or a field name of the evaluation
    message: str


def _item_missing(view: EvaluationView, template: Template, item: Item) -> str | None:
    response = view.responses.get(item.id)
    if item.kind is ItemKind.GRADE:
        if response is None or not response.grade:
            return "no grade given yet"
        if response.grade == NOT_APPLICABLE and not response.na_reason.strip():
            return "“not applicable” needs its reason"
        if (
            item.evidence_required
            and response.grade != NOT_APPLICABLE
            and not response.evidence.strip()
        ):
            return "the evidence for the grade is required"
    elif item.kind is ItemKind.LIST:
        count = sum(1 for e in view.entries[item.id] if e.text.strip())
        if count < item.min_entries:
            return (
                f"needs at least {item.min_entries} entr{'y' if item.min_entries == 1 else 'ies'}"
            )
    elif item.kind is ItemKind.SCALING:
        scales = [s for s in view.scales[item.id] if s.score is not None]
        if not scales:
            return "no scale given yet"
        if any(not s.rationale.strip() for s in scales):
            return "every scale needs a rationale"
    elif item.kind is ItemKind.FEEDBACK:
        if not any(f.text.strip() for f in view.feedback[item.id]):
            return "no feedback recorded yet (direct, or where it was found in the record)"
    elif item.kind is ItemKind.YES_NO:
        if response is None or response.answer is None:
            return "not answered yes or no yet"
        if not response.text.strip():
            return "the answer needs its reason"
    elif item.kind is ItemKind.TEXT and (response is None or not response.text.strip()):
        return "not answered yet"
    return None


def _prompts_missing(view: EvaluationView, item: Item) -> list[tuple[Prompt, str]]:
    """Required prompts not yet marked; none when the judgement itself is not applicable."""
    judgement = view.responses.get(item.id)
    if judgement is not None and judgement.grade == NOT_APPLICABLE:
        return []
    out = []
    for prompt in item.prompts:
        answer = view.responses.get(prompt.id)
        if prompt.required and (answer is None or not answer.grade):
            out.append((prompt, "not marked seen, not seen or not applicable"))
    return out


def _sentence(prompt: str, problem: str) -> str:
    """ "Assessment: the evidence … is required." — or, after a question, a second sentence
    ("What is working well? Needs at least 1 entry.")."""
    prompt = prompt.strip()
    if prompt.endswith("?"):
        return f"{prompt} {problem[:1].upper()}{problem[1:]}."
    return f"{prompt.rstrip('.:')}: {problem}."


def _details_missing(view: EvaluationView) -> list[Missing]:
    ev = view.evaluation
    wanted = {
        "case_reference": "The case reference",
        "service_area": "The service area",
        "team": "The team",
        "practitioner": "The practitioner",
    }
    out = [
        Missing(DETAILS, f, f"{label} is required.")
        for f, label in wanted.items()
        if not getattr(ev, f).strip()
    ]
    if ev.evaluation_date is None:
        out.append(Missing(DETAILS, "evaluation_date", "The date of the evaluation is required."))
    if ev.practitioner_present is None:
        out.append(
            Missing(DETAILS, "practitioner_present", "Say whether the practitioner was present.")
        )
    if ev.evaluation_type == "thematic" and not ev.theme.strip():
        out.append(Missing(DETAILS, "theme", "A thematic evaluation needs its theme."))
    return out


def _rules_missing(view: EvaluationView, template: Template) -> list[Missing]:
    out: list[Missing] = []
    # Graded items only: a prompt's response holds a mark (seen, not seen), not a grade.
    graded = {item.id for item in template.items(ItemKind.GRADE)}
    grades = [r.grade for r in view.responses.values() if r.grade and r.item_id in graded]
    for rule in template.rules:
        if rule.kind is RuleKind.ACTION_BELOW_GRADE:
            below = [
                g
                for g in [*grades, view.evaluation.overall_grade]
                if template.scale.is_below(g, rule.grade)
            ]
            if below and not view.actions:
                label = template.scale.label(rule.grade).lower()
                msg = rule.message or f"An action is required for any grade below {label}."
                out.append(Missing(ACTIONS, "actions", msg))
        elif rule.kind is RuleKind.ALL_PARTICIPANTS_SCALE:
            for item in template.items(ItemKind.SCALING):
                for person in view.participants:
                    scale = view.scale_for(item.id, person.id)
                    if scale is None or scale.score is None or not scale.rationale.strip():
                        who = person.name or person.role
                        section = template.section_of(item.id)
                        out.append(
                            Missing(
                                section.id if section else PARTICIPANTS,
                                item.id,
                                f"{who} has not given a scale and rationale yet.",
                            )
                        )
        elif (
            rule.kind is RuleKind.DEVELOPMENT_ALWAYS
            or (
                rule.kind is RuleKind.DEVELOPMENT_BELOW_GRADE
                and template.scale.is_below(view.evaluation.overall_grade, rule.grade)
            )
        ) and not view.evaluation.summary_development.strip():
            out.append(
                Missing(
                    OVERALL,
                    "summary_development",
                    rule.message or "Areas for development are required for this judgement.",
                )
            )
    return out


def _concern_missing(view: EvaluationView) -> list[Missing]:
    ev = view.evaluation
    if ev.immediate_concern is None:
        return [Missing(CONCERNS, "immediate_concern", "Say whether there are immediate concerns.")]
    if not ev.immediate_concern:
        return []
    out = []
    if not ev.concern_description.strip():
        out.append(Missing(CONCERNS, "concern_description", "Describe the immediate concern."))
    shared = {s.recipient_role for s in view.shares}
    for role, label in CONCERN_RECIPIENTS.items():
        if role not in shared:
            out.append(
                Missing(
                    CONCERNS,
                    "shares",
                    f"The concern notice is not yet recorded as shared with the {label.lower()}.",
                )
            )
    return out


def missing(view: EvaluationView, template: Template) -> list[Missing]:
    """Everything that stops completion, in the order of the journey."""
    out = _details_missing(view)
    if not view.participants:
        out.append(Missing(PARTICIPANTS, "participants", "Add who took part."))
    for section in template.sections:
        for item in section.items:
            problem = _item_missing(view, template, item) if item.required else None
            if problem:
                out.append(Missing(section.id, item.id, _sentence(item.prompt, problem)))
            for example, need in _prompts_missing(view, item):
                out.append(Missing(section.id, example.id, _sentence(example.prompt, need)))
    for action in view.actions:
        if not action.description.strip() or not action.owner.strip() or action.due_date is None:
            out.append(
                Missing(ACTIONS, action.id, "Every action needs what, who owns it and by when.")
            )
            break
    out.extend(_concern_missing(view))
    ev = view.evaluation
    if not ev.overall_grade:
        out.append(Missing(OVERALL, "overall_grade", "The overall judgement is required."))
    elif ev.overall_grade == NOT_APPLICABLE and not ev.overall_na_reason.strip():
        out.append(
            Missing(
                OVERALL,
                "overall_na_reason",
                "The overall judgement is “not applicable”: give the reason.",
            )
        )
    if not ev.summary_strengths.strip():
        out.append(Missing(OVERALL, "summary_strengths", "The summary of strengths is required."))
    out.extend(_rules_missing(view, template))
    return out
