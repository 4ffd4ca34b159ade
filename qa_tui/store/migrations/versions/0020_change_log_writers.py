"""the change log's author and device as one small number: a new ``writers`` table holds each
(author, device id) pair once, and every change names its writer's number (``writer_id``)
instead of repeating a name of up to 200 characters and a 16-byte device id — ~4 KB an
evaluation; a database holds a handful of writers

Revision ID: 0020
Revises: 0019
"""

from alembic import op

from qa_tui.errors import StoreError

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

# The columns both tables share, in order; a change's writer goes between them.
_BEFORE = "id, entity_type, entity_id, evaluation_id, field, value, old_value, supersedes"
_AFTER = "counter, wall_time, bundle_id"
_KEY = "evaluation_id, entity_id, field, id"


def _kinds() -> dict[str, str]:
    if op.get_bind().dialect.name == "sqlite":
        return {"id": "BLOB", "writer": "INTEGER NOT NULL", "serial": "INTEGER NOT NULL"}
    return {"id": "UUID", "writer": "INTEGER NOT NULL", "serial": "SERIAL NOT NULL"}


def _changes_table(name: str, writer: str) -> str:
    """The change log (0019's columns) with ``writer`` — its writer's columns — in place of
    the author's and device's. On SQLite ``WITHOUT ROWID`` and keyed as made; on PostgreSQL
    keyed once its rows are in (:func:`_keyed`: one index build instead of a row at a time)."""
    kind = _kinds()["id"]
    sqlite = op.get_bind().dialect.name == "sqlite"
    key = f",\n\tCONSTRAINT pk_changes PRIMARY KEY ({_KEY})" if sqlite else ""
    return f"""CREATE TABLE {name} (
	id {kind} NOT NULL,
	entity_type SMALLINT NOT NULL,
	entity_id {kind} NOT NULL,
	evaluation_id {kind} NOT NULL,
	field SMALLINT NOT NULL,
	value TEXT NOT NULL,
	old_value TEXT,
	supersedes TEXT NOT NULL,
	{writer},
	counter INTEGER NOT NULL,
	wall_time BIGINT NOT NULL,
	bundle_id {kind}{key}
){" WITHOUT ROWID" if sqlite else ""}"""


def _selected(writer: str) -> str:
    """The change log's columns read from ``changes c``, with ``writer`` (columns of
    ``writers w``) in the writer's place."""
    ours = [f"c.{name}" for name in f"{_BEFORE}, {_AFTER}".split(", ")]
    at = len(_BEFORE.split(", "))
    return ", ".join([*ours[:at], writer, *ours[at:]])


def _keyed() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(f"ALTER TABLE changes ADD CONSTRAINT pk_changes PRIMARY KEY ({_KEY})")


def _count() -> int:
    return int(op.get_bind().exec_driver_sql("SELECT count(*) FROM changes").scalar() or 0)


def _replace_changes(select: str, before: int) -> None:
    """``changes_new`` filled by ``select`` (in key order: written page after page) becomes
    the change log, if it holds every change (else the upgrade stops, the transaction undone)."""
    op.execute(
        f"INSERT INTO changes_new {select} ORDER BY c.evaluation_id, c.entity_id, c.field, c.id"
    )
    after = int(op.get_bind().exec_driver_sql("SELECT count(*) FROM changes_new").scalar() or 0)
    if after != before:
        raise StoreError(
            f"the change log's {before} changes became {after} when its writers were numbered; "
            "the database was not upgraded"
        )
    op.execute("DROP TABLE changes")
    op.execute("ALTER TABLE changes_new RENAME TO changes")
    _keyed()


def _check_writers() -> None:
    """Refuse (saying why) a change without an author or device, or with a name longer than a
    writer's (200 characters; only a forged change could hold one: a merge checks), before any
    table is touched."""
    bad = op.get_bind().exec_driver_sql(
        "SELECT count(*) FROM changes WHERE author IS NULL OR device_id IS NULL "
        "OR length(author) > 200"
    )
    if int(bad.scalar() or 0):
        raise StoreError(
            "the change log holds a change without an author or device, or with an author's "
            "name longer than 200 characters; the database was not upgraded"
        )


def upgrade() -> None:
    _check_writers()
    before = _count()
    kinds = _kinds()
    op.execute(
        f"""CREATE TABLE writers (
	id {kinds["serial"]},
	author VARCHAR(200) NOT NULL,
	device_id {kinds["id"]} NOT NULL,
	CONSTRAINT pk_writers PRIMARY KEY (id),
	CONSTRAINT uq_writers UNIQUE (author, device_id)
)"""
    )
    op.execute(
        "INSERT INTO writers (author, device_id) "
        "SELECT DISTINCT author, device_id FROM changes ORDER BY author, device_id"
    )
    op.execute(_changes_table("changes_new", f"writer_id {kinds['writer']}"))
    _replace_changes(
        f"({_BEFORE}, writer_id, {_AFTER}) SELECT {_selected('w.id')} FROM changes c "
        "JOIN writers w ON w.author = c.author AND w.device_id = c.device_id",
        before,
    )


def downgrade() -> None:
    before = _count()
    kinds = _kinds()
    device = "BLOB" if kinds["id"] == "BLOB" else "UUID"
    op.execute(
        _changes_table(
            "changes_new", f"author VARCHAR(200) NOT NULL,\n\tdevice_id {device} NOT NULL"
        )
    )
    _replace_changes(
        f"({_BEFORE}, author, device_id, {_AFTER}) "
        f"SELECT {_selected('w.author, w.device_id')} FROM changes c "
        "JOIN writers w ON w.id = c.writer_id",
        before,
    )
    op.execute("DROP TABLE writers")
