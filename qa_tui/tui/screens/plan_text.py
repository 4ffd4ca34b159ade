"""What the plan screen writes about a plan: its columns and the few lines that describe it
(kind, dates, status, group, how its cases were drawn, what is missing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa_tui.domain.plan_views import PROGRESS
from qa_tui.domain.plans import PLAN_KINDS, STATUSES, missing_terms, sample_of

if TYPE_CHECKING:
    from qa_tui.domain.plan_views import PlanDetail

COLUMNS = (
    ("case", "Case"),
    ("team", "Team"),
    ("category", "Category"),
    ("reviewer", "Reviewer"),
    ("due", "Due"),
    ("progress", "Progress"),
)


def describe(detail: PlanDetail) -> str:
    """The plan in a few lines: kind, dates, status, group, how its cases were drawn."""
    p = detail.plan
    when = p.starts_on.isoformat() if p.starts_on else "no date"
    if p.ends_on and p.ends_on != p.starts_on:
        when += f" to {p.ends_on.isoformat()}"
    lines = [
        f"{PLAN_KINDS.get(p.kind, p.kind)} · {when} · {STATUSES.get(p.status, p.status)}"
        + (f" · {p.service_area}" if p.service_area else "")
    ]
    group = ", ".join(m.name for m in detail.members)
    lines.append(f"Review group: {group or 'none yet (g)'}")
    if p.hypothesis:
        lines.append(f"Hypothesis: {' '.join(p.hypothesis.split())}")
    drawn = sample_of(p)
    if drawn:
        lines.append(
            f"Sample: {drawn.get('size')} of {_number(drawn.get('frame_size'))} "
            f"{drawn.get('frame')}{_where(drawn.get('where'))}"
            f"{', by ' + str(drawn['strata_field']) if drawn.get('strata_field') else ''}"
            f", seed {drawn.get('seed')} (frame {drawn.get('fingerprint')})"
        )
    if detail.frame_change:
        lines.append(detail.frame_change)
    missing = missing_terms(p)
    if missing:
        lines.append(f"Terms of reference missing (t): {', '.join(missing)}")
    elif p.kind == "thematic":
        lines.append("Terms of reference recorded (t) · findings (f)")
    counts = ", ".join(f"{PROGRESS[k].lower()} {v}" for k, v in sorted(detail.counts.items()))
    lines.append(f"{len(detail.allocations)} cases: {counts or 'none yet (c adds, d samples)'}")
    return "\n".join(lines)


def _number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) else str(value)


def _where(value: object) -> str:
    """ " (service area Child Protection)": the filter the frame was drawn with."""
    if not isinstance(value, dict) or not value:
        return ""
    return " (" + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(value.items())) + ")"
