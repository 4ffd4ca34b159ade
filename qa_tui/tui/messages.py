"""Messages the screens and workers exchange: small dataclasses, one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from qa_tui.domain.completion import Missing
    from qa_tui.store.rows import EvaluationRow
    from qa_tui.workspace import Workspace


@dataclass
class WorkspaceReady(Message):
    """The database is open and the templates are loaded."""

    workspace: Workspace


@dataclass
class EvaluationsLoaded(Message):
    """The home list, freshly read from the database."""

    rows: list[EvaluationRow] = field(default_factory=list)


@dataclass
class EvaluationsChanged(Message):
    """Something was written: the home list should be read again."""


@dataclass
class OpenEvaluation(Message):
    """Open one evaluation: the editor for a draft, the summary for a completed one."""

    evaluation_id: str
    status: str = ""


@dataclass
class ErrorShown(Message):
    """A problem the user can act on, to be shown as a notification."""

    text: str
    title: str = "Problem"


@dataclass(frozen=True)
class ReviewResult:
    """How the completion review ended: jump to a missing field, or completed (or neither)."""

    jump_to: Missing | None = None
    completed: bool = False
