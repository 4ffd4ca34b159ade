"""Messages the screens, dialogs and workers send: small dataclasses, one place.

A screen that wants something beyond itself — another screen, a new evaluation, a setting
changed — posts one of these; it bubbles to the app, which handles it (see
``docs/architecture.md``). No screen imports the app module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from qa_tui.domain.completion import Missing
    from qa_tui.domain.plan_views import MyAllocation
    from qa_tui.tui.screens.home_rows import HomeRow
    from qa_tui.workspace import Workspace


# --- the workspace ------------------------------------------------------------------------


@dataclass
class WorkspaceReady(Message):
    """The database is open and the templates are loaded (sent to every screen)."""

    workspace: Workspace


@dataclass
class WorkspaceWanted(Message):
    """The home list is on screen (drawn from the file): open the database now."""


# --- the home list ------------------------------------------------------------------------


@dataclass
class EvaluationsLoaded(Message):
    """The home list, freshly read (posted by the home screen's worker), and the evaluation
    worked on last (where the user left off, "" if unknown)."""

    rows: list[HomeRow] = field(default_factory=list)
    last_id: str = ""


@dataclass
class AllocationsLoaded(Message):
    """The cases allocated to this user by a plan and not yet completed (posted by the home
    screen's worker): shown first, above the list."""

    rows: list[MyAllocation] = field(default_factory=list)


@dataclass
class ImportProgress(Message):
    """How far a case-list import has got (posted by the planning screen's worker at most
    ten times a second): ``done`` of ``total`` rows written; ``total`` None while the file
    is being checked."""

    done: int
    total: int | None


@dataclass
class EvaluationOpened(Message):
    """An evaluation was opened (sent by the app to the home list, which keeps it
    highlighted for when the user comes back)."""

    evaluation_id: str


@dataclass
class EvaluationsChanged(Message):
    """Something was written: lists of evaluations should be read again."""


# --- requests to the app --------------------------------------------------------------------


@dataclass
class OpenEvaluation(Message):
    """Open one evaluation: the editor for a draft, the summary for a completed one; with
    ``focus`` (``section/field``), the editor at that place; with ``summary``, its summary
    whatever its status."""

    evaluation_id: str
    status: str = ""
    focus: str = ""
    summary: bool = False


@dataclass
class NewEvaluation(Message):
    """Start a new evaluation (the case-details dialog)."""


@dataclass
class LoadDemo(Message):
    """Fill an empty database with fictional demo data."""


@dataclass
class RemoveDemo(Message):
    """Remove every demo evaluation (after asking)."""


@dataclass
class Navigate(Message):
    """Go to one of the app's places (``qa_tui.tui.places``), e.g. ``"sync"``."""

    place: str


@dataclass
class ChangeSettings(Message):
    """Change and save settings (e.g. the central database's address)."""

    changes: dict[str, object]


# --- results of dialogs -------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewResult:
    """How the completion review ended: jump to a missing field, or completed (or neither)."""

    jump_to: Missing | None = None
    completed: bool = False
