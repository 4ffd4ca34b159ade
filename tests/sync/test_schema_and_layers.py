"""The 0002 migration matches the models on both backends; the sync core stays headless."""

from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from qa_tui.store import sync_models  # noqa: F401  (the sync tables are part of the metadata)
from qa_tui.store.followup_search import is_search_object
from qa_tui.store.migrate import open_store
from qa_tui.store.models import Base
from qa_tui.store.revisions import head_revision


def test_migrations_match_models(make_db) -> None:
    store = open_store(make_db())
    try:
        with store.engine.connect() as connection:
            # The follow-through search index (0014) is made by its migration, not the models.
            context = MigrationContext.configure(
                connection, opts={"include_name": lambda name, *_: not is_search_object(name)}
            )
            diff = compare_metadata(context, Base.metadata)
    finally:
        store.dispose()
    assert diff == []
    assert head_revision() == "0025"


def test_sync_modules_never_import_textual_or_rich() -> None:
    code = (
        "import sys, qa_tui.sync.central, qa_tui.sync.direct, qa_tui.sync.conflicts, "
        "qa_tui.sync.retention, qa_tui.sync.handover, qa_tui.cli.sync; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
