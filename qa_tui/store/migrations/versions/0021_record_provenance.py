"""what the current state and the change log repeated of who made what, kept once:

* the current-state records keep only the provenance their readers need: who made a record,
  on which device and when, and when it last changed, are its history's (its creation's
  winner, its latest change), and every record repeated them — ~3.8 KB an evaluation, most
  of it in responses, entries and judgements nothing reads them from. The roots of
  aggregates keep all four; a table whose records are shown or ordered by when they were
  made keeps ``created_at``; lifecycle events and action updates keep ``created_by``
  (shown); the rest are dropped;
* a change received names the bundle or sync that brought it by a small number, its
  ``sources`` row's, where it repeated the bundle's 16-byte id (~2.3 KB an evaluation);
* a record's creation names the aggregate it belongs to, whose id its change holds already:
  the change log keeps a mark (``"":0``, an empty key no creation has) in the id's place
  (~1.9 KB an evaluation; ``qa_tui.store.models.kept_value``)

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Iterator
from itertools import groupby
from typing import Any

from alembic import op
from sqlalchemy import text

from qa_tui.clock import millis_stamp
from qa_tui.errors import StoreError
from qa_tui.ids import id_text
from qa_tui.store.codes import FIELD_NAMES, RECORD_TYPES

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_BY, _DEVICE, _AT, _UPDATED = "created_by", "created_device", "created_at", "updated_at"
_ALL = (_BY, _DEVICE, _AT, _UPDATED)
_BUT_WHEN = (_BY, _DEVICE, _UPDATED)
# Each table, its record type and the columns it stops keeping (as 0020 made them: on
# SQLite and PostgreSQL alike, VARCHAR(200), VARCHAR(36) and VARCHAR(32)s, NOT NULL).
_DROPPED: dict[str, tuple[str, tuple[str, ...]]] = {
    "participants": ("participant", _BUT_WHEN),
    "responses": ("response", _ALL),
    "entries": ("entry", _ALL),
    "scales": ("scale", _BUT_WHEN),
    "feedback": ("feedback", _BUT_WHEN),
    "actions": ("action", _BUT_WHEN),
    "action_updates": ("action_update", (_DEVICE, _AT, _UPDATED)),
    "concern_shares": ("concern_share", _BUT_WHEN),
    "concern_events": ("concern_event", _BUT_WHEN),
    "summary_shares": ("summary_share", _BUT_WHEN),
    "lifecycle_events": ("lifecycle_event", (_DEVICE, _UPDATED)),
    "moderations": ("moderation", _BUT_WHEN),
    "moderation_judgements": ("moderation_judgement", _ALL),
    "session_moderators": ("session_moderator", _ALL),
    "blind_grades": ("blind_grade", _ALL),
    "plan_members": ("plan_member", _ALL),
    "allocations": ("allocation", _ALL),
    "board_action_updates": ("board_action_update", _BUT_WHEN),
}
_KINDS = {_BY: "VARCHAR(200)", _DEVICE: "VARCHAR(36)", _AT: "VARCHAR(32)", _UPDATED: "VARCHAR(32)"}
_CREATE = FIELD_NAMES.index("_create")
_WINNER = text(f"SELECT winner_id FROM field_states WHERE entity_id = :e AND field = {_CREATE}")


def _scalar(sql: str) -> int:
    return int(op.get_bind().exec_driver_sql(sql).scalar() or 0)


def _counts() -> dict[str, int]:
    return {table: _scalar(f"SELECT count(*) FROM {table}") for table in _DROPPED}


def _check_counts(before: dict[str, int], what: str) -> None:
    after = _counts()
    for table, count in before.items():
        if after[table] != count:
            raise StoreError(
                f"the {table} table's {count} records became {after[table]} when {what}; "
                "the database was not upgraded"
            )


def upgrade() -> None:
    # A record whose creation the change log lacks (only a damaged or hand-made database holds
    # one) loses its copy too: nothing reads these columns of these tables, and
    # ``check_consistency`` names such a record either way. A downgrade gives it empty ones.
    counts = _counts()
    _number_sources()
    for table, (_type, columns) in _DROPPED.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    _check_counts(counts, "their provenance was dropped")


# --- the change log's sources -----------------------------------------------------------

# The change log's columns before its source, as 0020 made them.
_COLUMNS = (
    "id, entity_type, entity_id, evaluation_id, field, value, old_value, supersedes, "
    "writer_id, counter, wall_time"
)
_KEY = "evaluation_id, entity_id, field, id"


def _id_kind() -> str:
    return "BLOB" if op.get_bind().dialect.name == "sqlite" else "UUID"


def _changes_table(source: str) -> str:
    """The change log (0020's columns) with ``source`` — its source's column — in place of
    its bundle's. On SQLite ``WITHOUT ROWID`` and keyed as made; on PostgreSQL keyed once its
    rows are in (one index build instead of a row at a time)."""
    kind = _id_kind()
    sqlite = op.get_bind().dialect.name == "sqlite"
    key = f",\n\tCONSTRAINT pk_changes PRIMARY KEY ({_KEY})" if sqlite else ""
    return f"""CREATE TABLE changes_new (
	id {kind} NOT NULL,
	entity_type SMALLINT NOT NULL,
	entity_id {kind} NOT NULL,
	evaluation_id {kind} NOT NULL,
	field SMALLINT NOT NULL,
	value TEXT NOT NULL,
	old_value TEXT,
	supersedes TEXT NOT NULL,
	writer_id INTEGER NOT NULL,
	counter INTEGER NOT NULL,
	wall_time BIGINT NOT NULL,
	{source}{key}
){" WITHOUT ROWID" if sqlite else ""}"""


def _changes() -> int:
    return _scalar("SELECT count(*) FROM changes")


def _replace_changes(select: str, before: int) -> None:
    """``changes_new`` filled by ``select`` (in key order: written page after page) becomes
    the change log, if it holds every change (else the upgrade stops, the transaction undone)."""
    op.get_bind().exec_driver_sql(  # not op.execute: the mark's ":0" is no parameter
        f"INSERT INTO changes_new {select} ORDER BY c.evaluation_id, c.entity_id, c.field, c.id"
    )
    after = _scalar("SELECT count(*) FROM changes_new")
    if after != before:
        raise StoreError(
            f"the change log's {before} changes became {after} when their sources were "
            "numbered; the database was not upgraded"
        )
    op.execute("DROP TABLE changes")
    op.execute("ALTER TABLE changes_new RENAME TO changes")
    if op.get_bind().dialect.name != "sqlite":
        op.execute(f"ALTER TABLE changes ADD CONSTRAINT pk_changes PRIMARY KEY ({_KEY})")


# Each parent key, and the record types (not roots) whose creation names their aggregate by
# it, as 0021 knows them (qa_tui.store.entities).
_PARENTS = {
    "evaluation_id": (
        "participant",
        "response",
        "entry",
        "scale",
        "feedback",
        "action",
        "concern_share",
        "lifecycle_event",
        "action_update",
        "concern_event",
        "summary_share",
        "moderation",
        "moderation_judgement",
    ),
    "session_id": ("session_moderator", "blind_grade"),
    "plan_id": ("plan_member", "allocation"),
    "action_id": ("board_action_update",),
}
_MARK = "'\"\":0'"  # '"":0' in SQL


def _aggregate_text() -> str:
    """The change's aggregate id as text (lower case, with its dashes), in SQL."""
    if op.get_bind().dialect.name != "sqlite":
        return "CAST(c.evaluation_id AS TEXT)"
    h = "lower(hex(c.evaluation_id))"
    parts = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))
    return " || '-' || ".join(f"substr({h}, {at}, {n})" for at, n in parts)


