"""follow-through search: a trigram index over the words the actions tracker filters by, so a
filter word that few actions match finds them at once instead of walking every action

SQLite: two FTS5 tables (``tokenize='trigram'``, external content: they store only the index,
reading the text from ``actions`` and ``evaluations``), kept in step by triggers on every
insert, delete and update of the indexed columns — whichever code path writes (the app, a
bulk insert, a merge, a purge). PostgreSQL: ``pg_trgm`` GIN indexes, when the server lets the
extension be created; a server without it keeps working, walking the actions as before.
``store/followup_search.py`` uses them, once it has seen they are there.

Revision ID: 0014
Revises: 0012
"""

from alembic import op
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

# name of the FTS5 table -> (content table, indexed columns)
SQLITE_TABLES = {
    "action_search": ("actions", ("owner", "description")),
    "evaluation_search": ("evaluations", ("case_reference", "team", "service_area")),
}
PG_INDEXES = {
    "ix_actions_owner_trgm": ("actions", "owner"),
    "ix_actions_description_trgm": ("actions", "description"),
    "ix_evaluations_case_trgm": ("evaluations", "case_reference"),
    "ix_evaluations_team_trgm": ("evaluations", "team"),
    "ix_evaluations_area_trgm": ("evaluations", "service_area"),
}


def _sqlite_triggers(fts: str, table: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.rowid, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.rowid, {old});"
    return [
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} BEGIN {delete} {insert} END",
    ]


def _has_fts5() -> bool:
    found = op.get_bind().exec_driver_sql("PRAGMA compile_options").scalars().all()
    return "ENABLE_FTS5" in found


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        if not _has_fts5():
            return  # an SQLite built without FTS5: the tracker walks the actions as before
        for fts, (table, columns) in SQLITE_TABLES.items():
            op.execute(
                f"CREATE VIRTUAL TABLE {fts} USING fts5({', '.join(columns)}, "
                f"content='{table}', tokenize='trigram', detail='none', columnsize=0)"
            )
            for sql in _sqlite_triggers(fts, table, columns):
                op.execute(sql)
            op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        # A stock server may refuse the extension (not installed, or not ours to create):
        # then no index, and the same queries walk as before.
        savepoint = bind.begin_nested()
        try:
            bind.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        except DBAPIError:  # not installed, or not ours to create: no trigram index
            savepoint.rollback()
            return
        savepoint.commit()
        for name, (table, column) in PG_INDEXES.items():
            op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for fts in SQLITE_TABLES:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    elif bind.dialect.name == "postgresql":
        for name in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
