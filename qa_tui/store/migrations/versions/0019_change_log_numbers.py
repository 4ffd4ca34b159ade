"""the change log's record types, field names and wall times as numbers, and the field states'
record and winner ids in 16 bytes (SQLite) or as ``uuid`` (PostgreSQL): a record type or field
name is its position in ``qa_tui.store.codes`` (a ``SMALLINT``), a wall time its milliseconds
since 1970 (a ``BIGINT``) — ~30 of a change's bytes and ~50 of a field state's

Revision ID: 0019
Revises: 0018
"""

from typing import Any

from alembic import op

from qa_tui.clock import millis_stamp, stamp_millis
from qa_tui.errors import StoreError
from qa_tui.ids import id_bytes, id_text
from qa_tui.store.codes import FIELD_NAMES, RECORD_TYPES

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_CHANGE_COLUMNS = (
    "id, entity_type, entity_id, evaluation_id, field, value, old_value, supersedes, author, "
    "device_id, counter, wall_time, bundle_id"
)
_STATE_COLUMNS = 'entity_id, field, entity_type, evaluation_id, heads, winner_id, "conflict"'
_DELETED = FIELD_NAMES.index("_deleted")


def _changes_table(name: str, kinds: dict[str, str]) -> str:
    return f"""CREATE TABLE {name} (
	id BLOB NOT NULL,
	entity_type {kinds["type"]} NOT NULL,
	entity_id BLOB NOT NULL,
	evaluation_id BLOB NOT NULL,
	field {kinds["field"]} NOT NULL,
	value TEXT NOT NULL,
	old_value TEXT,
	supersedes TEXT NOT NULL,
	author VARCHAR(200) NOT NULL,
	device_id BLOB NOT NULL,
	counter INTEGER NOT NULL,
	wall_time {kinds["time"]} NOT NULL,
	bundle_id BLOB,
	CONSTRAINT pk_changes PRIMARY KEY (evaluation_id, entity_id, field, id)
) WITHOUT ROWID"""


def _states_table(name: str, kinds: dict[str, str]) -> str:
    return f"""CREATE TABLE {name} (
	entity_id {kinds["id"]} NOT NULL,
	field {kinds["field"]} NOT NULL,
	entity_type {kinds["type"]} NOT NULL,
	evaluation_id VARCHAR(36) NOT NULL,
	heads TEXT,
	winner_id {kinds["id"]} NOT NULL,
	"conflict" BOOLEAN NOT NULL,
	PRIMARY KEY (entity_id, field)
) WITHOUT ROWID"""


def _number(names: tuple[str, ...]) -> Any:
    """A name's number (every name is known: :func:`_check_names` looked first)."""
    codes = {name: n for n, name in enumerate(names)}
    return lambda value: value if isinstance(value, int) else codes[value]


def _name(names: tuple[str, ...]) -> Any:
    return lambda value: value if isinstance(value, str) else names[value]


def _millis(value: Any) -> Any:
    """A wall time's milliseconds. Every wall time qa-tui wrote is UTC to the millisecond;
    one received before 0019 was only checked to be short text, so one without an offset is
    taken as UTC, and one that is no time at all (only a forged change could hold it) as 1970,
    rather than stopping the upgrade (a wall time is shown, never compared by a merge)."""
    if isinstance(value, int):
        return value
    try:
        return stamp_millis(value)
    except ValueError:
        try:
            return stamp_millis(f"{value}+00:00")
        except ValueError:
            return 0


def _stamp(value: Any) -> Any:
    return value if isinstance(value, str) else millis_stamp(value)


def _on_sqlite(up: bool) -> None:
    """SQLite: the conversions as SQL functions on the migration's connection (a value already
    of the kind wanted stays as it is: a test may write rows of the new kind into an old
    schema), then both tables rebuilt and their indexes made again."""
    raw: Any = op.get_bind().connection.driver_connection
    functions = {
        "qa_type": _number(RECORD_TYPES) if up else _name(RECORD_TYPES),
        "qa_field": _number(FIELD_NAMES) if up else _name(FIELD_NAMES),
        "qa_time": _millis if up else _stamp,
        "qa_id": _id_bytes if up else _id_text,
    }
    for name, function in functions.items():
        raw.create_function(name, 1, function, deterministic=True)
    _rebuild_sqlite(_NEW if up else _OLD)
    _state_indexes(str(_DELETED) if up else "'_deleted'")


def _id_bytes(value: Any) -> Any:
    return value if isinstance(value, bytes) else id_bytes(value)


def _id_text(value: Any) -> Any:
    return value if isinstance(value, str) else id_text(value)


_NEW = {"type": "SMALLINT", "field": "SMALLINT", "time": "BIGINT", "id": "BLOB"}
_OLD = {"type": "VARCHAR(32)", "field": "VARCHAR(64)", "time": "VARCHAR(32)", "id": "VARCHAR(36)"}


