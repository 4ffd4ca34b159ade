"""Rules that act at a distance say so where they act.

A template rule can make another section incomplete: a grade below good needs an action, a
new participant owes a scale. When an edit does that, the item the user is in gets a line
saying what happened and why — "An action is required for any grade below good: Actions now
has 1 to do." — instead of the reason only appearing at the review.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from qa_tui.tui.text import Shown
from qa_tui.tui.widgets.form_focus import item_of

if TYPE_CHECKING:
    from textual.widget import Widget

    from qa_tui.domain.completion import Missing
    from qa_tui.tui.widgets.section_map import SectionMap


class HasTodo(Protocol):
    todo: list[Missing]

    def counts(self) -> dict[str, int]: ...


class RuleNotice(Shown):
    """The line under an item saying what its change did elsewhere."""

    DEFAULT_CLASSES = "notice rule-notice"


def notices(before: list[Missing], after: HasTodo, here: str, sections: SectionMap) -> list[str]:
    """One sentence for each thing newly missing outside section ``here``."""
    counts = after.counts()
    out = []
    for problem in after.todo:
        if problem.section == here or problem in before:
            continue
        title = sections.sections[sections.index_of(problem.section)].title
        count = counts.get(problem.section, 0)
        out.append(f"{problem.message.rstrip('.')}: {title} now has {count} to do.")
    return out


def explain_new_missing(
    form: Widget,
    focused: Widget | None,
    before: list[Missing],
    after: HasTodo,
    sections: SectionMap,
) -> None:
    """Show :func:`notices` under the item holding ``focused`` (the change was made there)."""
    if focused is None or form not in focused.ancestors:
        return
    here = sections.sections[sections.highlighted or 0].key if sections.sections else ""
    said = notices(before, after, here, sections)
    if not said:
        return
    item = item_of(focused, form)
    text = "\n".join(dict.fromkeys(said))
    existing = item.query(RuleNotice)
    if existing:
        existing.first().update(text)
        return
    # Right under the choice that caused it (in view, where the user is), else at the end.
    pickers = [w for w in item.query(".grade-picker, .yes-no") if w.parent is item]
    if pickers:
        item.mount(RuleNotice(text), after=pickers[0])
    else:
        item.mount(RuleNotice(text))
