"""The QA desk merges the laptops' bundles from the app, driven by keys, checked in the database.

The same merge as ``qa-tui merge``: a folder of bundles merged one by one, a line each; a
damaged one refused with nothing written; the key remembered; a wrong key merges nothing; on a
laptop's database the dialog says where bundles go and merges nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from textual.widgets import Button, Static

from qa_tui.config import load_settings
from qa_tui.store import models, role
from qa_tui.store.migrate import open_store
from qa_tui.store.sync_models import MergedBundle
from qa_tui.sync.handover import export_bundle
from qa_tui.sync.keys import own_device_key
from qa_tui.tui.dialogs.merge_bundles import NOT_CENTRAL, MergeDialog
from qa_tui.tui.messages import Navigate
from qa_tui.tui.screens.sync import SyncScreen
from tests.tui.test_app_shell import SIZE, add_evaluation, app_for, run_async, settle
from tests.tui.test_sync_screens import _central_with


def _text(pilot: Any, selector: str) -> str:
    return str(pilot.app.screen.query_one(selector, Static).render())


async def _wait_done(pilot: Any) -> None:
    for _ in range(200):
        await settle(pilot, 1)
        if _text(pilot, "#merge-status") == "Done." or _text(pilot, "#merge-problem"):
            return
    raise AssertionError(f"the merge never ended: {_text(pilot, '#merge-status')!r}")


def _evaluations(url: str) -> set[str]:
    store = open_store(url, create=False)
    try:
        with store.reader() as session:
            return set(session.scalars(select(models.Evaluation.id)))
    finally:
        store.dispose()


def _merged_bundles(url: str) -> int:
    store = open_store(url, create=False)
    try:
        with store.reader() as session:
            return session.scalar(select(func.count()).select_from(MergedBundle)) or 0
    finally:
        store.dispose()


async def _type(pilot: Any, text: str) -> None:
    for char in text:
        await pilot.press(char if char != " " else "space")


async def _merge_by_keys(pilot: Any, bundles: Path, key: Path) -> None:
    """In the merge dialog: the bundles typed, then the key, Enter (in the key field merges)."""
    assert isinstance(pilot.app.screen, MergeDialog)
    await _type(pilot, str(bundles))
    await pilot.press("tab")
    await _type(pilot, str(key))
    await pilot.press("enter")
    await _wait_done(pilot)


@run_async
async def test_the_desk_merges_a_folder_of_bundles_from_the_sync_screen(
    workspace: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = {add_evaluation(workspace, ref) for ref in ("ABC-30001", "ABC-30002")}
    url = _central_with(settings, tmp_path)  # enrols this laptop; its key is tmp_path/qa_key
    usb = tmp_path / "usb"
    usb.mkdir()
    export_bundle(
        workspace.store,
        own_device_key(settings),
        settings.author,
        tmp_path / "qa_key.pub",
        usb / "a-laptop.qab",
    )
    (usb / "b-damaged.qab").write_bytes(b"not a bundle")
    (usb / "notes.txt").write_text("not a bundle either, and not a .qab", encoding="utf-8")

    app = app_for(settings, url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.central is True
        read_again: list[object] = []  # the screen reads nothing the app knows already
        monkeypatch.setattr(role, "is_central", lambda session: read_again.append(1) or False)
        await pilot.press("ctrl+y")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert app.screen.query_one("#merge", Button).display
        assert not app.screen.query_one("#sync", Button).display
        assert read_again == []
        await pilot.press("ctrl+g")
        await settle(pilot)
        await _merge_by_keys(pilot, usb, tmp_path / "qa_key")
        lines = _text(pilot, "#merge-lines").splitlines()
        said = " ".join(lines)
        assert "1 of 2: a-laptop.qab" not in said  # the heads are progress, not results
        assert said.startswith("a-laptop.qab: merged 2 evaluations"), said
        assert "Refused b-damaged.qab: not a qa-tui bundle" in said, said
        assert "nothing of it was merged" in said and "notes.txt" not in said
        assert _text(pilot, "#merge-problem") == ""

        await pilot.press("ctrl+s")  # again: nothing changes
        await _wait_done(pilot)
        assert "already merged" in _text(pilot, "#merge-lines")
    assert _evaluations(url) == made
    assert _merged_bundles(url) == 1
    remembered = load_settings(settings.config_path).qa_private_key
    assert remembered == str(tmp_path / "qa_key")


@run_async
async def test_a_wrong_key_merges_nothing_and_says_why(
    workspace: Any, settings: Any, tmp_path: Path
) -> None:
    from qa_tui.sync.keys import create_qa_key

    add_evaluation(workspace, "ABC-30003")
    url = _central_with(settings, tmp_path)
    bundle = tmp_path / "one.qab"
    export_bundle(
        workspace.store, own_device_key(settings), settings.author, tmp_path / "qa_key.pub", bundle
    )
    other = tmp_path / "other" / "qa.key"
    other.parent.mkdir()
    create_qa_key(other)
    app = app_for(settings, url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(Navigate("merge"))
        await settle(pilot)
        assert isinstance(app.screen, MergeDialog)
        await pilot.press("ctrl+s")  # nothing given: asked for, not merged
        await settle(pilot)
        assert _text(pilot, "#merge-problem") == "Give a bundle file, or a folder of them."
        await _type(pilot, str(tmp_path / "missing.qab"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "missing.qab: no such file or folder" in _text(pilot, "#merge-problem")
        (tmp_path / "empty").mkdir()
        app.screen.query_one("#bundles").value = str(tmp_path / "empty")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "empty: no bundle file (.qab) in this folder" in _text(pilot, "#merge-problem")
        app.screen.query_one("#bundles").value = str(bundle)
        app.screen.query_one("#qa-key").value = str(other)
        await pilot.press("ctrl+s")
        await _wait_done(pilot)
        problem = _text(pilot, "#merge-problem")
        assert problem.startswith("Not merged: ")
        assert "not this central database's QA key" in problem
    assert _evaluations(url) == set()


@run_async
async def test_on_a_laptop_the_dialog_says_where_bundles_go(
    settings: Any, db_url: str, tmp_path: Path
) -> None:
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.post_message(Navigate("merge"))  # from the palette
        await settle(pilot)
        for _ in range(50):
            await settle(pilot, 1)
            if _text(pilot, "#merge-problem"):
                break
        assert _text(pilot, "#merge-problem") == NOT_CENTRAL
        assert app.screen.query_one("#merge", Button).disabled
        app.screen.query_one("#bundles").value = str(tmp_path)
        app.screen.query_one("#qa-key").value = str(tmp_path / "qa.key")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _text(pilot, "#merge-status") == ""  # nothing started
        await pilot.press("ctrl+y")  # the laptop's Sync screen has no merge button or key
        await settle(pilot)
        assert isinstance(app.screen, MergeDialog)  # a modal: its keys only
        await pilot.press("escape", "ctrl+y")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)
        assert not app.screen.query_one("#merge", Button).display
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, SyncScreen)


async def _palette_offers(pilot: Any, typed: str) -> list[str]:
    """What the command palette lists once ``typed`` is typed into it (closed again after)."""
    from textual.command import Command, CommandList

    await pilot.press("ctrl+p")
    await pilot.press(*typed)
    listed: list[str] = []
    steady = 0
    for _ in range(100):  # the palette searches in the background: until its list settles
        await pilot.pause(0.05)
        options = pilot.app.screen.query_one(CommandList).options
        if any(o.id == "--no-matches" for o in options):  # it says nothing matched
            return await _closed(pilot, [])
        now = [str(o.hit.text) for o in options if isinstance(o, Command)]
        steady = steady + 1 if now and now == listed else 0
        listed = now
        if steady >= 3:
            break
    return await _closed(pilot, listed)


async def _closed(pilot: Any, listed: list[str]) -> list[str]:
    """The palette closed; ``listed`` as it was."""
    await pilot.press("escape")
    await settle(pilot)
    return listed


@run_async
async def test_the_palette_offers_merging_on_the_desk_and_exporting_on_a_laptop(
    settings: Any, db_url: str, tmp_path: Path
) -> None:
    """Each database's palette lists what can be done with it: a laptop's, exporting its work
    for the QA team; the central database's, merging the laptops' bundles. A word of what a
    command does finds it as well as its name ("bundle" the export, on a laptop)."""
    for url, offered, not_offered in (
        (db_url, "Export for the QA team", "Merge bundles"),
        (_central_with(settings, tmp_path), "Merge bundles", "Export for the QA team"),
    ):
        app = app_for(settings, url)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for _ in range(50):  # known once the database has opened
                if app.central is not None:
                    break
                await settle(pilot, 1)
            listed = await _palette_offers(pilot, "bundles ")
            listed += await _palette_offers(pilot, "QA team")
            assert offered in listed
            assert not_offered not in listed
            # "bundle" names no laptop command; the export's help says it makes one
            assert offered in await _palette_offers(pilot, "bundle")


@run_async
async def test_on_the_central_database_the_export_dialog_exports_nothing(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The palette does not list 'Export for the QA team' on the desk; reached all the same,
    the dialog says at once why it exports nothing (the app knows its database: the dialog
    reads no role of its own)."""
    from qa_tui.tui.dialogs.export_bundle import ON_CENTRAL, ExportDialog

    url = _central_with(settings, tmp_path)
    out = tmp_path / "out.qab"
    app = app_for(settings, url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.central is True
        read_again: list[object] = []
        monkeypatch.setattr(role, "is_central", lambda session: read_again.append(1) or False)
        app.post_message(Navigate("export"))
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        assert _text(pilot, "#export-problem") == ON_CENTRAL  # no wait for a worker
        assert app.screen.query_one("#export", Button).disabled
        assert read_again == []
        app.screen.query_one("#qa-key").value = str(tmp_path / "qa_key.pub")
        app.screen.query_one("#out").value = str(out)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert _text(pilot, "#export-result") == ""
    assert not out.exists()


@run_async
async def test_the_export_dialog_reads_the_role_when_the_app_does_not_know_it(
    settings: Any, tmp_path: Path
) -> None:
    """Opened before the app has learnt what its database is (``central`` still None), the
    dialog reads the role itself and still refuses to export from the central database."""
    from qa_tui.tui.dialogs.export_bundle import ON_CENTRAL, ExportDialog

    url = _central_with(settings, tmp_path)
    app = app_for(settings, url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.central = None  # as while the database opens
        app.post_message(Navigate("export"))
        await settle(pilot)
        assert isinstance(app.screen, ExportDialog)
        for _ in range(50):  # the dialog's own worker reads the role
            await settle(pilot, 1)
            if _text(pilot, "#export-problem"):
                break
        assert _text(pilot, "#export-problem") == ON_CENTRAL
        assert app.screen.query_one("#export", Button).disabled


@run_async
async def test_escape_and_stray_letters_leave_the_empty_panel_s_button_in_focus(
    settings: Any, tmp_path: Path
) -> None:
    """On the empty list's panel Escape (clear the filter) and letters typed by mistake keep
    the panel's button in focus: Enter after them still opens the merge (Escape used to send
    the focus to the hidden list, and Enter then did nothing)."""
    from qa_tui.tui.dialogs.merge_bundles import MergeDialog

    url = _central_with(settings, tmp_path)
    app = app_for(settings, url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await pilot.press("a", "b")
        await settle(pilot)
        await pilot.press("escape", "c")
        await settle(pilot)
        assert app.focused is not None and app.focused.id == "merge-bundles"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MergeDialog)


def _first_run(pilot: Any) -> tuple[str, str, bool, bool]:
    """The empty list's panel: title, hint, and which of its two first buttons show."""
    screen = pilot.app.screen_stack[0]
    return (
        _text(pilot, "#first-run-title"),
        _text(pilot, "#first-run-hint"),
        screen.query_one("#start", Button).display,
        screen.query_one("#merge-bundles", Button).display,
    )


@run_async
async def test_an_empty_central_database_says_where_evaluations_come_from_and_merges_them(
    workspace: Any, settings: Any, db_url: str, tmp_path: Path
) -> None:
    """The QA desk's first look at its new central database is not a laptop's ("No
    evaluations on this laptop yet", "Start an evaluation"): it says the evaluations come from
    the laptops and offers the merge, which Enter opens; once merged, the list shows them."""
    made = add_evaluation(workspace, "ABC-30004")
    url = _central_with(settings, tmp_path)
    bundle = tmp_path / "laptop.qab"
    export_bundle(
        workspace.store, own_device_key(settings), settings.author, tmp_path / "qa_key.pub", bundle
    )
    app = app_for(settings, url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        title, hint, start, merge = _first_run(pilot)
        assert title == "No evaluations in the central database yet"
        assert "come from the laptops" in hint and "merge here" in hint
        assert (start, merge) == (False, True)
        assert app.focused is not None and app.focused.id == "merge-bundles"
        await pilot.press("enter")
        await settle(pilot)
        await _merge_by_keys(pilot, bundle, tmp_path / "qa_key")
        assert _text(pilot, "#merge-lines").startswith("laptop.qab: merged 1 evaluation")
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen_stack[0]
        assert app.screen is screen
        assert not screen.query_one("#first-run").display  # the list, with the merged one
        assert screen.query_one("#evaluations").display
    assert _evaluations(url) == {made}


@run_async
async def test_an_empty_laptop_still_starts_an_evaluation(
    settings: Any, db_url: str, empty_sqlite: Path
) -> None:
    import shutil

    shutil.copyfile(empty_sqlite, db_url.removeprefix("sqlite:///"))
    app = app_for(settings, db_url)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        title, hint, start, merge = _first_run(pilot)
        assert title == "No evaluations on this laptop yet"
        assert hint.startswith("Start your first evaluation")
        assert (start, merge) == (True, False)
        assert app.focused is not None and app.focused.id == "start"