def _value(kept: bool) -> str:
    """The change's value as the change log keeps it from 0021 on (``kept``: a creation naming
    its aggregate with the mark in the id's place, where the name is there exactly once and
    no mark is) or as it was made (the mark, where there is one, back to the id), in SQL: as
    ``qa_tui.store.models.kept_value`` and ``given_value`` do."""
    cases = []
    for key, type_names in _PARENTS.items():
        codes = ", ".join(str(RECORD_TYPES.index(t)) for t in type_names)
        named = f"'\"{key}\":\"' || {_aggregate_text()} || '\"'"
        ours = f"c.field = {_CREATE} AND c.entity_type IN ({codes})"
        if kept:
            once = f"length(c.value) - length(replace(c.value, {named}, '')) = length({named})"
            unmarked = f"replace(c.value, {_MARK}, '') = c.value"
            cases.append(
                f"WHEN {ours} AND {once} AND {unmarked} THEN replace(c.value, {named}, {_MARK})"
            )
        else:
            cases.append(
                f"WHEN {ours} AND replace(c.value, {_MARK}, '') <> c.value "
                f"THEN replace(c.value, {_MARK}, {named})"
            )
    return f"CASE {' '.join(cases)} ELSE c.value END"


def _number_sources() -> None:
    before = _changes()
    received = _scalar("SELECT count(*) FROM changes WHERE bundle_id IS NOT NULL")
    serial = "INTEGER" if op.get_bind().dialect.name == "sqlite" else "SERIAL"
    op.execute(
        f"""CREATE TABLE sources (
	id {serial} NOT NULL,
	bundle_id {_id_kind()} NOT NULL,
	CONSTRAINT pk_sources PRIMARY KEY (id),
	CONSTRAINT uq_sources UNIQUE (bundle_id)
)"""
    )
    op.execute(
        "INSERT INTO sources (bundle_id) SELECT DISTINCT bundle_id FROM changes "
        "WHERE bundle_id IS NOT NULL ORDER BY bundle_id"
    )
    op.execute(_changes_table("source_id INTEGER"))
    _replace_changes(
        f"({_COLUMNS}, source_id) SELECT {_selected(kept=True)}, s.id FROM changes c "
        "LEFT JOIN sources s ON s.bundle_id = c.bundle_id",
        before,
    )
    _same_received(received, "source_id")


