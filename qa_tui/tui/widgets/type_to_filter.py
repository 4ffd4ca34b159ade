"""Type-to-filter: a printable key pressed on a list goes to the list's filter.

Shared by the screens whose main widget is an :class:`~qa_tui.tui.widgets.evaluation_list.
EvaluationList` with a filter above it (home, the actions tracker, the concerns and findings
lists): the manager starts typing on the list and the rows narrow, without a key to reach the
filter first.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from textual import events
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input


def typed_to_filter(
    event: events.Key,
    table: Widget,
    filter_input: Input,
    *,
    commands: Collection[str] = (),
    space_typed: bool = True,
) -> bool:
    """Send a printable key pressed on ``table`` to ``filter_input`` (focused, the character
    typed at its cursor), unless its key is one of ``commands`` (the screen's own letters), or
    it is a space and ``space_typed`` is False (a list where space is a command); whether it
    went."""
    if not table.has_focus or not event.is_printable or not event.character:
        return False
    if event.key in commands or (event.character == " " and not space_typed):
        return False
    event.stop()
    event.prevent_default()
    filter_input.focus()
    filter_input.insert_text_at_cursor(event.character)
    return True


def typed_on_screen_list(screen: Screen[Any], event: events.Key) -> bool:
    """:func:`typed_to_filter` for a follow-through list (the tracker, concerns, findings): the
    screen's list and its ``#filter``; the screen's own keys, and a space, stay commands."""
    from qa_tui.tui.widgets.evaluation_list import EvaluationList

    return typed_to_filter(
        event,
        screen.query_one(EvaluationList),
        screen.query_one("#filter", Input),
        commands=screen.active_bindings,
        space_typed=False,
    )
