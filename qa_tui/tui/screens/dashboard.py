"""Dashboard: the QA desk's charts, filtered by period, service area and team.

Five charts drawn in the terminal (grades by standard, the scaling trend, overdue actions by
team, concerns by status, moderation agreement over time), each a list of bars: Enter on a bar
opens the evaluations behind it. Every number is computed in the database
(:mod:`qa_tui.reports.dashboard`) in a worker; a filter change redraws them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, OptionList, TabbedContent, TabPane

from qa_tui.errors import QaError
from qa_tui.reports.dashboard import Dashboard, DashChart, default_period
from qa_tui.reports.model import ReportQuery
from qa_tui.store.interrupt import Reading
from qa_tui.tui.messages import EvaluationsChanged
from qa_tui.tui.text import Shown
from qa_tui.tui.widgets.bar_chart import BarChart, in_words, legend
from qa_tui.tui.widgets.report_filters import ReportFilters

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qa_tui.workspace import Workspace

CACHED = 8  # filters whose charts are kept
TABS = (
    ("grades", "Grades"),
    ("scaling", "Scaling"),
    ("overdue", "Overdue"),
    ("concerns", "Concerns"),
    ("agreement", "Agreement"),
)


class DashboardScreen(Screen[None]):
    """The charts of the QA desk, each opening the evaluations behind its bars."""

    CSS_PATH = "dashboard.tcss"
    FOLLOWS_CHANGES = True  # the app tells it when a sync or a merge changed the database
    TITLE = "Dashboard"
    HELP = (
        "Charts of the evaluations in the database, for a period (type 2026, 2026-Q3, "
        "2026-10 or 2026-01-01..2026-06-30 and press Enter), a service area and a team. "
        "The tabs: grades by standard (weakest first), the mean scale by quarter, actions "
        "overdue today by team, immediate concerns by status, and moderation agreement by "
        "month; 1 to 5 choose one. Enter on a bar lists the evaluations behind it, and Enter "
        "there opens one. Every figure says the n it rests on."
    )
    BINDINGS = [
        Binding("escape", "back", "Back", id="dashboard.back"),
        Binding("f", "filters", "Filters", id="dashboard.filters"),
        Binding("r", "reload", "Reload", id="dashboard.reload"),
        *(
            Binding(str(i), f"show_tab('{name}')", label, id=f"dashboard.tab{i}", show=False)
            for i, (name, label) in enumerate(TABS, start=1)
        ),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.today = workspace.clock().date()
        period = default_period(self.today)
        self.query_now = ReportQuery(period, today=self.today)
        self.data: Dashboard | None = None
        self.loads = 0  # redraws of the chart on show (tests and the benchmark wait on it)
        self.complete = 0  # redraws of every chart
        self._said: dict[str, str] = {}
        # The charts of the last filters drawn, so going back to one redraws it at once
        # ("r" reads the database again).
        self._drawn: dict[ReportQuery, Dashboard] = {}
        self._charts: dict[tuple[object, ...], DashChart] = {}  # by what each depends on
        self._period_text = f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"
        self._reading: Reading | None = None  # the charts being read, stopped by a new filter

    def compose(self) -> ComposeResult:
        yield Header()
        yield ReportFilters(self.query_now.period, self._period_text, id="dash-filters")
        yield Shown("Reading the database…", id="dash-headline")
        with TabbedContent(id="dash-tabs"):
            for name, label in TABS:
                with TabPane(label, id=f"tab-{name}"):
                    yield Shown("", classes="chart-title", id=f"title-{name}")
                    yield BarChart(id=f"chart-{name}", classes="chart")
                    yield Shown("", classes="chart-focus", id=f"focus-{name}")
                    yield Shown("", classes="chart-note", id=f"note-{name}")
        yield Shown("", id="dash-status")
        yield Footer()

    def on_mount(self) -> None:
        self.load_choices()
        self._read(self.query_now)

    def action_back(self) -> None:
        if self.query_one(ReportFilters).has_focus_within:
            self._focus_chart()  # out of the filters first, then out of the dashboard
            return
        self.app.pop_screen()

    def _focus_chart(self) -> None:
        active = self.query_one(TabbedContent).active.removeprefix("tab-") or "grades"
        self.query_one(f"#chart-{active}", BarChart).focus()

    @on(Input.Submitted, "#period")
    def _period_submitted(self) -> None:
        if not self.query_one("#period-error").has_class("-shown"):
            self._focus_chart()

    def action_filters(self) -> None:
        self.query_one("#period").focus()

    def on_evaluations_changed(self, message: EvaluationsChanged) -> None:
        """A sync, a merge or demo data changed the database: the charts kept are forgotten
        and the ones on show read again."""
        message.stop()  # the app sent it here: it must not bubble back
        self.action_reload()

    def action_reload(self) -> None:
        self._drawn.clear()  # read the database again, for every filter
        self._charts.clear()
        self._read(self.query_now)

    def _read(self, query: ReportQuery) -> None:
        """Read the charts of ``query``, stopping the statement still running for another:
        its answer is no longer wanted, and it would hold the database and the CPU."""
        if self._reading is not None:
            self._reading.stop()
        self._reading = Reading()
        self.load(query, dict(self._charts), self._reading)

    def action_show_tab(self, name: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{name}"
        self.query_one(f"#chart-{name}", BarChart).focus()

    @on(TabbedContent.TabActivated)
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        name = (event.pane.id or "").removeprefix("tab-")
        if name:
            if self.data is not None and self.data.query == self.query_now:
                # drawn from memory while hidden: drawn now (not the last filters' bars)
                found = next((c for c in self.data.charts if c.name == name), None)
                if found is not None:
                    self._draw(found)
            self.query_one(f"#chart-{name}", BarChart).focus()

    @on(ReportFilters.Changed)
    def _filters(self, event: ReportFilters.Changed) -> None:
        f = event.filters
        self.query_now = ReportQuery(f.period, f.service_area, f.team, self.today)
        drawn = self._drawn.get(self.query_now)
        if drawn is not None:  # a filter drawn a moment ago: drawn again from memory
            self.workers.cancel_group(self, "dashboard")
            if self._reading is not None:
                self._reading.stop()
            self._show(drawn, every=True)
        else:
            self._read(self.query_now)

    @work(thread=True, exclusive=True, group="dashboard-choices")
    def load_choices(self) -> None:
        from qa_tui.reports.kinds import filter_choices

        try:
            areas, teams = self.workspace.read(filter_choices)
        except QaError:
            return  # the charts' own load says what went wrong
        self.app.call_from_thread(self.query_one(ReportFilters).set_choices, areas, teams)

    @work(thread=True, exclusive=True, group="dashboard")
    def load(
        self, query: ReportQuery, kept: dict[tuple[object, ...], DashChart], reading: Reading
    ) -> None:
        """The chart on show first (that is the redraw), then the others, one by one; a chart
        ``kept`` for what it depends on is not read again; ``reading`` stopped: a newer filter
        is being drawn."""
        from textual.worker import get_current_worker

        from qa_tui.reports.dashboard import chart, depends_on, outline, with_charts

        def read(session: Session, name: str) -> DashChart:
            return kept.get(depends_on(query, name)) or chart(session, query, name)

        active = self.query_one(TabbedContent).active.removeprefix("tab-") or "grades"
        order = [active, *(name for name, _label in TABS if name != active)]
        worker = get_current_worker()
        try:
            with self.workspace.store.reader() as session:
                reading.start(session)
                try:
                    if reading.stopped:
                        return  # a newer filter came before this one began
                    drawn: tuple[DashChart, ...] = (read(session, order[0]),)
                    base = outline(session, query, drawn)  # the counts, read once per filter
                    self.app.call_from_thread(self._show, base)
                    for name in order[1:]:
                        if worker.is_cancelled or reading.stopped:
                            return  # a newer filter is being drawn
                        drawn = (*drawn, read(session, name))
                        self.app.call_from_thread(self._show, with_charts(base, drawn))
                finally:
                    reading.end()
        except QaError as err:
            if not reading.stopped:  # else stopped on purpose: a newer filter is being drawn
                self.app.call_from_thread(self._status, f"Charts not drawn: {err}")

    def _status(self, text: str) -> None:
        self._say("#dash-status", text)

    def _say(self, selector: str, text: str) -> None:
        """Update a line only when it changes: each update lays the screen out again."""
        if self._said.get(selector) != text:
            self._said[selector] = text
            self.query_one(selector, Shown).update(text)

    def _keep(self, data: Dashboard) -> None:
        """Keep what was drawn: each chart by what it depends on, the whole when complete."""
        from qa_tui.reports.dashboard import depends_on

        for found in data.charts[-1:]:
            self._charts[depends_on(data.query, found.name)] = found
        if len(data.charts) == len(TABS):
            self._drawn[data.query] = data
        while len(self._drawn) > CACHED:
            del self._drawn[next(iter(self._drawn))]
        while len(self._charts) > CACHED * len(TABS):
            del self._charts[next(iter(self._charts))]

    def _draw(self, found: DashChart) -> None:
        chart = self.query_one(f"#chart-{found.name}", BarChart)
        if chart.chart is found:
            return  # drawn already
        chart.show(found)
        chart.read_for = self.data.query if self.data is not None else None
        self._say(f"#title-{found.name}", found.title)
        key = legend(found)
        self._say(f"#note-{found.name}", "   ".join(part for part in (key, found.note) if part))

    def _show(self, data: Dashboard, every: bool = False) -> None:
        """Draw the chart ``data`` brings (each message from the worker brings one more), or
        ``every`` chart (a filter drawn before, from the cache)."""
        if data.query != self.query_now:
            return  # a newer filter is being drawn
        self.data = data
        self._keep(data)
        self._say("#dash-headline", data.headline or "Reading the grades…")
        if every:  # from memory: the chart on show now, each other one when its tab is
            active = self.query_one(TabbedContent).active.removeprefix("tab-") or "grades"
            self._draw(data.chart(active))
        else:
            self._draw(data.charts[-1])
            self._reading_others(data)
        q = data.query
        where = " · ".join(v for v in (q.service_area, q.team) if v) or "every team"
        demo = f" (includes {data.demo:,} demo)" if data.demo else ""
        self._status(
            f"{q.period.label} · {where} · {data.completed:,} completed evaluations{demo} · "
            f"trends {data.trend.label} · Enter on a bar: the evaluations behind it"
        )
        if len(data.charts) == 1 or every:
            self.loads += 1  # the chart on show is redrawn
        if len(data.charts) == len(TABS):
            self.complete += 1  # and every other one

    def _reading_others(self, data: Dashboard) -> None:
        """A chart not read yet for these filters says so (until its bars come, a second at
        most at 100,000 evaluations) rather than keep the last filters' bars under these
        filters' headline, for whoever opens its tab meanwhile."""
        read = {found.name for found in data.charts}
        for name, _label in TABS:
            chart = self.query_one(f"#chart-{name}", BarChart)
            if name not in read and chart.chart is not None and chart.read_for != data.query:
                chart.show(None)
                self._say(f"#title-{name}", "Reading the database…")
                self._say(f"#note-{name}", "")
                self._say(f"#focus-{name}", "")

    @on(OptionList.OptionHighlighted, ".chart")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """The highlighted bar in words under its chart."""
        chart = event.option_list
        if not isinstance(chart, BarChart) or chart.id is None:
            return
        name = chart.id.removeprefix("chart-")
        bars = chart.chart.bars if chart.chart is not None else ()
        index = event.option_index
        self._say(f"#focus-{name}", in_words(bars[index]) if 0 <= index < len(bars) else "")

    @on(BarChart.Opened)
    def _opened(self, event: BarChart.Opened) -> None:
        from qa_tui.tui.screens.behind import BehindScreen

        title = f"{event.title}: {event.bar.label} ({event.bar.text}, n = {event.bar.n:,})"
        counted = event.bar.n if event.chart == "grades" else None  # n: graded, not "n/a"
        self.app.push_screen(
            BehindScreen(self.workspace, self.query_now, event.chart, event.bar.key, title, counted)
        )
