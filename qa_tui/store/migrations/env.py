"""Alembic environment: run programmatically by :mod:`qa_tui.store.migrate`."""

from __future__ import annotations

from alembic import context

from qa_tui.store import sync_models  # noqa: F401  (registers the sync tables)
from qa_tui.store.models import Base

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies the table
)
with context.begin_transaction():
    context.run_migrations()
