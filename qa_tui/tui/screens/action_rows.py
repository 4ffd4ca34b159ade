"""The tracker's rows: what each action shows, in words (overdue is a word, not a colour)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text

from qa_tui.store.followup_queries import TrackedAction
from qa_tui.tui.text import line, rich_text
from qa_tui.vocab import ACTION_STATUSES

# (key, heading, width at most)
COLUMNS = (
    ("due", "Due", 10),
    ("overdue", "Overdue?", 12),
    ("status", "Status", 16),
    ("owner", "Owner", 24),
    ("action", "Action", 60),
    ("case", "Case ref", 14),
    ("team", "Team", 24),
)
COMPACT = ("due", "overdue", "status", "owner", "action")
COMPACT_BELOW = 120
# The status filter, cycled with s.
STATUS_FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("open or in progress", ("open", "in_progress")),
    ("any status", ()),
    ("done", ("done",)),
    ("no longer needed", ("cancelled",)),
)


def overdue_words(action: TrackedAction, today: dt.date) -> str:
    if not action.overdue or action.due_date is None:
        return ""
    days = (today - action.due_date).days
    return f"OVERDUE {days}d"


@dataclass(frozen=True)
class ActionListRow:
    """One action ready to draw."""

    action: TrackedAction
    today: dt.date

    @property
    def key(self) -> str:
        return self.action.id

    def cells(self) -> dict[str, Text]:
        a = self.action
        status = ACTION_STATUSES.get(a.status, a.status)
        return {
            "due": Text(a.due_date.isoformat() if a.due_date else "no date"),
            "overdue": Text(
                overdue_words(a, self.today), style="bold reverse" if a.overdue else ""
            ),
            "status": Text(status, style="italic" if a.status in ("done", "cancelled") else ""),
            "owner": Text(line(a.owner or "no owner", 24)),
            "action": Text(line(a.description, 60)),
            "case": Text(line(a.case_reference, 14)),
            "team": Text(line(a.team, 24)),
        }


NARROW = {"status": 11, "owner": 14}  # below COMPACT_BELOW columns


def widths_for(keys: tuple[str, ...], available: int) -> list[tuple[str, str, int]]:
    """Columns that fit ``available`` cells: the action column takes what is left."""
    fixed = {key: width for key, _label, width in COLUMNS}
    if keys == COMPACT:
        fixed.update(NARROW)
    labels = {key: label for key, label, _w in COLUMNS}
    others = sum(fixed[k] + 2 for k in keys if k != "action")
    action = max(16, min(fixed["action"], available - others - 2))
    return [(k, labels[k], action if k == "action" else fixed[k]) for k in keys]


def detail(action: TrackedAction, today: dt.date) -> Text:
    """The highlighted action in full, under the list: its words (the table cuts them at 80
    columns), then who, where, when and its status, then its last progress note."""
    a = action
    when = f"due {a.due_date.isoformat()}" if a.due_date else "no due date"
    if a.overdue and a.due_date is not None:
        days = (today - a.due_date).days
        when += f", overdue by {days} day" + ("" if days == 1 else "s")
    status = ACTION_STATUSES.get(a.status, a.status).lower()
    about = " · ".join(
        [a.owner or "no owner", a.team or "no team", f"case {a.case_reference}", when, status]
    )
    parts = [rich_text(a.description, multiline=True, style="bold"), Text("\n")]
    parts.append(rich_text(about, style="dim"))
    if a.status_note.strip():
        on = a.status_on.isoformat() if a.status_on else "undated"
        parts += [Text("\n"), rich_text(f"Last progress ({on}): {line(a.status_note)}")]
    return Text.assemble(*parts)
