"""One line above the form: where the user is and what is left overall, at every size.

The section map lists each section's state, but at 30 lines its last sections are off screen
and at 80 columns it is folded away: this line always says which section is open ("Section
3 of 12") and how much is left in the whole evaluation, so "everything visible says done" is
never the whole story.
"""

from __future__ import annotations

from qa_tui.tui.text import Shown, line
from qa_tui.tui.widgets.section_map import marker


def overall(todo_total: int, sections: int, short: bool = False) -> str:
    """The whole evaluation's state in words (``short``: for 80 columns)."""
    if todo_total == 0:
        return (
            "All done: ^r completes"
            if short
            else "Nothing left to do: ctrl+r reviews and completes"
        )
    where = "1 section" if sections == 1 else f"{sections} sections"
    if short:
        return f"In all {todo_total} to do, {where}"
    things = "thing" if todo_total == 1 else "things"
    return f"In all: {todo_total} {things} to do in {where} (ctrl+r reviews)"


class SectionBar(Shown):
    """``Section 3 of 12 · Practice standards · 2 to do │ In all: 14 things to do …``"""

    _last: tuple[int, int, str, int | None, dict[str, int]] | None = None

    def on_resize(self) -> None:
        if self._last is not None:
            self.show(*self._last)

    def show(
        self, index: int, total: int, title: str, todo: int | None, counts: dict[str, int]
    ) -> None:
        self._last = (index, total, title, todo, counts)
        left = sum(counts.values())
        sections = sum(1 for n in counts.values() if n)
        here = f"Section {index + 1} of {total} · {line(title, 40)} · {marker(todo)}"
        text = f"{here}  │  {overall(left, sections)}"
        width = self.size.width - 2
        if width > 0 and len(text) > width:  # 80 columns: the same facts, fewer words
            place = f"{index + 1}/{total} · {marker(todo)}"
            room = max(8, width - len(place) - len(overall(left, sections, True)) - 7)
            text = f"{line(title, room)} {place} │ {overall(left, sections, True)}"
        self.update(text, layout=False)  # a Shown: the title is shown literally
