"""The app's places: every screen reached from the palette or a key, made on demand.

A new screen is added here, with the key and words the palette shows; the app's router
(:meth:`QaApp.on_navigate`) makes it with the open workspace and the app's writer. Imports are
lazy so start-up loads none of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from qa_tui.services.writer import Writer
    from qa_tui.workspace import Workspace

Make = Callable[["Workspace", "Writer"], "Screen[Any]"]


@dataclass(frozen=True)
class Place:
    """A screen of the app: its palette entry, and how to make it (``mode``: the place is one
    of the app's modes, switched to rather than pushed; ``where``: ``"laptop"`` or
    ``"central"`` if it is only for one kind of database, and the palette lists it only
    there)."""

    name: str
    title: str
    help: str
    make: Make
    mode: str = ""
    where: str = ""

    def offered(self, central: bool | None) -> bool:
        """Whether the palette lists it on a central database (``central``), a laptop's, or
        one not known yet (None: still opening)."""
        if central is None or not self.where:
            return True
        return self.where == ("central" if central else "laptop")


def _sync(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.sync import SyncScreen

    return SyncScreen(ws)


def _export(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.dialogs.export_bundle import ExportDialog

    return ExportDialog(ws)


def _merge(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.dialogs.merge_bundles import MergeDialog

    return MergeDialog(ws)


def _conflicts(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.conflicts import ConflictsScreen

    return ConflictsScreen(ws)


def _actions(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.actions import ActionsScreen

    return ActionsScreen(ws)


def _concerns(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.concerns import ConcernsScreen

    return ConcernsScreen(ws)


def _findings(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.concerns import FindingsScreen

    return FindingsScreen(ws)


def _dashboard(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.dashboard import DashboardScreen

    return DashboardScreen(ws)


def _reports(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.reports import ReportsScreen

    return ReportsScreen(ws)


def _moderation(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.moderation_home import ModerationHome

    return ModerationHome(ws, writer)


def _agreement(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.agreement import AgreementScreen

    return AgreementScreen(ws)


def _planning(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.planning import PlanningHome

    return PlanningHome(ws, writer)


def _expectation(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.expectation import ExpectationScreen

    return ExpectationScreen(ws)


def _board(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.board import BoardScreen

    return BoardScreen(ws)


PLACES: dict[str, Place] = {
    place.name: place
    for place in (
        Place(
            "sync",
            "Sync with the central database",
            "Hand over this laptop's work and bring back what it needs (ctrl+y)",
            _sync,
        ),
        Place(
            "actions",
            "Actions tracker",
            "Every action by due date, overdue ones in words; record progress (F4)",
            _actions,
        ),
        Place(
            "concerns",
            "Immediate concerns",
            "Open concerns by age, not yet shared with all four first (F5)",
            _concerns,
        ),
        Place(
            "findings",
            "Findings to share",
            "Completed evaluations whose feedback summary is not yet shared (F6)",
            _findings,
        ),
        Place(
            "dashboard",
            "Dashboard",
            "Charts of grades, scaling, overdue actions, concerns and moderation (F7)",
            _dashboard,
        ),
        Place(
            "reports",
            "Reports",
            "The monthly board report, team summaries, quarterly, actions, coverage (F8)",
            _reports,
        ),
        Place(
            "export",
            "Export for the QA team",
            "A bundle file of this laptop's work, for a USB stick or secure email (no network)",
            _export,
            where="laptop",
        ),
        Place(
            "merge",
            "Merge bundles",
            "On the QA desk: the laptops' bundle files into the central database, verified",
            _merge,
            where="central",
        ),
        Place(
            "conflicts",
            "Resolve conflicts",
            "Fields changed independently in two places, waiting for a person",
            _conflicts,
        ),
        Place(
            "moderation",
            "Moderation sessions",
            "The moderation group: sessions, blind pass, side by side, agreed grades (F3)",
            _moderation,
            mode="moderation",
        ),
        Place(
            "planning",
            "Planning the programme",
            "Practice days, dip samples and thematic evaluations; import a case list; allocate",
            _planning,
        ),
        Place(
            "expectation",
            "Monthly expectation",
            "Who has completed their collaborative evaluation this month; a reminder draft",
            _expectation,
        ),
        Place(
            "board",
            "The board's programme",
            "Board meetings and reporting deadlines, thematic evaluations, systemic actions",
            _board,
        ),
        Place(
            "agreement",
            "Moderation: agreement",
            "How consistently good is judged: agreement, kappa and alpha, by month and team",
            _agreement,
        ),
    )
}
