"""the change log's ids in 16 bytes (SQLite) or as ``uuid`` (PostgreSQL) instead of 36
characters of text, and the change log keyed by aggregate, record, field and id — on SQLite a
``WITHOUT ROWID`` table, so its key is the table and the two indexes that repeated it (the
change id's, the aggregate's) are gone; the links between changes the same way

Revision ID: 0016
Revises: 0015
"""

from typing import Any

from alembic import op

from qa_tui.ids import id_bytes, id_text

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_CHANGE_COLUMNS = (
    "id, entity_type, entity_id, evaluation_id, field, value, old_value, supersedes, author, "
    "device_id, counter, wall_time, bundle_id"
)


def _changes_table(name: str, kind: str, key: str, rowid: str) -> str:
    return f"""CREATE TABLE {name} (
	id {kind} NOT NULL,
	entity_type VARCHAR(32) NOT NULL,
	entity_id {kind} NOT NULL,
	evaluation_id {kind} NOT NULL,
	field VARCHAR(64) NOT NULL,
	value TEXT NOT NULL,
	old_value TEXT,
	supersedes TEXT NOT NULL,
	author VARCHAR(200) NOT NULL,
	device_id {kind} NOT NULL,
	counter INTEGER NOT NULL,
	wall_time VARCHAR(32) NOT NULL,
	bundle_id {kind},
	{key}
){rowid}"""


def _links_table(name: str, kind: str, rowid: str) -> str:
    return f"""CREATE TABLE {name} (
	change_id {kind} NOT NULL,
	supersedes_id {kind} NOT NULL,
	PRIMARY KEY (change_id, supersedes_id)
){rowid}"""


def _register(convert: Any, done: type) -> None:
    """SQLite: the id conversion as an SQL function ``qa_id`` on the migration's connection
    (SQLite has no function of its own for it). A value already of the new kind (``done``)
    stays as it is (a migration cut short and run again finds its tables as they were, but a
    test may write rows of the new kind into an old schema)."""
    raw: Any = op.get_bind().connection.driver_connection

    def qa_id(value: Any) -> Any:
        return value if value is None or isinstance(value, done) else convert(value)

    raw.create_function("qa_id", 1, qa_id, deterministic=True)


def _rebuild_sqlite(kind: str, key: str, rowid: str, order: str) -> None:
    columns = _CHANGE_COLUMNS.split(", ")
    converted = ", ".join(
        f"qa_id({c})" if c in {"id", "entity_id", "evaluation_id", "device_id", "bundle_id"} else c
        for c in columns
    )
    op.execute(_changes_table("changes_new", kind, key, rowid))
    op.execute(
        f"INSERT INTO changes_new ({_CHANGE_COLUMNS}) SELECT {converted} FROM changes "
        f"ORDER BY {order}"
    )
    op.execute("DROP TABLE changes")
    op.execute("ALTER TABLE changes_new RENAME TO changes")
    op.execute(_links_table("change_links_new", kind, rowid))
    op.execute(
        "INSERT INTO change_links_new (change_id, supersedes_id) "
        "SELECT qa_id(change_id), qa_id(supersedes_id) FROM change_links "
        "ORDER BY change_id, supersedes_id"
    )
    op.execute("DROP TABLE change_links")
    op.execute("ALTER TABLE change_links_new RENAME TO change_links")
    op.create_index("ix_change_links_superseded", "change_links", ["supersedes_id"])


_NEW_KEY = "CONSTRAINT pk_changes PRIMARY KEY (evaluation_id, entity_id, field, id)"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _register(id_bytes, bytes)
        # In key order: each table written page after page (the copy's cost is one pass).
        _rebuild_sqlite("BLOB", _NEW_KEY, " WITHOUT ROWID", "evaluation_id, entity_id, field, id")
        return
    op.drop_index("ix_changes_aggregate_entity_field", table_name="changes")
    op.execute("ALTER TABLE changes DROP CONSTRAINT changes_pkey")
    op.execute(
        "ALTER TABLE changes "
        + ", ".join(
            f"ALTER COLUMN {c} TYPE uuid USING {c}::uuid"
            for c in ("id", "entity_id", "evaluation_id", "device_id", "bundle_id")
        )
    )
    op.execute(f"ALTER TABLE changes ADD {_NEW_KEY}")
    op.execute(
        "ALTER TABLE change_links ALTER COLUMN change_id TYPE uuid USING change_id::uuid, "
        "ALTER COLUMN supersedes_id TYPE uuid USING supersedes_id::uuid"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _register(id_text, str)
        _rebuild_sqlite("VARCHAR(36)", "PRIMARY KEY (id)", "", "id")
        op.create_index(
            "ix_changes_aggregate_entity_field", "changes", ["evaluation_id", "entity_id", "field"]
        )
        return
    op.execute("ALTER TABLE changes DROP CONSTRAINT pk_changes")
    op.execute(
        "ALTER TABLE changes "
        + ", ".join(
            f"ALTER COLUMN {c} TYPE VARCHAR(36) USING {c}::text"
            for c in ("id", "entity_id", "evaluation_id", "device_id", "bundle_id")
        )
    )
    op.execute("ALTER TABLE changes ADD CONSTRAINT changes_pkey PRIMARY KEY (id)")
    op.create_index(
        "ix_changes_aggregate_entity_field", "changes", ["evaluation_id", "entity_id", "field"]
    )
    op.execute(
        "ALTER TABLE change_links ALTER COLUMN change_id TYPE VARCHAR(36) USING change_id::text, "
        "ALTER COLUMN supersedes_id TYPE VARCHAR(36) USING supersedes_id::text"
    )
