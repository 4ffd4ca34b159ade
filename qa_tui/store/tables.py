"""Light handles on the tables a headless report reads, for Core queries without the models.

Importing :mod:`qa_tui.store.models` maps thirty classes (a tenth of a second, then as long
again to configure them at the first ORM query): a command that reads a few columns of a few
tables and ends — ``qa-tui report moderation`` — need not pay for it. These are names and
types only (``sqlalchemy.table``: no constraints, no mapping); the schema itself is the
models' and their migrations'. tests/unit/test_store_tables.py checks every column here against
the models' tables (same name, same kind of type), so a renamed column fails there first.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Date, String, Text, column, table

meta = table("meta", column("key", String), column("value", Text))

evaluations = table(
    "evaluations",
    column("id", String),
    column("deleted", Boolean),
    column("team", String),
    column("service_area", String),
    column("template_id", String),
    column("template_hash", String),
    column("evaluation_date", Date),
    column("demo", Boolean),
)

moderations = table(
    "moderations",
    column("id", String),
    column("deleted", Boolean),
    column("session_id", String),
    column("evaluation_id", String),
    column("moderated_on", Date),
)

moderation_judgements = table(
    "moderation_judgements",
    column("id", String),
    column("deleted", Boolean),
    column("moderation_id", String),
    column("item_id", String),
    column("auditor_grade", String),
    column("moderated_grade", String),
)

moderation_sessions = table(
    "moderation_sessions",
    column("id", String),
    column("deleted", Boolean),
    column("held_on", Date),
    column("title", String),
)

session_moderators = table(
    "session_moderators",
    column("id", String),
    column("deleted", Boolean),
    column("name", String),
)

blind_grades = table(
    "blind_grades",
    column("id", String),
    column("deleted", Boolean),
    column("session_id", String),
    column("moderator_id", String),
    column("target_evaluation_id", String),
    column("item_id", String),
    column("grade", String),
)

blind_units = table(
    "blind_units",
    column("session_id", String),
    column("target_evaluation_id", String),
    column("item_id", String),
    column("grades", Text),
    column("graders", Text),
)

template_snapshots = table(
    "template_snapshots",
    column("content_hash", String),
    column("source_text", Text),
)

TABLES = (
    meta,
    evaluations,
    moderations,
    moderation_judgements,
    moderation_sessions,
    session_moderators,
    blind_grades,
    blind_units,
    template_snapshots,
)
