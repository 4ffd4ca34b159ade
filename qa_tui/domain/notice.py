"""The written notice of an immediate concern (seed 000 §3.4, §6.11).

An evaluation that identifies immediate concerns is shared in writing with the practitioner,
the team manager and the service manager responsible for the case, and the Director of Social
Care. :func:`concern_notice` writes that notice as Markdown from the evaluation as it stands.
"""

from __future__ import annotations

from qa_tui.framework.model import Template
from qa_tui.store.views import EvaluationView
from qa_tui.textsafe import printable
from qa_tui.vocab import CONCERN_RECIPIENTS, EVALUATION_TYPES, SHARE_METHODS


def _line(text: str) -> str:
    """User text on one Markdown line, control characters made visible."""
    return " ".join(printable(text).split()) or "—"


def _quoted(text: str) -> list[str]:
    lines = printable(text).strip().splitlines() or ["(no description recorded)"]
    return [f"> {line}".rstrip() for line in lines]


def _details(view: EvaluationView, template: Template) -> list[str]:
    ev = view.evaluation
    date = ev.evaluation_date.isoformat() if ev.evaluation_date else "—"
    kind = EVALUATION_TYPES.get(ev.evaluation_type, ev.evaluation_type)
    grade = template.scale.label(ev.overall_grade) or "not yet given"
    return [
        f"- **Case reference:** {_line(ev.case_reference)}",
        f"- **Date of evaluation:** {date}",
        f"- **Evaluation:** {kind} ({template.name}, version {template.version})",
        f"- **Service area:** {_line(ev.service_area)}",
        f"- **Team:** {_line(ev.team)}",
        f"- **Practitioner:** {_line(ev.practitioner)}",
        f"- **Evaluated by:** {_line(ev.auditor)}"
        + (f", {_line(ev.auditor_role)}" if ev.auditor_role.strip() else ""),
        f"- **Overall judgement:** {grade}",
    ]


def _recipients(view: EvaluationView) -> list[str]:
    ev = view.evaluation
    names = {"practitioner": ev.practitioner.strip(), "team_manager": "", "service_manager": ""}
    out = []
    for role, label in CONCERN_RECIPIENTS.items():
        name = names.get(role, "")
        out.append(f"- {label}" + (f": {_line(name)}" if name else ""))
    return out


def _shares(view: EvaluationView) -> list[str]:
    if not view.shares:
        return ["Not yet recorded as shared with anyone."]
    out = []
    for share in view.shares:
        who = CONCERN_RECIPIENTS.get(share.recipient_role, share.recipient_role)
        name = f" ({_line(share.recipient_name)})" if share.recipient_name.strip() else ""
        when = share.shared_on.isoformat() if share.shared_on else "date not recorded"
        how = SHARE_METHODS.get(share.method, share.method)
        out.append(f"- {who}{name}: {when}, {how.lower()}")
    return out


def concern_notice(view: EvaluationView, template: Template) -> str:
    """The written notice of the evaluation's immediate concern, as Markdown.

    Works for any evaluation: one without an immediate concern says so plainly, so the text
    can never be mistaken for a notice.
    """
    ev = view.evaluation
    title = f"# Immediate concern: case {_line(ev.case_reference)}"
    if not ev.immediate_concern:
        return f"{title}\n\nThis evaluation records no immediate concern.\n"
    parts = [
        title,
        "",
        "A practice evaluation of this case has identified an immediate concern. In line with "
        "the practice evaluation framework (§3.4 and §6.11) it is shared in writing for your "
        "review and action.",
        "",
        "## To",
        "",
        *_recipients(view),
        "",
        "## The evaluation",
        "",
        *_details(view, template),
        "",
        "## The concern",
        "",
        *_quoted(ev.concern_description),
        "",
        "## Shared with",
        "",
        *_shares(view),
        "",
    ]
    return "\n".join(parts)


def notice_file_name(view: EvaluationView) -> str:
    """A safe file name for the notice: the case reference and the date."""
    ref = "".join(c if c.isalnum() or c in "-_" else "_" for c in view.evaluation.case_reference)
    date = view.evaluation.evaluation_date.isoformat() if view.evaluation.evaluation_date else ""
    return f"concern-notice-{ref or 'case'}{'-' + date if date else ''}.md"
