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


# --- the editor: every kind of focus change, keys in bursts ---------------------------------


def _draft(workspace: Any, template_id: str = "collaborative_practice_evaluation") -> str:
    from tests.tui.test_evaluation_journey import new_evaluation

    return new_evaluation(workspace, template_id)


def _view(workspace: Any, evaluation_id: str) -> Any:
    from tests.tui.test_evaluation_journey import read_view

    return read_view(workspace, evaluation_id)


@run_async
async def test_tab_and_shift_tab_bursts_in_the_case_details(workspace: Any) -> None:
    from tests.tui.test_evaluation_journey import make, open_editor

    eid = _draft(workspace)
    async with make(workspace).run_test(size=SIZE) as pilot:
        await open_editor(pilot, eid)
        assert pilot.app.focused.id == "f-service_area"  # the first thing missing
        await burst(pilot, "Children in need", "<tab>", "Locality North", "<tab>", "Sam")
        await burst(pilot, "<shift+tab>", "<end>", " A", "<tab>", "<end>", " Hughes")
        await _saved(pilot)
    ev = _view(workspace, eid).evaluation
    assert (ev.service_area, ev.team, ev.practitioner) == (
        "Children in need",
        "Locality North A",
        "Sam Hughes",
    )


async def _saved(pilot: Any) -> None:
    from tests.tui.test_evaluation_journey import settle

    await settled(pilot)
    await settle(pilot)


@run_async
async def test_keys_typed_while_a_section_opens_wait_for_its_first_field(workspace: Any) -> None:
    """ctrl+n reads, then mounts the next section: what is typed meanwhile goes there."""
    from tests.tui.test_evaluation_journey import editor, make, open_editor

    eid = _draft(workspace)
    async with make(workspace).run_test(size=SIZE) as pilot:
        await open_editor(pilot, eid)
        await burst(pilot, "<ctrl+n>", "Pat", "<tab>", "Parent", "<enter>")
        assert editor(pilot).section_key == "participants"
        # Two sections on at once, then straight into the first list's new entry.
        await burst(pilot, "<ctrl+n>", "<ctrl+n>", "<ctrl+b>", "<ctrl+n>", "Nan helps")
        await burst(pilot, "<enter>")
        await _saved(pilot)
        assert editor(pilot).section_key == "signs_of_safety"
    view = _view(workspace, eid)
    assert [(p.name, p.role) for p in view.participants][1:] == [("Pat", "Parent")]
    assert [e.text for e in view.entries["working_well"]] == ["Nan helps"]


@run_async
async def test_grade_then_tab_then_evidence_in_one_burst(workspace: Any) -> None:
    from tests.tui.test_evaluation_journey import make, open_editor

    eid = _draft(workspace)
    async with make(workspace).run_test(size=SIZE) as pilot:
        await open_editor(pilot, eid)
        await burst(pilot, "<ctrl+n>", "<ctrl+n>")  # practice standards: focus on its grade
        assert pilot.app.focused.id == "f-standards_met-grade"
        await burst(pilot, "<down>", "<enter>", "<tab>", "Visits on time", "<tab>")
        await _saved(pilot)
    response = _view(workspace, eid).responses["standards_met"]
    assert (response.grade, response.evidence, response.na_reason) == (
        "good",
        "Visits on time",
        "",
    )


@run_async
async def test_not_applicable_asks_its_reason_where_the_evidence_was(workspace: Any) -> None:
    """Choosing "not applicable" shows its reason in the evidence's place: the Tab right after
    the choice reaches it, and nothing typed lands in a box that appeared in between."""
    from tests.tui.test_evaluation_journey import make, open_editor

    eid = _draft(workspace)
    async with make(workspace).run_test(size=SIZE) as pilot:
        await open_editor(pilot, eid)
        await burst(pilot, "<ctrl+n>", "<ctrl+n>")
        keys = ["<down>"] * 4  # outstanding … inadequate, then not applicable
        await burst(pilot, *keys, "<enter>", "<tab>", "Closed before allocation", "<tab>")
        await _saved(pilot)
    response = _view(workspace, eid).responses["standards_met"]
    assert (response.grade, response.na_reason, response.evidence) == (
        "not_applicable",
        "Closed before allocation",
        "",
    )
