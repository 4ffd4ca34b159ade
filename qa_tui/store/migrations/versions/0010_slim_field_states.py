"""field states slimmed: a field with one head (almost every field) stores no ``heads`` list
(NULL: the winner alone, instead of repeating its id), and on SQLite the table is WITHOUT
ROWID (its key is the table: no separate index repeating the key); the hand-over mark (meta
``handed_over``) set to the clock: nothing made before may be amended

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# A head list of one id is exactly the winner's id in brackets and quotes (ids are plain).
_SINGLE = "heads = '[\"' || winner_id || '\"]'"

_SQLITE_TABLE = """CREATE TABLE {name} (
	entity_id VARCHAR(36) NOT NULL,
	field VARCHAR(64) NOT NULL,
	entity_type VARCHAR(32) NOT NULL,
	evaluation_id VARCHAR(36) NOT NULL,
	heads TEXT{heads_null},
	winner_id VARCHAR(36) NOT NULL,
	"conflict" BOOLEAN NOT NULL,
	PRIMARY KEY (entity_id, field)
){rowid}"""


def _rebuild_sqlite(heads: str, heads_null: str, rowid: str) -> None:
    """Copy field_states into a new table of the given shape (SQLite cannot alter one)."""
    op.drop_index("ix_field_states_conflicts", table_name="field_states")
    op.execute(_SQLITE_TABLE.format(name="field_states_new", heads_null=heads_null, rowid=rowid))
    op.execute(
        "INSERT INTO field_states_new (entity_id, field, entity_type, evaluation_id, heads, "
        f'winner_id, "conflict") SELECT entity_id, field, entity_type, evaluation_id, {heads}, '
        'winner_id, "conflict" FROM field_states ORDER BY entity_id, field'
    )
    op.execute("DROP TABLE field_states")
    op.execute("ALTER TABLE field_states_new RENAME TO field_states")
    _conflicts_index()


def _conflicts_index() -> None:
    op.create_index(
        "ix_field_states_conflicts",
        "field_states",
        ["evaluation_id"],
        sqlite_where=sa.text('"conflict" = 1'),
        postgresql_where=sa.text("conflict"),
    )


def upgrade() -> None:
    # The line after which a local change may be amended (qa_tui.store.handed_over): every
    # change already here may have left in a bundle or a sync, so the mark is today's clock.
    op.execute(
        "INSERT INTO meta (key, value) SELECT 'handed_over', "
        "'{\"mark\": ' || COALESCE((SELECT value FROM meta WHERE key = 'clock'), '0') || "
        "', \"running\": []}' WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'handed_over')"
    )
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(f"CASE WHEN {_SINGLE} THEN NULL ELSE heads END", "", " WITHOUT ROWID")
        return
    op.alter_column("field_states", "heads", existing_type=sa.Text(), nullable=True)
    op.execute(f"UPDATE field_states SET heads = NULL WHERE {_SINGLE}")


def downgrade() -> None:
    op.execute("DELETE FROM meta WHERE key = 'handed_over'")
    full = "COALESCE(heads, '[\"' || winner_id || '\"]')"
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_sqlite(full, " NOT NULL", "")
        return
    op.execute(f"UPDATE field_states SET heads = {full} WHERE heads IS NULL")
    op.alter_column("field_states", "heads", existing_type=sa.Text(), nullable=False)
