"""Where focus goes in a section of the form, and keeping the question in view with it.

Opening a section puts focus on the first thing still missing in it (a grade not given
before its evidence), else on the first field; the place the review jumps to, or the user
last was, wins. The item's question is scrolled into view together with the field, so the
user sees what they are answering.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.containers import VerticalScroll
from textual.widget import Widget

if TYPE_CHECKING:
    from qa_tui.domain.completion import Missing

ITEM_PREFIXES = ("t-", "j-")  # an item; a judgement with examples to look for
SAFE_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@runtime_checkable
class KnowsWhatIsMissing(Protocol):
    """An item widget that can name its first field still to be filled in."""

    def first_missing(self) -> Widget | None: ...


def shown(widget: Widget) -> bool:
    """Displayed, and so are all its ancestors (a hidden "not applicable" reason is not)."""
    return widget.display and all(getattr(node, "display", True) for node in widget.ancestors)


def _focusable_in(node: Widget, form: Widget) -> Widget | None:
    # The form itself scrolls and so can take focus: never it (a RadioSet is a scrolling
    # container too, so the test is on the form, not on the kind of widget).
    return next(
        (w for w in (node, *node.query("*")) if w is not form and w.focusable and shown(w)),
        None,
    )


def find_place(form: Widget, target: str) -> Widget | None:
    """The widget whose id names ``target`` (as given, or as a field, item or action)."""
    if not target or not SAFE_ID.match(target):
        return None
    for selector in (f"#{target}", f"#f-{target}", f"#t-{target}", f"#a-{target}"):
        found = form.query(selector)
        if found:
            return found.first()
    return None


def item_of(widget: Widget, form: Widget) -> Widget:
    """The item (``t-…`` or ``j-…``) holding ``widget``, or the widget itself."""
    for node in (widget, *widget.ancestors):
        if node is form or not isinstance(node, Widget):
            break
        if node.id and node.id.startswith(ITEM_PREFIXES):
            return node
    return widget


def first_missing_target(todo: list[Missing], section: str) -> str:
    """The first thing missing in ``section`` (an item id or a field), or ""."""
    return next((m.target for m in todo if m.section == section), "")


def field_for(form: Widget, target: str) -> Widget | None:
    """The widget to focus for ``target`` (a field or item id; "" for the first item, where
    the user would type next: a list's new entry rather than its first entry)."""
    items = [w for w in form.children if w.id and w.id.startswith(ITEM_PREFIXES)]
    node = find_place(form, target) or (items[0] if items else form)
    if isinstance(node, KnowsWhatIsMissing):
        field = node.first_missing()
        if field is not None and field.focusable and shown(field):
            return field
    return _focusable_in(node, form)


def reveal(form: VerticalScroll, field: Widget) -> None:
    """Scroll so the question of ``field``'s item is in view with the field: the item's top
    at the top (the section title too, for the first item), the field itself in any case."""
    item = item_of(field, form)
    items = [w for w in form.children if w.id and w.id.startswith(ITEM_PREFIXES)]
    if items and item is items[0]:
        form.scroll_home(animate=False, immediate=True)
    elif item is not field:
        form.scroll_to_widget(item, animate=False, top=True, immediate=True)
    field.scroll_visible(animate=False, immediate=True)
