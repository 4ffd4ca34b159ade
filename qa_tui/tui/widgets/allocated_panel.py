"""The cases a plan allocated to this user, shown first on the home list: "Allocated to you
for 3 December (Practice day, CIN): LCS-500011"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from qa_tui.tui.text import Shown, line

if TYPE_CHECKING:
    from qa_tui.domain.plan_views import MyAllocation

SHOWN = 3


class AllocatedPanel(Shown):
    """Up to three allocations, soonest first, and the key that starts the first; hidden
    when there are none."""

    def on_mount(self) -> None:
        self.display = False

    def show(self, rows: list[MyAllocation]) -> None:
        self.display = bool(rows)
        lines = [
            f"▸ {a.describe()}: {line(a.case_reference, 24)}"
            + (" (started)" if a.progress == "started" else "")
            for a in rows[:SHOWN]
        ]
        more = len(rows) - len(lines)
        tail = f" · {more} more" if more > 0 else ""
        lines.append(f"ctrl+l starts the first{tail} (Planning, in the palette, lists them all)")
        self.update("\n".join(lines))
