"""No stored or typed text drives the terminal: every display path of the TUI draws control
characters as visible pictures, never as what a terminal would obey (issue 8, item 4).

The text reaches the screens the way it reaches a QA desk: written into every text field of
the demo evaluations as if merged from another laptop (the store's own ``record_change``, no
domain validation in the way). Then the app shows each of them — the home list, the editor on
every section (every item kind), the review, the summaries, the conflicts screen and its
dialog, the palette, a notification — and every segment drawn is checked.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from qa_tui.textsafe import is_shown_safe, shown
from qa_tui.tui.messages import Navigate

from ..conftest import expensive
from .screens_setup import (
    editor_at,
    frozen_clock,
    home_loaded,
    make_conflict,
    prepare_db,
    scene_settings,
    screen_is,
    settle,
    summary_open,
    wait_for,
)

CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
BIDI = list("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
SEPARATORS = ["\u2028", "\u2029", "\r\n", "\r", "\x85"]
NASTY = [
    "\x1b]0;pwned\x07",  # set the terminal's title
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b[31mred",  # colour
    "\x9b31m",  # the same through the one-byte CSI
    "[bold]x[/bold]",
    "[red]",
    "[/]",
    "[link=https://example.org]l[/link]",
    "[@click=app.quit]q[/]",
    "$var ${x}",
]

hostile = st.lists(
    st.one_of(
        st.sampled_from(CONTROLS + BIDI + SEPARATORS + NASTY),
        st.text(max_size=8),
        st.integers(1, 400).map(lambda n: "w" * n),  # very long lines
    ),
    min_size=1,
    max_size=12,
).map(lambda parts: "".join(parts))


def storable(text: str) -> str:
    """What SQLite can hold: a lone surrogate cannot be encoded, so it never reaches a field."""
    return text.encode("utf-8", "replace").decode("utf-8") or "x"


def unsafe_on_screen(app: Any) -> list[str]:
    """Every drawn line holding a character a terminal could obey (or reorder)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    bad = []
    for line in update.strips:
        text = "".join(seg.text for strip in line for seg in strip if seg.control is None)
        if not is_shown_safe(text):
            bad.append(repr(text))
    return bad


def poison(db_url: str, evaluation_ids: list[str], text: str) -> None:
    """Every text field of these evaluations' records set to ``text`` (as a merge would)."""
    from sqlalchemy import create_engine, select
    from sqlalchemy.orm import Session

    from qa_tui.store import models
    from qa_tui.store.history import Actor, record_change, record_heads

    actor = Actor("Laptop Elsewhere", "99999999-0000-4000-8000-000000000000", frozen_clock)
    engine = create_engine(db_url)
    with Session(engine) as session, session.begin():
        records = session.execute(
            select(models.Change.evaluation_id, models.Change.entity_id)
            .where(models.Change.evaluation_id.in_(evaluation_ids))
            .distinct()
        ).all()
        for evaluation_id, entity_id in records:
            for field, heads in record_heads(session, evaluation_id, entity_id).items():
                if field.startswith("_") or field in ("status", "completed_at"):
                    continue
                if field.endswith("_id"):  # a reference to another record, not text shown
                    continue
                winner = heads[-1]
                value = json.loads(winner.value)
                if isinstance(value, str) and value and not value[:4].isdigit():
                    record_change(
                        session,
                        actor,
                        winner.entity_type,
                        entity_id,
                        evaluation_id,
                        field,
                        text,
                    )
    engine.dispose()


