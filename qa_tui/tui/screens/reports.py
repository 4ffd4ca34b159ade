"""Reports: choose a kind, a period and filters, a format and a file; make it; see its
headline figures.

The same reports as ``qa-tui report`` (:mod:`qa_tui.reports.kinds`), built and written in a
worker; the file goes where the output field says (by default a ``qa-tui reports`` folder in
the user's documents), and the headline figures, each with its n, are shown here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Select, Static

from qa_tui.errors import QaError
from qa_tui.reports.kinds import KINDS
from qa_tui.reports.model import ReportQuery
from qa_tui.reports.period import default_period
from qa_tui.reports.render import FORMATS, writes_rows
from qa_tui.tui.text import SafeInput, Shown, line
from qa_tui.tui.widgets.report_filters import ReportFilters
from qa_tui.tui.widgets.table import Table

if TYPE_CHECKING:
    from qa_tui.reports.model import Report
    from qa_tui.workspace import Workspace

FORMAT_LABELS = {
    "html": "HTML (read, print)",
    "md": "Markdown",
    "xlsx": "Excel workbook",
    "csv": "CSV",
    "json": "JSON",
}


def short(path: Path) -> str:
    """A path as people read it: the home folder as ``~``."""
    try:
        return str(Path("~") / path.relative_to(Path.home()))
    except ValueError:
        return str(path)


class ReportsScreen(Screen[None]):
    """Make any report, in any format, and see its headline figures."""

    CSS_PATH = "reports.tcss"
    TITLE = "Reports"
    HELP = (
        "Choose the kind of report, the period (2026, 2026-Q3, 2026-10 or "
        "2026-01-01..2026-06-30, then Enter), a service area or team if you want one, the "
        "format and the file, then press ctrl+s (or the button) to make it. The headline "
        "figures appear below, each with the n it rests on. The team summary needs a team "
        "(or a service area)."
    )
    BINDINGS = [
        Binding("ctrl+s", "make", "Make report", id="reports.make"),
        Binding("escape", "back", "Back", id="reports.back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.today = workspace.clock().date()
        self.period = default_period(self.today)
        self.made: Report | None = None
        self._path_edited = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="reports-form"):
            with Horizontal(classes="row"):
                yield Static("Report", classes="label")
                yield Select(
                    [(k.title, k.name) for k in KINDS.values()],
                    value="monthly",
                    allow_blank=False,
                    id="kind",
                    compact=True,
                )
            yield Shown(KINDS["monthly"].summary, id="kind-summary")
            p = self.period
            yield ReportFilters(p, f"{p.start.year}-{p.start.month:02d}", id="report-filters")
            with Horizontal(classes="row"):
                yield Static("Format", classes="label")
                yield Select(
                    [(FORMAT_LABELS[f], f) for f in FORMATS],
                    value="html",
                    allow_blank=False,
                    id="format",
                    compact=True,
                )
            with Horizontal(classes="row"):
                yield Static("File", classes="label")
                yield SafeInput(short(self._default_path()), id="out", compact=True)
            with Horizontal(classes="row buttons"):
                yield Button("Make the report", id="make", variant="primary", compact=True)
            yield Shown("", id="report-status")
            yield Table(id="figures", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#figures", DataTable)
        table.add_column("Figure", key="label", width=34)
        table.add_column("Value", key="value", width=16)
        table.add_column("n", key="n", width=7)
        table.add_column("About", key="note")
        table.display = False
        self.load_choices()

    @work(thread=True, exclusive=True, group="report-choices")
    def load_choices(self) -> None:
        from qa_tui.reports.kinds import filter_choices

        try:
            areas, teams = self.workspace.read(filter_choices)
        except QaError as err:
            self.app.call_from_thread(self._status, f"Database not read: {err}")
            return
        self.app.call_from_thread(self.query_one(ReportFilters).set_choices, areas, teams)

    def _kind(self) -> str:
        value = self.query_one("#kind", Select).value
        return value if isinstance(value, str) else "monthly"

    def _format(self) -> str:
        value = self.query_one("#format", Select).value
        return value if isinstance(value, str) else "html"

    def _default_path(self) -> Path:
        kind = self._kind() if self.is_mounted else "monthly"
        fmt = self._format() if self.is_mounted else "html"
        stamp = self.period.label.replace(" ", "-").lower()
        # The settings' documents folder, as for every document the app saves.
        return self.workspace.settings.documents_path / "reports" / f"{kind}-{stamp}.{fmt}"

    def _refresh_path(self) -> None:
        if not self._path_edited:
            with self.prevent(Input.Changed):
                self.query_one("#out", SafeInput).value = short(self._default_path())

    @on(Select.Changed, "#kind")
    def _kind_chosen(self) -> None:
        self.query_one("#kind-summary", Shown).update(KINDS[self._kind()].summary)
        self._refresh_path()

    @on(Select.Changed, "#format")
    def _format_chosen(self) -> None:
        self._refresh_path()

    @on(ReportFilters.Changed)
    def _filters(self, event: ReportFilters.Changed) -> None:
        self.period = event.filters.period
        self._refresh_path()

    @on(Input.Changed, "#out")
    def _path_typed(self, event: Input.Changed) -> None:
        # The input's first value (set when it is made) arrives here too once it is mounted:
        # only a path other than the default one is the user's own.
        self._path_edited = event.value != short(self._default_path())

    @on(Button.Pressed, "#make")
    def action_make(self) -> None:
        filters = self.query_one(ReportFilters)
        fmt = self._format()
        rows = writes_rows(fmt)
        query = ReportQuery(
            filters.period, filters.service_area, filters.team, self.today, rows=rows
        )
        out = Path(self.query_one("#out", SafeInput).value.strip()).expanduser()
        self._status("Making the report…")
        self.make(self._kind(), query, fmt, out)

    def action_back(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="report")
    def make(self, kind: str, query: ReportQuery, fmt: str, out: Path) -> None:
        from qa_tui.reports.kinds import build
        from qa_tui.reports.render import write_report

        try:
            made = build(self.workspace.store, kind, query)
            write_report(made, fmt, out)
        except QaError as err:
            self.app.call_from_thread(self._status, f"Not made: {err}")
            return
        except OSError as err:
            self.app.call_from_thread(self._status, f"Not written: {err.strerror or err}: {out}")
            return
        self.app.call_from_thread(self._show, made, out)

    def _status(self, text: str) -> None:
        self.query_one("#report-status", Shown).update(text)

    def _show(self, made: Report, out: Path) -> None:
        self.made = made
        notes = " ".join(made.notes)
        where = short(out)
        self._status(f"{made.title}, {made.period.label}: written to {where}. {notes}".strip())
        table = self.query_one("#figures", DataTable)
        table.clear()
        for figure in made.figures():
            n = "" if figure.n is None else f"{figure.n:,}"
            table.add_row(
                Text(line(figure.label, 34)),
                Text(line(figure.text, 16)),
                Text(n),
                Text(line(figure.note, 120)),
            )
        table.display = bool(made.figures())
