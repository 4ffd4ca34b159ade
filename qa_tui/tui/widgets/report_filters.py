"""The filters the dashboard and the reports screen share: period, service area, team.

The period is typed as people write it (2026, 2026-Q3, 2026-10, 2026-01-01..2026-06-30) and
checked on Enter or on leaving the field, the error shown beside it; service areas and teams
are chosen from those the database holds. A valid change posts :class:`ReportFilters.Changed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Select, Static

from qa_tui.errors import ValidationError
from qa_tui.reports.period import Period, parse_period
from qa_tui.tui.text import SafeInput, Shown, rich_text

ANY = ""


class ReportFilters(Horizontal):
    """Period, service area and team, in one row."""

    DEFAULT_CSS = """
    ReportFilters { height: auto; }
    ReportFilters .filter-label { width: 8; padding: 0 1 0 0; color: $text-muted; }
    ReportFilters #period { width: 24; }
    ReportFilters Select { width: 1fr; margin-left: 1; }
    ReportFilters #period-error { width: auto; color: $error; padding: 0 0 0 1; display: none; }
    ReportFilters #period-error.-shown { display: block; }
    """

    @dataclass
    class Changed(Message):
        filters: ReportFilters

    def __init__(self, period: Period, text: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.period = period
        self._text = text
        self.service_area = ANY
        self.team = ANY

    def compose(self) -> ComposeResult:
        yield Static("Period", classes="filter-label")
        yield SafeInput(
            self._text, id="period", placeholder="2026-Q3", select_on_focus=False, compact=True
        )
        yield Shown("", id="period-error")
        yield Select[str]([], prompt="Every service area", id="service-area", compact=True)
        yield Select[str]([], prompt="Every team", id="team", compact=True)

    def set_choices(self, areas: list[str], teams: list[str]) -> None:
        """The service areas and teams the database holds (set once they are read)."""
        with self.prevent(Select.Changed):
            self.query_one("#service-area", Select).set_options((rich_text(a), a) for a in areas)
            self.query_one("#team", Select).set_options((rich_text(t), t) for t in teams)

    @on(Input.Submitted, "#period")
    @on(Input.Blurred, "#period")
    def _period_given(self, event: Input.Submitted | Input.Blurred) -> None:
        # Submitted bubbles on: a screen may move the focus on once the period is given.
        text = event.value.strip()
        error = self.query_one("#period-error", Shown)
        try:
            period = parse_period(text)
        except ValidationError as err:
            error.update(str(err).split(";")[-1].strip())
            error.add_class("-shown")
            return
        error.remove_class("-shown")
        if period != self.period:
            self.period = period
            self.post_message(self.Changed(self))

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value if isinstance(event.value, str) else ANY
        if event.select.id == "service-area":
            self.service_area = value
        else:
            self.team = value
        self.post_message(self.Changed(self))