async def visit_everything(pilot: Any, ids: Any, text: str) -> list[str]:
    from textual.command import CommandPalette

    from qa_tui.tui.dialogs.resolve_conflict import ResolveConflictDialog
    from qa_tui.tui.dialogs.review import ReviewDialog
    from qa_tui.tui.screens.conflicts import ConflictsScreen

    app = pilot.app
    problems: list[str] = []

    async def check(where: str) -> None:
        await settle(pilot)
        problems.extend(f"{where}: {line}" for line in unsafe_on_screen(app))

    await home_loaded(pilot)
    await check("home")
    editor = await editor_at(pilot, ids.reopened, "reopened", "details")
    for section in [s.key for s in editor.section_map.sections]:
        editor.show_section(section)
        await wait_for(
            pilot,
            lambda s=section: editor.section_key == s and editor.saver.idle,
            section,
        )
        await check(f"editor {section}")
    app.pop_screen()
    await editor_at(pilot, ids.draft, "draft", "details")
    await pilot.press("ctrl+r")
    dialog = await screen_is(pilot, ReviewDialog)
    await wait_for(pilot, lambda: dialog._state is not None, "the review's list")
    await check("review")
    app.action_go_home()
    for evaluation_id in (ids.concern, ids.moderated):
        await summary_open(pilot, evaluation_id)
        await check("summary")
        app.action_go_home()
    await visit_moderation(pilot, ids.moderated, check)
    make_conflict(app.workspace, ids.draft, (text, text + " (2)"))
    app.post_message(Navigate("conflicts"))
    screen = await screen_is(pilot, ConflictsScreen)
    await wait_for(
        pilot, lambda: any(t.row_count for t in screen.query("DataTable")), "the conflict"
    )
    await check("conflicts")
    await pilot.press("enter")
    await screen_is(pilot, ResolveConflictDialog)
    await check("resolve conflict")
    app.action_go_home()
    await visit_follow_through(pilot, ids, check)
    await pilot.press("ctrl+p")
    palette = await screen_is(pilot, CommandPalette)
    await wait_for(pilot, lambda: palette.has_class("-ready"), "the palette")
    await pilot.press(*"Open")
    await check("palette")
    await pilot.press("escape")
    # A notification quoting text nothing could store (a lone surrogate among it).
    app.notify(text + "\ud800", title=text)
    await check("notification")
    return problems


async def visit_follow_through(pilot: Any, ids: Any, check: Any) -> None:
    """The actions tracker, the concerns and findings lists, and the concern's notice."""
    from qa_tui.tui.dialogs.concern_notice import ConcernNoticeDialog
    from qa_tui.tui.screens.actions import ActionsScreen
    from qa_tui.tui.screens.concerns import ConcernsScreen, FindingsScreen

    app = pilot.app
    places = (
        ("actions", ActionsScreen),
        ("concerns", ConcernsScreen),
        ("findings", FindingsScreen),
    )
    for place, cls in places:
        app.post_message(Navigate(place))
        screen = await screen_is(pilot, cls)
        await wait_for(pilot, lambda s=screen: s.loaded, place)
        await check(place)
        app.action_go_home()
    await summary_open(pilot, ids.concern)
    await pilot.press("n")
    dialog = await screen_is(pilot, ConcernNoticeDialog)
    await wait_for(pilot, lambda: dialog._notice is not None, "the notice")
    await check("concern notice")


async def visit_moderation(pilot: Any, evaluation_id: str, check: Any) -> None:
    """The moderation screens showing a poisoned evaluation: its session side by side (the
    auditor's text, the agreed grades' rationales) and the agreement figures."""
    from sqlalchemy import select

    from qa_tui.store import models
    from qa_tui.tui.screens.agreement import AgreementScreen
    from qa_tui.tui.screens.side_by_side import SideBySideScreen

    app = pilot.app
    with app.workspace.store.reader() as session:
        session_id = session.scalar(
            select(models.Moderation.session_id).where(
                models.Moderation.evaluation_id == evaluation_id,
                models.Moderation.session_id != "",
            )
        )
    if session_id:
        app.push_screen(SideBySideScreen(app.workspace, app.writer, session_id, [evaluation_id]))
        screen = await screen_is(pilot, SideBySideScreen)
        await wait_for(pilot, lambda: screen.data is not None, "the side-by-side view")
        await check("side by side")
        await pilot.press("f", "escape")
    app.action_go_home()
    app.post_message(Navigate("agreement"))
    figures = await screen_is(pilot, AgreementScreen)
    await wait_for(pilot, lambda: figures.loaded > 0, "the agreement figures")
    await check("agreement")
    app.action_go_home()