def _selected(*, kept: bool) -> str:
    """0020's columns read from ``changes c``, the value as :func:`_value` gives it."""
    return ", ".join(
        _value(kept) if name == "value" else f"c.{name}" for name in _COLUMNS.split(", ")
    )


def _same_received(received: int, column: str) -> None:
    """As many changes name where they came from as before (none came to name nothing)."""
    after = _scalar(f"SELECT count(*) FROM changes WHERE {column} IS NOT NULL")
    if after != received:
        raise StoreError(
            f"{received} changes named the bundle that brought them, {after} after their "
            "sources were numbered; the database was not changed"
        )


def _check_sources() -> None:
    """Refuse (saying how many) a change naming a source the database lacks, whose bundle
    could not be given back, before any table is touched."""
    lost = _scalar(
        "SELECT count(*) FROM changes c LEFT JOIN sources s ON s.id = c.source_id "
        "WHERE c.source_id IS NOT NULL AND s.id IS NULL"
    )
    if lost:
        raise StoreError(
            f"{lost} changes name a source the database does not hold (their bundle is not "
            "known); the database was not downgraded"
        )


def _unnumber_sources() -> None:
    before = _changes()
    received = _scalar("SELECT count(*) FROM changes WHERE source_id IS NOT NULL")
    op.execute(_changes_table(f"bundle_id {_id_kind()}"))
    _replace_changes(
        f"({_COLUMNS}, bundle_id) SELECT {_selected(kept=False)}, s.bundle_id FROM changes c "
        "LEFT JOIN sources s ON s.id = c.source_id",
        before,
    )
    _same_received(received, "bundle_id")
    op.execute("DROP TABLE sources")


# --- the records' provenance, given back -------------------------------------------------


def _text_id(value: Any) -> str:
    return id_text(value) if isinstance(value, bytes) else str(value)


def _provenance() -> Iterator[tuple[str, str, tuple[str, str, str, str]]]:
    """Each record of the tables above (record type, id) with its provenance as the models
    kept it: its creation winner's author, device and wall time, and its latest change's
    wall time. The change log is read once, in its key's order (an aggregate's records
    together); a record with several creations (an id two devices derived alike) takes the
    winner its field state names."""
    connection = op.get_bind()
    codes = ", ".join(str(RECORD_TYPES.index(t)) for t, _c in _DROPPED.values())
    rows = connection.exec_driver_sql(
        "SELECT c.entity_type, c.entity_id, c.field, c.id, c.wall_time, w.author, w.device_id "
        "FROM changes c JOIN writers w ON w.id = c.writer_id "
        f"WHERE c.entity_type IN ({codes}) ORDER BY c.evaluation_id, c.entity_id",
        execution_options={"stream_results": True, "yield_per": 10_000},
    )
    for entity_id, group in groupby(rows, key=lambda r: r[1]):
        changes = list(group)
        made = [c for c in changes if c[2] == _CREATE]
        if not made:
            continue  # a record without a creation has no row (the upgrade checked)
        winner = made[0]
        if len(made) > 1:
            chosen = connection.execute(
                text(
                    f"SELECT winner_id FROM field_states WHERE entity_id = :e AND field = {_CREATE}"
                ),
                {"e": entity_id},
            ).scalar()
            winner = next((c for c in made if c[3] == chosen), winner)
        latest = max(c[4] for c in changes)
        yield (
            RECORD_TYPES[winner[0]],
            _text_id(entity_id),
            (winner[5], _text_id(winner[6]), millis_stamp(winner[4]), millis_stamp(latest)),
        )


def downgrade() -> None:
    _check_sources()
    _unnumber_sources()
    counts = _counts()
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, (_type, columns) in _DROPPED.items():
        for column in columns:
            op.execute(f"ALTER TABLE {table} ADD COLUMN {column} {_KINDS[column]}")
    tables = {type_name: table for table, (type_name, _c) in _DROPPED.items()}
    pending: dict[str, list[dict[str, str]]] = {table: [] for table in _DROPPED}
    for type_name, entity_id, (by, device, at, updated) in _provenance():
        table = tables[type_name]
        values = {_BY: by, _DEVICE: device, _AT: at, _UPDATED: updated}
        row = {c: values[c] for c in _DROPPED[table][1]}
        row["id"] = entity_id
        pending[table].append(row)
        if len(pending[table]) >= 5000:
            _fill(table, pending[table])
            pending[table] = []
    for table, rows in pending.items():
        _fill(table, rows)
    for table, (_type, columns) in _DROPPED.items():
        for column in columns:  # a record without a creation (see upgrade): empty
            op.execute(f"UPDATE {table} SET {column} = '' WHERE {column} IS NULL")
        if postgresql:
            for column in columns:
                op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL")
    _check_counts(counts, "their provenance was given back")


def _fill(table: str, rows: list[dict[str, str]]) -> None:
    if rows:
        sets = ", ".join(f"{c} = :{c}" for c in rows[0] if c != "id")
        op.get_bind().execute(text(f"UPDATE {table} SET {sets} WHERE id = :id"), rows)