def _rebuild_sqlite(kinds: dict[str, str]) -> None:
    op.execute(_changes_table("changes_new", kinds))
    converted = _CHANGE_COLUMNS.replace("entity_type", "qa_type(entity_type)")
    converted = converted.replace(" field,", " qa_field(field),")
    converted = converted.replace("wall_time", "qa_time(wall_time)")
    # In key order (the field's number sorts as its name did): written page after page.
    op.execute(
        f"INSERT INTO changes_new ({_CHANGE_COLUMNS}) SELECT {converted} FROM changes "
        "ORDER BY evaluation_id, entity_id, field, id"
    )
    op.execute("DROP TABLE changes")
    op.execute("ALTER TABLE changes_new RENAME TO changes")
    op.drop_index("ix_field_states_conflicts", table_name="field_states")
    op.drop_index("ix_field_states_deletions", table_name="field_states")
    op.execute(_states_table("field_states_new", kinds))
    op.execute(
        f"INSERT INTO field_states_new ({_STATE_COLUMNS}) SELECT qa_id(entity_id), "
        "qa_field(field), qa_type(entity_type), evaluation_id, heads, qa_id(winner_id), "
        '"conflict" FROM field_states ORDER BY qa_id(entity_id), qa_field(field)'
    )
    op.execute("DROP TABLE field_states")
    op.execute("ALTER TABLE field_states_new RENAME TO field_states")


def _state_indexes(deleted: str) -> None:
    op.execute(
        'CREATE INDEX ix_field_states_conflicts ON field_states (evaluation_id) WHERE "conflict"'
        + (" = 1" if op.get_bind().dialect.name == "sqlite" else "")
    )
    op.execute(
        "CREATE INDEX ix_field_states_deletions ON field_states (evaluation_id) "
        f"WHERE field = {deleted}"
    )


def _array(names: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{name}'" for name in names) + "]::text[]"


def upgrade() -> None:
    _check_names()
    if op.get_bind().dialect.name == "sqlite":
        _on_sqlite(up=True)
        return
    types, fields = _array(RECORD_TYPES), _array(FIELD_NAMES)
    epoch = "extract(epoch FROM {c}::timestamptz) * 1000"
    op.execute(
        "ALTER TABLE changes DROP CONSTRAINT pk_changes, "
        f"ALTER COLUMN entity_type TYPE smallint USING array_position({types}, entity_type) - 1, "
        f"ALTER COLUMN field TYPE smallint USING array_position({fields}, field) - 1, "
        f"ALTER COLUMN wall_time TYPE bigint USING ({epoch.format(c='wall_time')})::bigint, "
        "ADD CONSTRAINT pk_changes PRIMARY KEY (evaluation_id, entity_id, field, id)"
    )
    op.drop_index("ix_field_states_deletions", table_name="field_states")
    op.execute(
        "ALTER TABLE field_states "
        f"ALTER COLUMN entity_type TYPE smallint USING array_position({types}, entity_type) - 1, "
        f"ALTER COLUMN field TYPE smallint USING array_position({fields}, field) - 1, "
        "ALTER COLUMN entity_id TYPE uuid USING entity_id::uuid, "
        "ALTER COLUMN winner_id TYPE uuid USING winner_id::uuid"
    )
    op.execute(
        "CREATE INDEX ix_field_states_deletions ON field_states (evaluation_id) "
        f"WHERE field = {_DELETED}"
    )


def _check_names() -> None:
    """Refuse (naming it) a record type or field name with no number, before any table is
    touched (else SQLite's conversion would fail without saying which, and PostgreSQL's
    ``array_position`` give NULL to a ``NOT NULL`` column)."""
    bind = op.get_bind()
    for column, names, what in (
        ("entity_type", RECORD_TYPES, "record type"),
        ("field", FIELD_NAMES, "field"),
    ):
        for table in ("changes", "field_states"):
            found = bind.exec_driver_sql(f"SELECT DISTINCT {column} FROM {table}").scalars()
            unknown = sorted(set(found) - set(names))
            if unknown:
                raise StoreError(
                    f"the change log names a {what} this version of qa-tui does not know "
                    f"({str(unknown[0])[:40]!r}); the database was not upgraded"
                )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _on_sqlite(up=False)
        return
    types, fields = _array(RECORD_TYPES), _array(FIELD_NAMES)
    # Whole milliseconds added to the epoch (a timestamp's arithmetic is exact), as UTC text.
    stamp = (
        "to_char((timestamptz 'epoch' + {c} * interval '1 millisecond') AT TIME ZONE 'UTC', "
        '\'YYYY-MM-DD"T"HH24:MI:SS.MS"+00:00"\')'
    )
    op.execute(
        "ALTER TABLE changes DROP CONSTRAINT pk_changes, "
        f"ALTER COLUMN entity_type TYPE VARCHAR(32) USING ({types})[entity_type + 1], "
        f"ALTER COLUMN field TYPE VARCHAR(64) USING ({fields})[field + 1], "
        f"ALTER COLUMN wall_time TYPE VARCHAR(32) USING {stamp.format(c='wall_time')}, "
        "ADD CONSTRAINT pk_changes PRIMARY KEY (evaluation_id, entity_id, field, id)"
    )
    op.drop_index("ix_field_states_deletions", table_name="field_states")
    op.execute(
        "ALTER TABLE field_states "
        f"ALTER COLUMN entity_type TYPE VARCHAR(32) USING ({types})[entity_type + 1], "
        f"ALTER COLUMN field TYPE VARCHAR(64) USING ({fields})[field + 1], "
        "ALTER COLUMN entity_id TYPE VARCHAR(36) USING entity_id::text, "
        "ALTER COLUMN winner_id TYPE VARCHAR(36) USING winner_id::text"
    )
    op.execute(
        "CREATE INDEX ix_field_states_deletions ON field_states (evaluation_id) "
        "WHERE field = '_deleted'"
    )
