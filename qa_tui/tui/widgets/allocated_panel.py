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
            f"▸ {line(a.case_reference, 16)} · "
            + line(f"{a.describe()}{' · started' if a.progress == 'started' else ''}", 56)
            for a in rows[:SHOWN]
        ]
        more = len(rows) - len(lines)
        tail = f" · {more} more" if more > 0 else ""
        lines.append(f"ctrl+l starts the first{tail} · Planning (palette) lists them all")
        self.update("\n".join(lines))
