"""the links between changes keyed by their aggregate first, as the change log is: a link is
``(evaluation_id, change_id, supersedes_id)``. A change is one of its aggregate's (nothing
finds a change by its id alone, and nothing refuses one change id in two aggregates), so a link
named by change ids alone could be read as another aggregate's: links a bundle brought for its
own evaluation, between change ids reused from another one, were that other evaluation's too
when it was re-derived or exported. The links are made again from the changes' ``supersedes``
lists (which they mirror: every bundle is checked for it), each with its change's aggregate.

Revision ID: 0024
Revises: 0023
"""

from typing import Any

from alembic import op

from qa_tui.ids import id_bytes

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _sqlite_table(name: str, aggregate: bool) -> str:
    key = "evaluation_id, change_id, supersedes_id" if aggregate else "change_id, supersedes_id"
    first = "evaluation_id BLOB NOT NULL,\n\t" if aggregate else ""
    name_key = "CONSTRAINT pk_change_links " if aggregate else ""
    return f"""CREATE TABLE {name} (
	{first}change_id BLOB NOT NULL,
	supersedes_id BLOB NOT NULL,
	{name_key}PRIMARY KEY ({key})
) WITHOUT ROWID"""


def _register_id_bytes() -> None:
    """SQLite: ``qa_id(text)``, a change id's 16 bytes (the ``supersedes`` lists hold text)."""
    raw: Any = op.get_bind().connection.driver_connection

    def qa_id(value: Any) -> Any:
        return value if value is None or isinstance(value, bytes) else id_bytes(value)

    raw.create_function("qa_id", 1, qa_id, deterministic=True)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _register_id_bytes()
        op.execute(_sqlite_table("change_links_new", aggregate=True))
        op.execute(
            "INSERT INTO change_links_new (evaluation_id, change_id, supersedes_id) "
            "SELECT DISTINCT c.evaluation_id, c.id, qa_id(s.value) "
            "FROM changes AS c, json_each(c.supersedes) AS s WHERE c.supersedes <> '[]' "
            "ORDER BY 1, 2, 3"
        )
    else:
        op.execute(
            "CREATE TABLE change_links_new (evaluation_id uuid NOT NULL, "
            "change_id uuid NOT NULL, supersedes_id uuid NOT NULL, "
            "CONSTRAINT pk_change_links PRIMARY KEY (evaluation_id, change_id, supersedes_id))"
        )
        op.execute(
            "INSERT INTO change_links_new (evaluation_id, change_id, supersedes_id) "
            "SELECT DISTINCT c.evaluation_id, c.id, s.value::uuid "
            "FROM changes AS c CROSS JOIN LATERAL json_array_elements_text(c.supersedes::json) "
            "AS s(value) WHERE c.supersedes <> '[]'"
        )
    op.execute("DROP TABLE change_links")
    op.execute("ALTER TABLE change_links_new RENAME TO change_links")
    op.create_index(
        "ix_change_links_superseded", "change_links", ["evaluation_id", "supersedes_id"]
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_sqlite_table("change_links_old", aggregate=False))
    else:
        op.execute(
            "CREATE TABLE change_links_old (change_id uuid NOT NULL, supersedes_id uuid NOT NULL, "
            "CONSTRAINT change_links_pkey PRIMARY KEY (change_id, supersedes_id))"
        )
    op.execute(
        "INSERT INTO change_links_old (change_id, supersedes_id) "
        "SELECT DISTINCT change_id, supersedes_id FROM change_links ORDER BY 1, 2"
    )
    op.execute("DROP TABLE change_links")
    op.execute("ALTER TABLE change_links_old RENAME TO change_links")
    op.create_index("ix_change_links_superseded", "change_links", ["supersedes_id"])
