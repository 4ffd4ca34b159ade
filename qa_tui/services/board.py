"""The board's programme, the operations the app and the CLI share: its meetings for the
year, the thematic programme, and the systemic actions it commissioned."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from qa_tui.domain import board
from qa_tui.domain.plan_views import PlanRow, list_plans
from qa_tui.store import models
from qa_tui.workspace import Workspace


@dataclass
class Programme:
    """One year of the board's programme."""

    year: int
    meetings: list[models.BoardMeeting]
    thematic: list[PlanRow]
    actions: list[board.BoardActionRow]


class BoardService:
    """The board's programme on one workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    def today(self) -> dt.date:
        return self.ws.clock().astimezone().date()

    def add_meeting(self, held_on: str, title: str = "", report_deadline: str | None = None) -> str:
        return self.ws.write(board.add_meeting, held_on, title, report_deadline)

    def add_action(
        self, description: str, owner: str, due_on: str | None, plan_id: str = ""
    ) -> str:
        return self.ws.write(board.add_action, description, owner, due_on, plan_id)

    def update_action(
        self, action_id: str, status: str, note: str, evidence: str | None = None
    ) -> str:
        return self.ws.write(board.record_update, action_id, status, note, None, evidence)

    def programme(self, year: int | None = None) -> Programme:
        """The meetings and thematic evaluations of ``year`` (default: this one), and every
        systemic action."""
        year = year or self.today().year
        with self.ws.store.reader() as session:
            meetings = board.meetings(session, year)
            for meeting in meetings:
                session.expunge(meeting)
            thematic = [
                p
                for p in list_plans(session, "thematic")
                if p.starts_on is None or p.starts_on.year == year
            ]
            actions = board.board_actions(session, self.today())
        return Programme(year, meetings, thematic, actions)
