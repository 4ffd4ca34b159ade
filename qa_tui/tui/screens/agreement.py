"""How consistently "good" is judged: agreement figures, filterable, with a trend by month.

The same numbers as ``qa-tui report moderation`` (:mod:`qa_tui.reports.moderation_data`):
the share agreed, the direction of disagreement, "not applicable" apart, weighted kappa and
Krippendorff's alpha with their n, interval and reading; a breakdown by team, service area,
item, session or month; and the share agreed month by month as a chart.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Label, Sparkline, Static

from qa_tui.errors import QaError
from qa_tui.tui import messages as msg
from qa_tui.tui.text import SafeInput, line, literal
from qa_tui.tui.widgets.table import Table

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from qa_tui.domain.agreement import Estimate
    from qa_tui.reports.moderation_data import Agreement, AgreementFilter, Figures, Selection
    from qa_tui.workspace import Workspace

DIMENSIONS = (
    ("team", "Team"),
    ("service_area", "Service area"),
    ("item", "Item"),
    ("session", "Session"),
    ("month", "Month"),
)
COLUMNS = ("Pairs", "Agreed", "Aud. higher", "Aud. lower", "N/A", "Kappa", "Alpha", "Reading")
FILTERS = (("period", "Period"), ("team", "Team"), ("service_area", "Service area"))
CACHED = 8  # filters whose figures are kept


def estimate_cell(estimate: Estimate) -> str:
    if estimate.value is None:
        return "—"
    if estimate.low is None or estimate.high is None:
        return f"{estimate.value:.2f}"
    return f"{estimate.value:.2f} ({estimate.low:.2f}–{estimate.high:.2f})"


def headline_text(result: Agreement) -> str:
    """The figures of the whole selection, in sentences."""
    f = result.overall
    share = f.direction.share_agreed
    lines = [
        f"{f.summary().capitalize()}.",
        f"Judgements moderated: {f.judgements:,} · agreed with the auditor: "
        f"{'—' if share is None else f'{share:.0%}'} of {f.pairs:,} pairs on the scale · "
        f"not applicable (counted apart): {f.not_applicable:,}",
        f"Weighted kappa (auditor against agreed grade): {f.kappa.text}"
        + (f" — {f.kappa.reading()}" if f.kappa.value is not None else ""),
        f"Krippendorff's alpha (moderators' blind grades, {f.alpha.n:,} items): {f.alpha.text}"
        + (f" — {f.alpha.reading()}" if f.alpha.value is not None else ""),
    ]
    return "\n".join(lines)


def trend_text(months: list[Figures]) -> tuple[list[float], str]:
    """The monthly shares agreed (for the chart) and their labels; no data: no values."""
    shown = [m for m in months if m.direction.share_agreed is not None]
    values = [100 * (m.direction.share_agreed or 0) for m in shown]
    labels = "  ".join(
        f"{m.label}: {v:.0f}% (n {m.pairs})" for m, v in zip(shown, values, strict=True)
    )
    return values, labels


class Changed(Message, bubble=False):
    """The database changed since the judgements were read (a worker looked)."""


class Computed(Message):
    """The figures of a filter, computed in a worker (or why they could not be)."""

    def __init__(
        self,
        result: Agreement | None,
        selection: Selection | None,
        dimension: str,
        error: str | None = None,
    ) -> None:
        super().__init__()
        self.result, self.selection, self.dimension, self.error = (
            result,
            selection,
            dimension,
            error,
        )


class AgreementScreen(Screen[None]):
    """Agreement figures with filters, a breakdown table and the monthly trend."""

    CSS_PATH = "agreement.tcss"
    TITLE = "Moderation: agreement"
    FOLLOWS_CHANGES = True  # the app tells it when a sync or a merge changed the database
    HELP = (
        "How consistently 'good' is judged. The share of judgements the moderation group "
        "agreed with the auditor, the direction of disagreement (auditors grading too high or "
        "too low, in steps), weighted Cohen's kappa between the auditor's and the agreed "
        "grade, and Krippendorff's alpha among the moderators' blind grades — each with the "
        "number of pairs it rests on, a 95% interval and a reading in plain words. 'Not "
        "applicable' is counted apart. Filter by period (2026, 2026-Q3, 2026-10 or a range), "
        "team and service area; b changes the breakdown (team, service area, item, session, "
        "month). The same figures, with every pair, come from qa-tui report moderation."
    )
    BINDINGS = [
        Binding("b", "breakdown", "Breakdown", id="agreement.breakdown"),
        Binding("slash", "focus_filter", "Filter", id="agreement.filter"),
        Binding("r", "reload", "Reload", id="agreement.reload", show=False),
        Binding("escape", "back", "Back", id="agreement.back"),
    ]

    def __init__(self, workspace: Workspace) -> None:
        super().__init__()
        self.workspace = workspace
        self.result: Agreement | None = None
        self.dimension = 0
        self._timer: Timer | None = None
        # The judgements of the period last read: a team or service area narrows it in
        # memory, so changing those filters needs no query.
        self._selection: Selection | None = None
        # The figures of the last filters drawn, so going back to one redraws it at once;
        # both are dropped by r, and when the screen is shown again after the database
        # changed: its clock moved (every write ticks it: a moderation, another desk on the
        # central database) or the app said so (a sync or a merge).
        self._drawn: OrderedDict[tuple[AgreementFilter, str], Agreement] = OrderedDict()
        self._clock: int | None = None  # the database's clock when the judgements were read
        self._stale = False  # the app said the database changed while another screen showed
        self._shown_before = False
        self.loaded = 0  # how many results have been drawn (tests and benchmarks wait on it)

    def compose(self) -> ComposeResult:
        year = str(self.workspace.clock().year)
        yield Header()
        with Horizontal(id="agreement-filters"):
            for name, label in FILTERS:
                yield Label(literal(label))
                yield SafeInput(
                    year if name == "period" else "", placeholder="any", id=f"filter-{name}"
                )
        yield Static("Reading the judgements…", id="agreement-headline")
        with Vertical(id="agreement-trend"):
            yield Static("Share agreed, by month", classes="heading")
            yield Sparkline([], id="trend-chart")
            yield Static("", id="trend-labels")
        yield Static("", id="breakdown-title", classes="heading")
        yield Table(id="breakdown", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.refilter()

    def _filter(self) -> AgreementFilter | str:
        from qa_tui.reports.moderation_data import AgreementFilter
        from qa_tui.reports.period import parse_period

        values = {name: self.query_one(f"#filter-{name}", Input).value for name, _ in FILTERS}
        try:
            period = parse_period(values["period"]) if values["period"].strip() else None
        except QaError as err:
            return str(err)
        start, end = (period.start, period.end) if period else (dt.date.min, dt.date.max)
        return AgreementFilter(start, end, values["team"].strip(), values["service_area"].strip())

    @on(Input.Changed)
    def _changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(0.25, self.refilter)

    def refilter(self) -> None:
        flt = self._filter()
        if isinstance(flt, str):
            self.query_one("#agreement-headline", Static).update(literal(flt))
            return
        drawn = self._drawn.get((flt, DIMENSIONS[self.dimension][0]))
        if drawn is not None:
            self.show(drawn)
            return
        self.compute(flt, DIMENSIONS[self.dimension][0])

    @work(thread=True, exclusive=True, group="agreement")
    def compute(self, flt: AgreementFilter, dimension: str) -> None:
        from qa_tui.reports.moderation_data import AgreementFilter, compute, narrow

        period = AgreementFilter(flt.start, flt.end)
        base = self._selection
        try:
            if base is None or base.filter != period:
                self._clock, base = self.workspace.read(_clocked, period)
            chosen = narrow(base, flt.team, flt.service_area)
            result = compute(chosen, ("month", dimension))
        except QaError as err:
            self.post_message(Computed(None, None, dimension, str(err)))
            return
        # A message, not call_from_thread: a worker that waits for the UI thread could wait
        # for ever on an app that is closing (this read takes a second or two at scale).
        self.post_message(Computed(result, base, dimension))

    def on_computed(self, message: Computed) -> None:
        if message.error is not None:
            self.app.notify(message.error, severity="error")
        elif message.result is not None:
            self.show(message.result, message.selection, message.dimension)

    def show(
        self, result: Agreement, selection: Selection | None = None, dimension: str = ""
    ) -> None:
        if selection is not None:
            if selection is not self._selection:
                self._drawn.clear()  # figures of another read
            self._selection = selection
        if dimension:  # computed in a worker: kept, and drawn if still asked for
            self._drawn[(result.filter, dimension)] = result
            while len(self._drawn) > CACHED:
                self._drawn.popitem(last=False)
            if (result.filter, dimension) != (self._filter(), DIMENSIONS[self.dimension][0]):
                return  # the filter changed while it was computed (to one drawn before)
        self.result = result
        self.query_one("#agreement-headline", Static).update(literal(headline_text(result)))
        values, labels = trend_text(result.by["month"])
        chart = self.query_one("#trend-chart", Sparkline)
        chart.display = len(values) >= 2
        chart.data = values
        self.query_one("#trend-labels", Static).update(
            literal(
                labels
                if len(values) >= 2
                else "Graph unavailable: fewer than two months "
                "with judgements in this selection." + (f" {labels}" if labels else "")
            )
        )
        self._fill_breakdown()
        self.loaded += 1

    def _fill_breakdown(self) -> None:
        if self.result is None:
            return
        key, label = DIMENSIONS[self.dimension]
        groups = self.result.by.get(key)
        if groups is None:  # asked for while another breakdown was being computed
            self.refilter()
            return
        self.query_one("#breakdown-title", Static).update(f"By {label.lower()} (b: next breakdown)")
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column(label, key="group")
        for column in COLUMNS:
            table.add_column(column)
        for f in groups:
            share = f.direction.share_agreed
            cells = (
                line(f.label, 40),
                f"{f.pairs:,}",
                "—" if share is None else f"{share:.0%}",
                f"{sum(f.direction.auditor_higher.values()):,}",
                f"{sum(f.direction.auditor_lower.values()):,}",
                f"{f.not_applicable:,}",
                estimate_cell(f.kappa),
                estimate_cell(f.alpha),
                line(f.kappa.reading() if f.kappa.value is not None else f.kappa.reason, 60),
            )
            table.add_row(*(Text(c) for c in cells))

    def action_breakdown(self) -> None:
        self.dimension = (self.dimension + 1) % len(DIMENSIONS)
        if self.result is not None and DIMENSIONS[self.dimension][0] in self.result.by:
            self._fill_breakdown()
        else:
            self.refilter()  # this breakdown is computed when first shown

    def on_screen_resume(self) -> None:
        if self._shown_before:  # back from another screen (or a dialog)
            if self._stale:
                self.action_reload()
            else:  # read again only if something was written meanwhile
                self._look_for_changes(self._clock)
        self._shown_before = True

    def on_evaluations_changed(self, message: msg.EvaluationsChanged) -> None:
        message.stop()  # the app sent it here: it must not bubble back
        if self.app.screen is self:  # on top (is_current counts screens seen behind one)
            self.action_reload()
        else:  # read again when shown
            self._stale = True

    @work(thread=True, exclusive=True, group="agreement-changes")
    def _look_for_changes(self, clock: int | None) -> None:
        if self.workspace.written_since(clock):
            self.post_message(Changed())

    def on_changed(self, _message: Changed) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self._stale = False
        self._selection = None
        self._drawn.clear()
        self.refilter()

    def action_focus_filter(self) -> None:
        self.query_one("#filter-period", Input).focus()

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one(DataTable).focus()
            return
        self.dismiss(None)


def _clocked(session: Session, period: AgreementFilter) -> tuple[int, Selection]:
    """The database's clock and the judgements of ``period``, in one read."""
    from qa_tui.reports.moderation_data import read_selection
    from qa_tui.store.history import read_clock

    # Who gave each blind grade is for the report's pairs table only: not read here.
    return read_clock(session), read_selection(session, period, who=False)
