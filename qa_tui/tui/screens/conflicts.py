"""Conflicts: fields two people changed independently, for a person to settle.

Each row is one conflict: which evaluation, which record and field, and the provisional value
shown meanwhile. Enter opens the conflict side by side; the resolution is a change like any
other, so it syncs to the central database and back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from qa_tui.errors import QaError
from qa_tui.tui.dialogs.resolve_conflict import Resolution, ResolveConflictDialog, describe_value
from qa_tui.tui.text import Shown, line
from qa_tui.tui.widgets.table import Table

if TYPE_CHECKING:
    from qa_tui.sync.conflicts import Conflict
    from qa_tui.workspace import Workspace


class ConflictsScreen(Screen[None]):
    """The open conflicts of this database, each opened with Enter to be resolved."""

    CSS_PATH = "sync.tcss"
    TITLE = "Conflicts"
    HELP = (
        "When two people change the same field independently, neither change is thrown "
        "away: the field shows a provisional value (the later change) and the conflict waits "
        "here. Open one with Enter, compare the versions with who made them and when, then "
        "keep one or write the merged value. A record deleted on one laptop and edited on "
        "another is a conflict too: keep the deletion or restore the record."
    )
    BINDINGS = [
        Binding("enter", "open", "Resolve", id="conflicts.open", show=True),
        Binding("r", "reload", "Reload", id="conflicts.reload"),
        Binding("escape", "back", "Back", id="conflicts.back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self._conflicts: list[Conflict] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Shown("Loading conflicts…", id="conflicts-status")
        yield Table(id="conflicts", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in (
            ("case", "Case ref"),
            ("record", "Record"),
            ("field", "Field"),
            ("kind", "Kind"),
            ("shown", "Shown meanwhile"),
            ("sides", "Versions"),
        ):
            table.add_column(label, key=key)
        table.focus()
        self.action_reload()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="conflicts")
    def load(self) -> None:
        from qa_tui.sync.conflicts import list_conflicts

        try:
            found = self.workspace.read(list_conflicts)
        except QaError as err:
            self.app.call_from_thread(self._status, f"Conflicts not loaded: {err}")
            return
        self.app.call_from_thread(self._show, found)

    def _status(self, text: str) -> None:
        self.query_one("#conflicts-status", Static).update(text)

    def _show(self, conflicts: list[Conflict]) -> None:
        self._conflicts = conflicts
        table = self.query_one(DataTable)
        table.clear()
        for conflict in conflicts:
            kind = "deleted and edited" if conflict.kind == "delete" else "edited twice"
            table.add_row(
                Text(line(conflict.case_reference, 20)),
                Text(conflict.entity_type.replace("_", " ")),
                Text(conflict.field.strip("_").replace("_", " ")),
                Text(kind),
                Text(line(describe_value(conflict.sides[0].value), 40)),
                Text(str(len(conflict.sides))),
                key=conflict.id,
            )
        count = len(conflicts)
        self._status(
            "No conflicts: every change merged cleanly."
            if not count
            else f"{count} conflict{'s' if count != 1 else ''} to resolve. Enter opens one."
        )

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self._conflicts or table.cursor_row >= len(self._conflicts):
            return
        conflict = self._conflicts[table.cursor_row]
        self.app.push_screen(ResolveConflictDialog(conflict), self._resolved)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def _resolved(self, resolution: Resolution | None) -> None:
        if resolution is not None:
            self.resolve(resolution)

    @work(thread=True, exclusive=True, group="resolve")
    def resolve(self, resolution: Resolution) -> None:
        from qa_tui.sync.conflicts import resolve_conflict

        try:
            if resolution.pick is not None:
                self.workspace.write(resolve_conflict, resolution.conflict_id, pick=resolution.pick)
            else:
                self.workspace.write(
                    resolve_conflict, resolution.conflict_id, value=resolution.value
                )
        except QaError as err:
            self.app.call_from_thread(
                self.app.notify, str(err), title="Not resolved", severity="error"
            )
        else:
            self.app.call_from_thread(self.app.notify, "Conflict resolved.")
        self.app.call_from_thread(self.load)
