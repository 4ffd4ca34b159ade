"""No keystroke lost or misrouted, at any typing speed: keys sent in bursts (no pause between
them) across every kind of focus change, then the database (or the settings file) holds
exactly what was typed, in the right fields.

See :mod:`qa_tui.tui.input_order` for why Textual alone misroutes them.
"""

from __future__ import annotations

from typing import Any

from qa_tui.config import load_settings
from tests.tui.bursts import burst, settled
from tests.tui.test_app_shell import app_for, run_async

SIZE = (100, 30)


@run_async
async def test_first_run_dialog_takes_a_whole_burst(isolated_dirs: Any, db_url: str) -> None:
    """The lead's reproduction: Tab in a burst moves focus before the next characters."""
    from qa_tui.tui.dialogs.first_run import FirstRunDialog

    settings = load_settings()
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert isinstance(app.screen, FirstRunDialog)
        await burst(pilot, "Sam Manager", "<tab>", "Team manager", "<tab>", "Locality North")
        await burst(pilot, "<enter>")
        assert not isinstance(app.screen, FirstRunDialog)
    saved = load_settings(settings.config_path)
    assert (saved.auditor_name, saved.auditor_role, saved.auditor_team) == (
        "Sam Manager",
        "Team manager",
        "Locality North",
    )


@run_async
async def test_enter_and_shift_tab_in_a_burst(isolated_dirs: Any, db_url: str) -> None:
    """Enter moves on through Submitted (a message, one hop later than Tab); shift+Tab goes
    back (its text selected, as Tab selects it: End keeps it) and the text typed there lands
    there."""
    settings = load_settings()
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        await burst(pilot, "Sam", "<enter>", "Team manager", "<shift+tab>", "<end>", " Manager")
        await burst(pilot, "<tab>", "<tab>", "Locality North", "<enter>")
    saved = load_settings(settings.config_path)
    assert (saved.auditor_name, saved.auditor_role, saved.auditor_team) == (
        "Sam Manager",
        "Team manager",
        "Locality North",
    )
