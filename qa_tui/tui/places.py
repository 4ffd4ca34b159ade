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
    """A screen of the app: its palette entry, and how to make it."""

    name: str
    title: str
    help: str
    make: Make


def _sync(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.sync import SyncScreen

    return SyncScreen(ws)


def _export(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.dialogs.export_bundle import ExportDialog

    return ExportDialog(ws)


def _conflicts(ws: Workspace, writer: Writer) -> Screen[Any]:
    from qa_tui.tui.screens.conflicts import ConflictsScreen

    return ConflictsScreen(ws)


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
            "export",
            "Export for the QA team",
            "A bundle file of this laptop's work, for a USB stick or secure email (no network)",
            _export,
        ),
        Place(
            "conflicts",
            "Resolve conflicts",
            "Fields changed independently in two places, waiting for a person",
            _conflicts,
        ),
    )
}