@pytest.mark.slow
@expensive(
    share=6, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(text=hostile)
def test_no_control_character_reaches_the_terminal(tmp_path: Path, text: str) -> None:
    from qa_tui.tui.app import make_app
    from qa_tui.workspace import open_workspace

    text = storable(text)
    settings = scene_settings()
    folder = Path(tmp_path) / f"db-{abs(hash(text))}"
    db_url, ids = prepare_db(folder, settings, demo=True)
    assert ids is not None
    poison(db_url, [ids.draft, ids.reopened, ids.concern, ids.moderated], text)

    app = make_app(
        settings,
        workspace_factory=lambda: open_workspace(settings, db_url, clock=frozen_clock),
        clock=frozen_clock,
    )
    app.animation_level = "none"

    async def run() -> list[str]:
        async with app.run_test(size=(120, 40)) as pilot:
            return await visit_everything(pilot, ids, text)

    problems = asyncio.run(run())
    assert not problems, "\n".join(problems[:10])


def test_the_display_form_is_one_cell_per_character() -> None:
    """What keeps an editor's cursor in place: each character becomes one cell."""
    from rich.cells import cell_len

    for char in CONTROLS + BIDI + ["\u2028", "\u2029", "\ud800"]:
        picture = shown(char)
        assert len(picture) == 1 and cell_len(picture) == 1, repr(char)
        assert is_shown_safe(picture)
    assert shown("a\nb\tc", multiline=True) == "a\nb\tc"
    assert shown("a\nb\tc") == "a␊b␉c"


class Gallery:
    """Every kind of widget the screens draw user text with, in one small app."""

    @staticmethod
    def app(text: str) -> Any:
        from textual.app import App, ComposeResult
        from textual.widgets import OptionList

        from qa_tui.tui.text import (
            SafeInput,
            SafeNotifications,
            SafeTextArea,
            Shown,
            ShownLabel,
            line,
            rich_text,
        )
        from qa_tui.tui.widgets.base import choice_select

        class GalleryApp(SafeNotifications, App[None]):
            def compose(self) -> ComposeResult:
                yield Shown(text)
                yield ShownLabel(line(text, 30))
                yield SafeInput(text, id="input")
                yield SafeTextArea(text, id="area")
                yield OptionList(rich_text(text), rich_text(text, multiline=True))
                yield choice_select([("one", "1")], text or "x")

        return GalleryApp()


@given(text=hostile)
def test_every_text_widget_draws_control_characters_harmlessly(text: str) -> None:
    """Many examples, cheaply: the widgets the screens are built from, and a notification."""
    app = Gallery.app(text)

    async def run() -> tuple[list[str], str, str]:
        async with app.run_test(size=(60, 30)) as pilot:
            app.notify(text + "\ud800", title=text)
            await pilot.pause()
            typed = app.query_one("#input")
            area = app.query_one("#area")
            return unsafe_on_screen(app), typed.value, area.text

    problems, value, area_text = asyncio.run(run())
    assert not problems, "\n".join(problems[:10])
    assert value == text  # stored exactly: only the drawing changed
    # A text area keeps every character; only its line breaks take one kind (the first one
    # found: a lone CR in pasted text becomes a line break, never a carriage return).
    assert re.split(r"\r\n|\r|\n", area_text) == re.split(r"\r\n|\r|\n", text)


def test_typed_and_pasted_controls_are_stored_exactly() -> None:
    """Pasting an escape sequence into an input and a text area keeps it, byte for byte."""
    from textual import events

    app = Gallery.app("")
    pasted = "a\x1b]0;pwned\x07b\x0cc\u202ed\x1ce"

    async def run() -> tuple[str, str, list[str]]:
        async with app.run_test(size=(60, 30)) as pilot:
            typed, area = app.query_one("#input"), app.query_one("#area")
            for widget in (typed, area):
                widget.focus()
                await pilot.pause()
                app.post_message(events.Paste(pasted))  # as a terminal's paste arrives
                await pilot.pause()
            await pilot.press("x")
            return typed.value, area.text, unsafe_on_screen(app)

    value, area_text, problems = asyncio.run(run())
    assert value == pasted
    assert area_text == pasted + "x"
    assert not problems
