"""Plain rows the screens and the CLI show (no SQLAlchemy here: cheap to import)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EvaluationRow:
    """One evaluation as the home screen and ``qa-tui list`` show it."""

    id: str
    case_reference: str
    service_area: str
    team: str
    practitioner: str
    auditor: str
    evaluation_type: str
    template_id: str
    template_version: str
    status: str
    overall_grade: str
    open_actions: int
    immediate_concern: bool
    evaluation_date: str
    created_at: str
    completed_at: str
    conflicts: int
    # An immediate concern's lifecycle: required recipients shared with (of 4), and whether
    # it was acknowledged or closed (qa_tui.domain.followup.concern_stage).
    concern_shared: int = 0
    concern_acknowledged: bool = False
    concern_closed: bool = False
    demo: bool = False  # fictional data made by ``qa-tui demo``
