"""The summary's text: a whole evaluation, and its moderations, as literal text blocks.

Pure functions over the core's views (no widgets): the summary screen mounts one ``Static``
per block, with ``markup=False``, so user text is always shown exactly as typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qa_tui.domain.moderation import ModerationView
    from qa_tui.framework.model import Item, Template
    from qa_tui.store.views import EvaluationView
    from qa_tui.workspace import Workspace

Block = tuple[str, str]  # (css class, plain text shown literally)


@dataclass(frozen=True)
class SummaryData:
    case_reference: str
    status: str
    immediate_concern: bool
    blocks: list[Block]


def _yes_no(value: bool | None) -> str:
    return "not recorded" if value is None else ("yes" if value else "no")


def _pairs(pairs: list[tuple[str, str]]) -> list[Block]:
    return [("pair", f"{label}: {value or '—'}") for label, value in pairs]


def _details(view: EvaluationView, template: Template) -> list[Block]:
    from qa_tui.vocab import EVALUATION_TYPES, STATUSES

    ev = view.evaluation
    people = ", ".join(" ".join(f"{p.name} ({p.role})".split()) for p in view.participants)
    auditor = ev.auditor + (f", {ev.auditor_role}" if ev.auditor_role.strip() else "")
    status = STATUSES.get(ev.status, ev.status)
    if ev.demo:  # never mistaken for real work
        status += " (demo: fictional data; export and sync leave it out)"
    pairs = [
        ("Status", status),
        ("Date", ev.evaluation_date.isoformat() if ev.evaluation_date else ""),
        ("Type", EVALUATION_TYPES.get(ev.evaluation_type, ev.evaluation_type)),
        ("Template", f"{template.name}, version {template.version}"),
        ("Service area", ev.service_area),
        ("Team", ev.team),
        ("Practitioner", ev.practitioner),
        ("Practitioner present", _yes_no(ev.practitioner_present)),
        ("Evaluated by", auditor),
        ("Who took part", people),
    ]
    pairs += [("Practice day", ev.practice_day)] if ev.practice_day.strip() else []
    pairs += [("Theme", ev.theme)] if ev.theme.strip() else []
    return [("h2", "Case details"), *_pairs(pairs)]


def _grade_item(view: EvaluationView, template: Template, item: Item) -> list[Block]:
    response = view.responses.get(item.id)
    if response is None or not response.grade:
        return [("grade missing", "Grade: not given")]
    out = [("grade", f"Grade: {template.scale.label(response.grade)}")]
    if response.na_reason.strip():
        out.append(("text", f"Why not applicable: {response.na_reason}"))
    if response.evidence.strip():
        out.append(("text", response.evidence))
    return out


def _scaling_item(view: EvaluationView, item: Item) -> list[Block]:
    out: list[Block] = [("hint", f"0 = {item.scale_low}    10 = {item.scale_high}")]
    names = {p.id: " ".join(f"{p.name} ({p.role})".split()) for p in view.participants}
    for scale in view.scales[item.id]:
        score = "—" if scale.score is None else f"{scale.score}/10"
        who = names.get(scale.participant_id, "someone no longer listed")
        out.append(("bullet", f"{who}: {score}. {scale.rationale}"))
    return out if len(out) > 1 else [*out, ("missing", "No scales given")]


def _item_blocks(view: EvaluationView, template: Template, item: Item) -> list[Block]:
    from qa_tui.framework.model import ItemKind

    response = view.responses.get(item.id)
    if item.kind is ItemKind.GRADE:
        return _grade_item(view, template, item)
    if item.kind is ItemKind.LIST:
        entries = [e for e in view.entries[item.id] if e.text.strip()]
        return [("bullet", f"• {e.text}") for e in entries] or [("missing", "None recorded")]
    if item.kind is ItemKind.SCALING:
        return _scaling_item(view, item)
    if item.kind is ItemKind.FEEDBACK:
        labels = {s.id: s.label for s in item.sources} | {"direct": "Direct feedback"}
        rows = [
            (
                "bullet",
                f"{labels.get(f.source, f.source)}"
                f"{' — ' + f.given_by if f.given_by.strip() else ''}: "
                f"{f.text}",
            )
            for f in view.feedback[item.id]
        ]
        return rows or [("missing", "No feedback recorded")]
    if item.kind is ItemKind.YES_NO:
        answer = _yes_no(response.answer if response else None).capitalize()
        reason = response.text if response else ""
        return [("text", f"{answer}. {reason}".strip())]
    text = response.text if response and response.text.strip() else ""
    return [("text", text)] if text else [("missing", "Not answered")]


def _prompt_blocks(view: EvaluationView, item: Item) -> list[Block]:
    """How the examples under a judgement were marked: the counts, then each one marked."""
    from qa_tui.framework.model import PROMPT_MARKS

    marks = {p.id: view.responses.get(p.id) for p in item.prompts}
    counts = {mark: 0 for mark in PROMPT_MARKS}
    for response in marks.values():
        if response is not None and response.grade in counts:
            counts[response.grade] += 1
    unmarked = len(item.prompts) - sum(counts.values())
    words = [f"{n} {PROMPT_MARKS[m].lower()}" for m, n in counts.items() if n]
    words += [f"{unmarked} not marked"] if unmarked else []
    out: list[Block] = [("hint", f"Examples ({len(item.prompts)}): {', '.join(words)}")]
    for prompt in item.prompts:
        response = marks[prompt.id]
        if response is None or response.grade not in PROMPT_MARKS:
            continue
        out.append(("bullet", f"{PROMPT_MARKS[response.grade]}: {prompt.prompt}"))
        if response.evidence.strip():
            out.append(("text", f"  Evidence: {response.evidence}"))
    return out


def _sections(view: EvaluationView, template: Template) -> list[Block]:
    out: list[Block] = []
    for section in template.sections:
        out.append(("h2", section.title))
        for item in section.items:
            out.append(("prompt", item.prompt))
            out.extend(_item_blocks(view, template, item))
            if item.prompts:
                out.extend(_prompt_blocks(view, item))
    return out


def _actions_and_concern(view: EvaluationView) -> list[Block]:
    from qa_tui.vocab import ACTION_STATUSES, CONCERN_RECIPIENTS

    out: list[Block] = [("h2", "Actions")]
    for a in view.actions:
        due = a.due_date.isoformat() if a.due_date else "no date"
        status = ACTION_STATUSES.get(a.current_status, a.current_status)
        out.append(
            (
                "bullet",
                f"• {a.description} — {a.owner or 'no owner'}, by {due} ({status})",
            )
        )
    if not view.actions:
        out.append(("hint", "No actions agreed"))
    ev = view.evaluation
    out += [
        ("h2", "Immediate concerns"),
        ("pair", f"Immediate concern: {_yes_no(ev.immediate_concern)}"),
    ]
    if ev.immediate_concern:
        out.append(("concern", f"⚠ {ev.concern_description or 'not described'}"))
        for s in view.shares:
            who = CONCERN_RECIPIENTS.get(s.recipient_role, s.recipient_role)
            name = f" ({s.recipient_name})" if s.recipient_name.strip() else ""
            when = s.shared_on.isoformat() if s.shared_on else "date not recorded"
            out.append(("bullet", f"Notice shared with the {who.lower()}{name} on {when}"))
        if not view.shares:
            out.append(("missing", "The written notice is not yet recorded as shared"))
        out.extend(_concern_since(view))
    out.append(("h2", "Findings shared"))
    for share in view.summary_shares:
        from qa_tui.vocab import SUMMARY_RECIPIENTS

        who = SUMMARY_RECIPIENTS.get(share.recipient_role, share.recipient_role)
        name = f" ({share.recipient_name})" if share.recipient_name.strip() else ""
        when = share.shared_on.isoformat() if share.shared_on else "date not recorded"
        out.append(("bullet", f"Feedback summary shared: {who}{name} on {when}"))
    if not view.summary_shares:
        out.append(("hint", "Not yet recorded as shared (d shares the findings)"))
    return out


def _concern_since(view: EvaluationView) -> list[Block]:
    from qa_tui.domain.followup import concern_state, stage_words
    from qa_tui.vocab import CONCERN_RECIPIENTS

    state = concern_state(view.evaluation, view.shares, view.concern_events)
    shared = len(CONCERN_RECIPIENTS) - len(state.unshared_roles)
    out: list[Block] = [("pair", f"Where it stands: {stage_words(state.stage, shared)}")]
    for event in state.acknowledgements:
        who = CONCERN_RECIPIENTS.get(event.person_role, event.person_role).lower()
        name = f" ({event.person_name})" if event.person_name.strip() else ""
        out.append(("bullet", f"Acknowledged by the {who}{name} on {event.happened_on}"))
    for event in state.closures:
        out.append(("bullet", f"Closed on {event.happened_on}: {event.note}"))
    return out


def _overall(view: EvaluationView, template: Template) -> list[Block]:
    ev = view.evaluation
    out: list[Block] = [
        ("h2", "Overall judgement"),
        ("grade", f"Overall: {template.scale.label(ev.overall_grade) or 'not given'}"),
    ]
    if ev.overall_na_reason.strip():
        out.append(("text", f"Why not applicable: {ev.overall_na_reason}"))
    out += [
        ("prompt", "Strengths"),
        ("text", ev.summary_strengths or "—"),
        ("prompt", "Areas for development"),
        ("text", ev.summary_development or "—"),
    ]
    if view.events:
        out.append(("h2", "History"))
        for event in view.events:
            reason = f": {event.reason}" if event.reason.strip() else ""
            out.append(
                (
                    "hint",
                    f"{event.kind.capitalize()} by {event.created_by} "
                    f"at {event.created_at[:16].replace('T', ' ')}{reason}",
                )
            )
    return out


def _moderations(moderations: list[ModerationView], template: Template) -> list[Block]:
    """What moderators made of the evaluation (sync brings it back to the auditor's laptop)."""
    from qa_tui.domain.moderation import AGREEMENTS

    out: list[Block] = [("h2", "Moderation")] if moderations else []
    for view in moderations:
        m = view.moderation
        who = m.moderator + (f", {m.moderator_role}" if m.moderator_role else "")
        group = f" ({m.group_name})" if m.group_name.strip() else ""
        when = m.moderated_on.isoformat() if m.moderated_on else "date not recorded"
        if m.session_id and not view.judgements:
            out.append(
                ("pair", f"On the agenda of {m.group_name or 'a moderation group'} on {when}")
            )
            out.append(("hint", "Not moderated yet"))
            continue
        out.append(("pair", f"Moderated by {who}{group} on {when}"))
        for j in view.judgements:
            auditor = template.scale.label(j.auditor_grade) or "no grade"
            moderated = template.scale.label(j.moderated_grade) or j.moderated_grade
            out.append(("prompt", j.prompt))
            verdict = (
                f"Agree: {auditor}"
                if j.agreement == "agree"
                else f"{AGREEMENTS[j.agreement]}: auditor {auditor}, moderated {moderated}"
            )
            out.append(("grade", verdict))
            if j.rationale.strip():
                out.append(("text", j.rationale))
        if not view.judgements:
            out.append(("hint", "No items moderated yet"))
        for label, text in (
            ("What was evidenced well", m.feedback_strengths),
            ("What was not evidenced well", m.feedback_gaps),
            ("Learning points", m.learning_points),
        ):
            if text.strip():
                out += [("prompt", label), ("text", text)]
    return out


def read_summary(ws: Workspace, evaluation_id: str) -> SummaryData:
    """Everything the summary shows, as literal text blocks (runs in a worker thread)."""
    from qa_tui.domain.moderation import moderation_views
    from qa_tui.store.views import load_view

    with ws.store.reader() as session:
        view = load_view(session, evaluation_id)
        template = ws.template_for(view.evaluation)
        moderations = moderation_views(session, template, evaluation_id)
        ev = view.evaluation
        blocks = [
            ("h1", f"Case {ev.case_reference}"),
            *_details(view, template),
            *_sections(view, template),
            *_actions_and_concern(view),
            *_overall(view, template),
            *_moderations(moderations, template),
        ]
        return SummaryData(ev.case_reference, ev.status, bool(ev.immediate_concern), blocks)
