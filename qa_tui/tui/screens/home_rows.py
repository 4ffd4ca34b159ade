"""The home list's rows: what each evaluation shows, how the filter matches, column widths.

Kept apart from the screen so the screen stays about behaviour; nothing here touches the
database except through the core's queries, called from the screen's workers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text

from qa_tui.tui.text import line
from qa_tui.tui.widgets.list_line import CELL_PAD
from qa_tui.vocab import STATUSES

if TYPE_CHECKING:
    from qa_tui.store.rows import EvaluationRow

CONCERN = "⚠ Concern"


def concern_words(row: EvaluationRow) -> str:
    """The concern column in words (never colour alone): where its lifecycle stands."""
    if not row.immediate_concern:
        return ""
    if row.concern_closed:
        return "Concern closed"
    if row.concern_acknowledged:
        return "⚠ Acknowledged"
    if row.concern_shared >= 4:
        return "⚠ Shared"
    return f"⚠ Shared {row.concern_shared}/4" if row.concern_shared else "⚠ Not shared"


STATUS_STYLE = {"draft": "italic", "reopened": "bold", "completed": ""}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort_key: Callable[[EvaluationRow, str], Any]


COLUMNS = (
    Column("status", "Status", lambda r, g: r.status),
    Column("case", "Case ref", lambda r, g: r.case_reference.lower()),
    Column("service", "Service area", lambda r, g: r.service_area.lower()),
    Column("team", "Team", lambda r, g: r.team.lower()),
    Column("practitioner", "Practitioner", lambda r, g: r.practitioner.lower()),
    Column("date", "Date", lambda r, g: r.evaluation_date),
    Column("grade", "Overall", lambda r, g: g.lower()),
    Column("actions", "Open actions", lambda r, g: r.open_actions),
    Column("concern", "Concern", lambda r, g: r.immediate_concern),
)
COLUMN_INDEX = {column.key: index for index, column in enumerate(COLUMNS)}
FULL = tuple(column.key for column in COLUMNS)
# Below this width the list keeps what matters most, the concern marker first among them.
COMPACT = ("status", "concern", "case", "date", "grade", "practitioner")
COMPACT_BELOW = 130
# The most a column takes (its cells are shortened with an ellipsis to the same length).
MAX_WIDTHS = {"case": 24, "service": 24, "team": 24, "practitioner": 28, "grade": 34}


@dataclass(frozen=True)
class HomeRow:
    """One evaluation ready to show: its status and grade words and what the filter searches."""

    row: EvaluationRow
    grade: str
    status: str
    haystack: str

    @property
    def key(self) -> str:
        return self.row.id

    def cells(self) -> dict[str, Text]:
        """Cells as Text (user text shown literally, control characters made visible).

        Made only for the rows drawn on screen, not for every row loaded.
        """
        row = self.row
        return {
            "status": Text(self.status, style=STATUS_STYLE.get(row.status, "")),
            "case": Text(line(row.case_reference, 24), overflow="ellipsis"),
            "service": Text(line(row.service_area, 24), overflow="ellipsis"),
            "team": Text(line(row.team, 24), overflow="ellipsis"),
            "practitioner": Text(line(row.practitioner, 28), overflow="ellipsis"),
            "date": Text(row.evaluation_date),
            "grade": Text(line(self.grade, 34), overflow="ellipsis"),
            "actions": Text(str(row.open_actions) if row.open_actions else "–", justify="right"),
            "concern": Text(concern_words(row), style="bold"),
        }


def make_home_row(row: EvaluationRow, grade: str) -> HomeRow:
    """The row with its status words and its lower-case search text."""
    status = STATUSES.get(row.status, row.status)
    if row.conflicts:
        status += " · conflict"
    if row.demo:  # fictional data, marked wherever it shows
        status += " · demo"
    words = (
        status,
        row.case_reference,
        row.service_area,
        row.team,
        row.practitioner,
        row.auditor,
        row.evaluation_date,
        grade,
        f"{CONCERN} {concern_words(row)}" if row.immediate_concern else "",
    )
    return HomeRow(row, grade, status, "\n".join(words).lower())


def status_text(
    total: int,
    shown: int,
    demo: int,
    sort: tuple[str, bool],
    more: bool = False,
    looking: bool = False,
) -> str:
    """The line under the list: how many evaluations, how many shown (``more``: at least
    that many, still being counted; ``looking``: found so far, still looking for more), and
    the sort; nothing while ``total`` is not known (negative) or there is nothing."""
    if looking and total <= 0:
        return f"Still looking… {shown:,} found so far"
    if total <= 0:
        return ""
    noun = "evaluation" if total == 1 else "evaluations"
    if looking:  # never "0 of …" while the rows are still being looked for
        text = f"Still looking… {shown:,} found so far of {total:,} {noun}"
    elif more:
        text = f"Showing {shown:,}+ of {total:,} {noun}"
    else:
        text = f"{total:,} {noun}" if shown == total else f"Showing {shown:,} of {total:,} {noun}"
    if demo:  # never mistaken for real work
        text += f" (includes {demo:,} demo)"
    key, reverse = sort
    label = COLUMNS[COLUMN_INDEX[key]].label.lower()
    order = "descending" if reverse else "ascending"
    return f"{text} · sorted by {label} ({order})"


def column_widths(rows: list[HomeRow]) -> dict[str, int]:
    """Each column's width: its longest cell or heading (with room for a sort arrow)."""
    widths = {column.key: len(column.label) + 2 for column in COLUMNS}
    for home_row in rows:
        row = home_row.row
        lengths = {
            "status": len(home_row.status),
            "case": len(row.case_reference),
            "service": len(row.service_area),
            "team": len(row.team),
            "practitioner": len(row.practitioner),
            "date": len(row.evaluation_date),
            "grade": len(home_row.grade),
            "actions": len(str(row.open_actions)),
            "concern": len(concern_words(row)),
        }
        for key, length in lengths.items():
            widths[key] = max(widths[key], min(length, MAX_WIDTHS.get(key, length)))
    return widths


# Narrowed first when the columns do not fit, and never below these widths.
SHRINK_ORDER = ("practitioner", "service", "team", "grade", "case")
MIN_WIDTHS = {"practitioner": 10, "service": 10, "team": 10, "grade": 9, "case": 10}
CELL_PADDING = 2 * CELL_PAD  # a space either side of every cell


def fit_widths(keys: tuple[str, ...], wanted: dict[str, int], available: int) -> dict[str, int]:
    """Column widths for ``keys`` that fit ``available`` cells where the minimums allow."""
    widths = {key: wanted[key] for key in keys}
    excess = sum(widths.values()) + CELL_PADDING * len(keys) - available
    while excess > 0:
        shrinkable = [k for k in SHRINK_ORDER if k in widths and widths[k] > MIN_WIDTHS[k]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda k: widths[k] - MIN_WIDTHS[k])
        widths[widest] -= 1
        excess -= 1
    return widths


def matching(rows: list[HomeRow], needle: str) -> list[HomeRow]:
    """Rows whose text contains every word of ``needle`` (case-insensitive)."""
    words = needle.lower().split()
    if not words:
        return rows
    return [r for r in rows if all(w in r.haystack for w in words)]
