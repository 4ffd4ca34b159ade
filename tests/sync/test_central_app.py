"""``qa-tui --db URL`` on a central database (SQLite and PostgreSQL) works as on a laptop: the
merged evaluations are listed, and one opens to its summary with its moderation."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from qa_tui.domain import moderation as mod
from qa_tui.framework.model import ItemKind
from qa_tui.store.history import Actor
from qa_tui.tui.app import make_app
from qa_tui.tui.screens.summary import SummaryScreen
from tests.conftest import frozen_clock
from tests.sync.helpers import TEMPLATE, Laptop, make_central
from tests.sync.test_retention_and_sync import _complete, laptop_settings
from tests.tui.test_app_shell import SIZE, run_async, settle, table_cells


@run_async
async def test_the_app_opens_a_central_database(
    make_db: Any, tmp_path: Path, settings: Any
) -> None:
    from qa_tui.sync.direct import sync_now

    laptops = [Laptop(make_db(), tmp_path, f"Auditor {n}") for n in (1, 2)]
    central = make_central(make_db(), tmp_path / "qa.key", *laptops)
    for n, laptop in enumerate(laptops, start=1):
        evaluation_id = laptop.new_evaluation(f"LCS-70000{n}")
        _complete(laptop, evaluation_id)
        sync_now(laptop.store, laptop_settings(laptop, settings), central.url)
    graded = TEMPLATE.items(ItemKind.GRADE)[0].id
    with central.session() as s:
        qa = Actor("Sam Moderator", str(uuid.uuid4()))
        mid = mod.start_moderation(s, qa, evaluation_id, "Sam Moderator", "PSW", "2026-11-30")
        mod.judge(s, qa, TEMPLATE, mid, graded, "good", "Clear analysis.")
    url = central.url
    for store in (central, *(laptop.store for laptop in laptops)):
        store.dispose()
    app = make_app(settings, db_url=url, clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert sorted(table_cells(app, "case")) == ["LCS-700001", "LCS-700002"]
        assert table_cells(app, "status") == ["Completed", "Completed"]
        if table_cells(app, "case")[0] != "LCS-700002":
            await pilot.press("ctrl+r")  # reverse the sort: the moderated one first
            await settle(pilot)
        assert table_cells(app, "case")[0] == "LCS-700002"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SummaryScreen)
        page = [str(s.render()) for s in app.screen.query(".block")]
    assert "Case LCS-700002" in page
    assert "Moderated by Sam Moderator, PSW on 2026-11-30" in page
    assert "Clear analysis." in page
