"""Writing many new records at once: the fast path for demo data and for merging bundles.

:func:`insert_new` takes changes (as plain dicts) for records the database does not hold yet,
inserts them with ``executemany``, and derives the current state in memory with the same rules
as :mod:`qa_tui.store.history` (heads, provisional winner, conflict), so the result is exactly
what applying the changes one by one would give.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from operator import itemgetter, methodcaller
from typing import Any, cast

from sqlalchemy import ColumnDefault, Connection, Date, Dialect, Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qa_tui.clock import stamp_millis
from qa_tui.store import models
from qa_tui.store.codes import FIELD_CODES, RECORD_TYPE_CODES, Code, WallTime
from qa_tui.store.db import Store
from qa_tui.store.entities import CREATE, DELETED, ENTITY_TYPES, PLAIN, EntityType
from qa_tui.store.history import STATE_FIELDS, heads_disagree

CHANGE_COLUMNS = tuple(c.key for c in models.Change.__table__.columns)


def _table(model: type[models.Base]) -> Table:
    return cast(Table, model.__table__)


def _defaults(model: type[models.Base]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for column in _table(model).columns:
        default = column.default
        out[column.key] = None  # no default, or one computed when the row is made
        if isinstance(default, ColumnDefault) and default.is_scalar:
            out[column.key] = default.arg
    return out


_ROW_DEFAULTS = {name: _defaults(e.model) for name, e in ENTITY_TYPES.items()}


def _order_key(change: dict[str, Any]) -> tuple[int, str, str]:
    return (change["counter"], change["device_id"], change["id"])


def _group(
    changes: list[dict[str, Any]],
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for change in changes:
        key = (change["entity_id"], change["field"])
        group = groups.get(key)
        if group is None:
            groups[key] = [change]
        else:
            group.append(change)
    return groups


def _heads(group: list[dict[str, Any]], superseded_by: dict[str, set[str]]) -> list[dict[str, Any]]:
    """The changes of one field that no other change of it supersedes, in winner order."""
    if len(group) == 1:
        return group
    ids = {c["id"] for c in group}
    return sorted(
        (c for c in group if not (superseded_by.get(c["id"], set()) & ids)), key=_order_key
    )


_CONSTANTS = {"true": True, "false": False, "null": None}
_UNPARSED = object()


def _loads(text: str) -> Any:
    # Most values are plain strings: with no escapes and no inner quote, the JSON of a string is
    # exactly the text in quotes; then flags and nothing (anything else goes to the real parser,
    # which checks it).
    inner = text[1:-1]
    if len(text) > 1 and text[0] == text[-1] == '"' and "\\" not in inner and '"' not in inner:
        return inner
    if text in _CONSTANTS:
        return _CONSTANTS[text]
    return json.loads(text)


def _state_row(
    entity_id: str, field: str, type_name: str, heads: list[dict[str, Any]]
) -> dict[str, Any]:
    """The ``field_states`` row of one field: its heads and provisional winner (the last).

    ``heads`` is stored only when there are several (see :class:`models.FieldState`).
    """
    return {
        "entity_id": entity_id,
        "field": field,
        "entity_type": type_name,
        "evaluation_id": heads[-1]["evaluation_id"],
        "heads": None if len(heads) == 1 else models.heads_json([h["id"] for h in heads]),
        "winner_id": heads[-1]["id"],
        "conflict": len(heads) > 1 and heads_disagree(h["value"] for h in heads),
    }


def derive_rows(
    changes: list[dict[str, Any]], links: Iterable[tuple[str, str]]
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]]]:
    """Typed rows (per entity type) and field-state rows for new records, from their changes
    (a field state for each record's creation and deletion and each field with several
    heads: :func:`qa_tui.store.history.keeps_state`)."""
    superseded_by: dict[str, set[str]] = defaultdict(set)
    for change_id, superseded_id in links:
        superseded_by[superseded_id].add(change_id)
    rows: dict[str, tuple[dict[str, Any], EntityType]] = {}
    states: list[dict[str, Any]] = []
    for (entity_id, field), group in _group(changes).items():
        # Most fields were set once: one change, its own head (the loop's cost is per change).
        heads = group if len(group) == 1 else _heads(group, superseded_by)
        winner = heads[-1]
        found = rows.get(entity_id)
        if found is None:
            etype = ENTITY_TYPES[winner["entity_type"]]
            row = dict(_ROW_DEFAULTS[etype.name])
            rows[entity_id] = (row, etype)
        else:
            row, etype = found
        if len(heads) > 1 or field in STATE_FIELDS:  # as history.keeps_state
            states.append(_state_row(entity_id, field, etype.name, heads))
        value = winner.get("_value", _UNPARSED)  # a creation parsed when it was checked
        if value is _UNPARSED:
            value = _loads(winner["value"])
        if field == CREATE:
            row.update({name: value[name] for name in etype.create_fields})
            row.update(
                models.provenance(
                    etype.model, winner["author"], winner["device_id"], winner["wall_time"]
                ),
                id=entity_id,
            )
        elif field == DELETED:
            row["deleted"] = value
        else:
            to_column = _to_column(etype, field)
            row[field] = value if to_column is None else to_column(value)
        if "updated_at" in row:  # the tables that keep it (models.Provenance)
            latest = winner["wall_time"] if len(group) == 1 else max(c["wall_time"] for c in group)
            if row["updated_at"] is None or latest > row["updated_at"]:
                row["updated_at"] = latest
    missing = [entity_id for entity_id, (row, _) in rows.items() if row.get("id") is None]
    if missing:
        raise LookupError(f"changes for record {missing[0]} without its creation change")
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row, etype in rows.values():
        by_type[etype.name].append(row)
    return by_type, states


_CODECS: dict[tuple[str, str], Callable[[Any], Any] | None] = {}


def _to_column(etype: EntityType, field: str) -> Callable[[Any], Any] | None:
    """A field's JSON-to-column conversion; None where it is the value itself."""
    key = (etype.name, field)
    if key not in _CODECS:
        to_column = etype.codec(field).to_column
        _CODECS[key] = None if to_column is PLAIN.to_column else to_column
    return _CODECS[key]


@dataclass(frozen=True)
class _Encoded:
    """One table's rows as its writer takes them: on SQLite the statement and its parameter
    tuples; elsewhere the rows themselves (``sql`` empty)."""

    table: Table
    rows: list[Any]
    sql: str = ""


def _encode_rows(
    dialect: Dialect,
    table: Table,
    rows: list[dict[str, Any]],
    writers: dict[models.WriterKey, int] | None = None,
) -> _Encoded:
    """The rows of ``table`` ready for :func:`_write_encoded` (Python work only, no database:
    a merge prepares the next batch's rows while the current one is written). A change's
    writer is its number in ``writers`` or, for one not there, its (author, device) key, for
    :func:`_writers_numbered` to number."""
    if table.name == "changes" and dialect.name in ("sqlite", "postgresql"):
        return _encode_changes(dialect, table, rows, {} if writers is None else writers)
    if dialect.name == "postgresql":
        return _Encoded(table, _copy_values(table, rows))
    if dialect.name != "sqlite" or not rows:
        return _Encoded(table, rows)
    columns = list(table.columns)
    dates = [isinstance(c.type, Date) for c in columns]
    sql = _insert_sql(dialect, table)
    keys = [c.key for c in columns]
    if not any(dates):
        try:
            getter = itemgetter(*keys)
            params: list[Any] = [getter(row) for row in rows]
        except KeyError:
            params = [tuple(row.get(k) for k in keys) for row in rows]  # columns left out
    else:
        params = [
            tuple(
                _date_text(row.get(k)) if is_date else row.get(k)
                for k, is_date in zip(keys, dates, strict=True)
            )
            for row in rows
        ]
    ids = [i for i, c in enumerate(columns) if isinstance(c.type, models.HistoryId)]
    if ids:
        params = _ids_as_bytes(params, ids)
    numbered = [(i, f) for i, f in enumerate(_as_numbers(table)) if f is not None]
    if numbered:
        params = _numbered(params, numbered)
    return _Encoded(table, params, sql)


def _insert_sql(dialect: Dialect, table: Table) -> str:
    quote = dialect.identifier_preparer.quote
    columns = list(table.columns)
    return (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )


def _encode_changes(
    dialect: Dialect, table: Table, rows: list[dict[str, Any]], writers: dict[models.WriterKey, int]
) -> _Encoded:
    """The changes (the most rows), made in one pass: SQLite's parameter tuples, PostgreSQL's
    ``COPY`` rows."""
    if dialect.name == "postgresql":
        return _Encoded(table, _change_rows(rows, writers, ids_as_bytes=False))
    return _Encoded(table, _change_rows(rows, writers, True), _insert_sql(dialect, table))


def _as_numbers(table: Table) -> list[Callable[[Any], Any] | None]:
    """Per column, what turns its value into the number the database keeps (a record type's
    or field name's, a wall time's: :mod:`qa_tui.store.codes`, what its column type does for
    a statement), or None where the value is kept as it is."""
    return [
        c.type.codes.__getitem__
        if isinstance(c.type, Code)
        else stamp_millis
        if isinstance(c.type, WallTime)
        else None
        for c in table.columns
    ]


def _numbered(
    rows: list[Any], numbered: list[tuple[int, Callable[[Any], Any]]]
) -> list[tuple[Any, ...]]:
    """SQLite's parameter rows with those columns as numbers, a column at a time (C loops)."""
    columns = list(zip(*rows, strict=True))
    for i, convert in numbered:
        columns[i] = tuple(map(convert, columns[i]))
    return list(zip(*columns, strict=True))


def _copy_values(table: Table, rows: list[dict[str, Any]]) -> list[list[Any]]:
    """PostgreSQL's rows as ``COPY`` takes them: each a list in the table's column order, with
    record types, field names and wall times as numbers (``COPY`` converts no column type)."""
    pairs = list(zip([c.key for c in table.columns], _as_numbers(table), strict=True))
    if all(f is None for _k, f in pairs):
        return [[row.get(k) for k, _f in pairs] for row in rows]
    return [[row.get(k) if f is None else f(row[k]) for k, f in pairs] for row in rows]


def _write_encoded(connection: Connection, encoded: _Encoded) -> None:
    """``INSERT`` the encoded rows: on SQLite straight through the driver (many times faster),
    on PostgreSQL with ``COPY``."""
    if not encoded.rows:
        return
    if encoded.sql:
        connection.exec_driver_sql(encoded.sql, encoded.rows)
    elif connection.dialect.name == "postgresql":
        _copy_rows(connection, encoded.table, encoded.rows)
    else:
        connection.execute(insert(encoded.table), encoded.rows)


_UNDASH = methodcaller("replace", "-", "")


def _ids_as_bytes(rows: list[Any], positions: list[int]) -> list[tuple[Any, ...]]:
    """The rows with their change log ids as SQLite stores them (what
    :class:`models.HistoryId` does for a statement; here the driver is given the values). The
    ids were checked when they were received, or made here. Column by column, so that the
    conversion runs in C (``map``), not in a Python loop per value."""
    columns = list(zip(*rows, strict=True))
    for i in positions:
        column = columns[i]
        nones = column.count(None)
        if nones == len(column):
            continue
        if nones:
            columns[i] = tuple(None if v is None else bytes.fromhex(_UNDASH(v)) for v in column)
        else:
            columns[i] = tuple(map(bytes.fromhex, map(_UNDASH, column)))
    return list(zip(*columns, strict=True))


_CHANGE_ORDER = (
    "id",
    "entity_type",
    "entity_id",
    "evaluation_id",
    "field",
    "value",
    "old_value",
    "supersedes",
    "writer_id",
    "counter",
    "wall_time",
    "source_id",
)
assert _CHANGE_ORDER == CHANGE_COLUMNS, "the changes table's columns moved: mend _change_rows"
_WRITER = CHANGE_COLUMNS.index("writer_id")
_SOURCE = CHANGE_COLUMNS.index("source_id")


def _change_rows(
    rows: list[dict[str, Any]], writers: dict[models.WriterKey, int], ids_as_bytes: bool
) -> list[tuple[Any, ...]]:
    """The changes' rows in one pass, in the table's column order: their names and times as
    numbers (:mod:`qa_tui.store.codes`), their writer as its number in ``writers``, else its
    (author, device) key (numbered when written: :func:`_writers_numbered`), their bundle's
    id in their source's number's place (the same), and their ids as SQLite stores them
    (``ids_as_bytes``: see :func:`_ids_as_bytes`; a record's or aggregate's id recurs on many
    changes and is converted once) or as text (PostgreSQL's ``COPY``). A third of the time of
    a generic pass at a merge's scale."""
    fromhex = bytes.fromhex
    memo: dict[str, bytes] = {}

    def again(value: str) -> bytes:
        found = memo.get(value)
        if found is None:
            found = memo[value] = fromhex(value.replace("-", ""))
        return found

    def own(value: str) -> bytes:
        return fromhex(value.replace("-", ""))

    ids: Callable[[str], Any] = again if ids_as_bytes else str
    once: Callable[[str], Any] = own if ids_as_bytes else str
    types, fields = RECORD_TYPE_CODES, FIELD_CODES
    return [
        (
            once(r["id"]),
            types[r["entity_type"]],
            ids(r["entity_id"]),
            ids(r["evaluation_id"]),
            fields[r["field"]],
            r["value"] if r["field"] != CREATE else _kept(r),
            r.get("old_value"),
            r["supersedes"],
            writers.get(k := (r["author"], r["device_id"]), k),
            r["counter"],
            stamp_millis(r["wall_time"]),
            r.get("bundle_id"),  # numbered when written (_sources_numbered)
        )
        for r in rows
    ]


def _kept(change: dict[str, Any]) -> str:
    """A creation's value as the change log keeps it (:func:`models.kept_value`)."""
    return models.kept_value(
        change["entity_type"], change["field"], change["evaluation_id"], change["value"]
    )


def _writers_numbered(connection: Connection, encoded: _Encoded, writers: dict[Any, int]) -> None:
    """The changes' writers not numbered when they were prepared (new to the database, or to
    the merge's list of them): numbered now, in the transaction that writes them (new ones
    added), and added to ``writers`` (a merge's next batches find them there)."""
    keys = {row[_WRITER] for row in encoded.rows}
    keys = {key for key in keys if type(key) is tuple}
    if not keys:
        return
    writers.update(models.writer_ids(connection, keys))
    w = _WRITER
    encoded.rows[:] = [
        row if type(row[w]) is int else (*row[:w], writers[row[w]], *row[w + 1 :])
        for row in encoded.rows
    ]


def _sources_numbered(
    connection: Connection, encoded: _Encoded, sources: dict[str, int] | None = None
) -> None:
    """The changes' bundles (their ids, in their source's place: :func:`_change_rows`) as the
    numbers of their sources, found or added in the transaction that writes them (a merge's
    changes all name one bundle: one lookup a batch), and added to ``sources``."""
    s = _SOURCE
    bundles = {row[s] for row in encoded.rows if type(row[s]) is str}
    if not bundles:
        return
    numbers = models.source_ids(connection, bundles)
    if sources is not None:
        sources.update(numbers)
    encoded.rows[:] = [
        row if type(row[s]) is not str else (*row[:s], numbers[row[s]], *row[s + 1 :])
        for row in encoded.rows
    ]


def _copy_rows(connection: Connection, table: Table, rows: list[Sequence[Any]]) -> None:
    """PostgreSQL: the rows in one ``COPY … FROM STDIN``, in the connection's transaction.

    Several times faster than ``executemany`` (one stream, no statement per row), and as
    strict: a key already in the table fails the whole statement as an
    :class:`~sqlalchemy.exc.IntegrityError`, as the ``INSERT`` would.
    """
    quote = connection.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(c.name) for c in table.columns)}) FROM STDIN"
    dbapi: Any = connection.connection.dbapi_connection  # psycopg's, in this transaction
    try:
        with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
    except connection.dialect.loaded_dbapi.IntegrityError as exc:
        raise IntegrityError(sql, None, exc) from None


def _date_text(value: Any) -> Any:
    # What SQLAlchemy's SQLite DATE type stores: ISO 8601 text.
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class NewRows:
    """Everything :func:`insert_new` writes for some new records, prepared without the
    database (:func:`prepare_new`); :func:`write_new` writes it."""

    tables: list[_Encoded]  # in the order they are written (the changes first)
    tracked: set[str]  # evaluations whose actions' status is left to refresh_actions
    writers: dict[models.WriterKey, int]  # the writers' numbers known (more added when written)
    # the sources' numbers by bundle id, added when written (a change may carry its bundle's
    # number in its bundle id's place already: nothing to number)
    sources: dict[str, int] = dataclasses.field(default_factory=dict)


def prepare_new(
    dialect: Dialect,
    changes: list[dict[str, Any]],
    links: list[tuple[str, str]],
    writers: dict[models.WriterKey, int] | None = None,
) -> NewRows:
    """The rows of records all new to a database of ``dialect``, from their changes and links:
    the changes, links, typed rows and field states, encoded for the driver. Pure Python (it
    may run on another thread while the database writes something else). ``writers``: the
    database's writers' numbers as far as known (:func:`models.read_writers`; a merge's, kept
    from batch to batch); a change by another is given its writer's number when written."""
    known = {} if writers is None else writers
    from qa_tui.store.tracking import tracked_evaluations

    # In the change log's key order, neighbouring rows land on the same pages (fewer to write).
    tables = [
        _encode_rows(
            dialect,
            _table(models.Change),
            sorted(changes, key=itemgetter("evaluation_id", "entity_id", "field", "id")),
            known,
        ),
        _encode_rows(
            dialect,
            _table(models.ChangeLink),
            [{"change_id": a, "supersedes_id": b} for a, b in links],
        ),
    ]
    by_type, states = derive_rows(changes, links)
    tracked = tracked_evaluations(changes) - _track_new_actions(by_type, changes)
    for name, etype in ENTITY_TYPES.items():
        tables.append(_encode_rows(dialect, _table(etype.model), by_type.get(name, [])))
    states.sort(key=itemgetter("entity_id", "field"))
    tables.append(_encode_rows(dialect, _table(models.FieldState), states))
    return NewRows(tables, tracked, known)


def _new_tables() -> list[Table]:
    """The tables :func:`prepare_new` encodes rows for, in its order."""
    models_in_order = [models.Change, models.ChangeLink]
    models_in_order += [etype.model for etype in ENTITY_TYPES.values()]
    return [_table(model) for model in (*models_in_order, models.FieldState)]


def new_rows_plain(rows: NewRows) -> tuple[list[list[Any]], list[str]]:
    """What :func:`prepare_new` made, as plain lists (each table's rows, the tracked
    evaluations) for another process to hand back: :func:`new_rows_given`. Only for rows
    encoded for SQLite or PostgreSQL's changes (tuples of plain values)."""
    return [encoded.rows for encoded in rows.tables], sorted(rows.tracked)


def new_rows_given(
    dialect: Dialect,
    tables: list[list[Any]],
    tracked: list[str],
    writers: dict[models.WriterKey, int],
    sources: dict[str, int],
) -> NewRows:
    """:func:`prepare_new`'s rows from :func:`new_rows_plain`'s lists (prepared elsewhere,
    for a database of ``dialect``; writers by their (author, device) key, for
    :func:`write_new` to number)."""
    encoded = [
        _Encoded(table, rows, _insert_sql(dialect, table) if dialect.name == "sqlite" else "")
        for table, rows in zip(_new_tables(), tables, strict=True)
    ]
    return NewRows(encoded, set(tracked), writers, sources)


def write_new(session: Session, rows: NewRows) -> None:
    """Write rows :func:`prepare_new` made, in the session's transaction."""
    from qa_tui.store.tracking import refresh_actions

    connection = session.connection()
    for encoded in rows.tables:
        if encoded.table.name == "changes" and encoded.rows:
            _writers_numbered(connection, encoded, rows.writers)
            _sources_numbered(connection, encoded, rows.sources)
        _write_encoded(connection, encoded)
    refresh_actions(session, rows.tracked)


def insert_new(
    session: Session, changes: list[dict[str, Any]], links: list[tuple[str, str]]
) -> None:
    """Insert changes, their links and the derived state of records that are all new here."""
    if not changes:
        return
    write_new(session, prepare_new(session.connection().dialect, changes, links))


def _track_new_actions(
    by_type: dict[str, list[dict[str, Any]]], changes: list[dict[str, Any]]
) -> set[str]:
    """Give the actions of evaluations new in this insert their current status (what
    :func:`~qa_tui.store.tracking.refresh_actions` would store), from the rows in hand; the
    ids of those evaluations.

    Such an evaluation's actions and updates are all here (a record of an evaluation the
    database did not hold cannot be there already), so no query is needed: the query, run
    after every batch, would read the whole table while the demo's indexes are deferred.
    """
    from qa_tui.store.tracking import Tracked, UpdateKey, derive

    new = {row["id"] for row in by_type.get("evaluation", [])}
    if not new:
        return set()
    # (update id, evaluation id) -> its creation's (counter, device), as the query joins them
    made: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for change in changes:
        if change["field"] == CREATE and change["entity_type"] == "action_update":
            where = (change["entity_id"], change["evaluation_id"])
            made[where].append((change["counter"], change["device_id"]))
    updates: dict[str, list[tuple[UpdateKey, str, str, str]]] = defaultdict(list)
    for u in by_type.get("action_update", []):
        if u["evaluation_id"] in new and not u["deleted"]:
            for counter, device in made.get((u["id"], u["evaluation_id"]), []):
                key = UpdateKey(u["updated_on"], counter, device, u["id"])
                updates[u["action_id"]].append((key, u["status"], u["note"], u["created_by"]))
    for a in by_type.get("action", []):
        if a["evaluation_id"] in new:
            agreed = (a["status"], a["completed_on"], a["progress"], a["due_date"])
            tracked: Tracked = derive(agreed, updates.get(a["id"], []))
            a.update(vars(tracked))
    return new


# --- filling an empty database --------------------------------------------------------------

DEFERRED_KEY = "deferred_indexes"  # meta: the indexes to build again (a run cut short)


def _index_sql(connection: Connection) -> list[str]:
    """The CREATE INDEX statements of the explicit indexes (SQLite's own keep no SQL)."""
    rows = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
    ).all()
    return [str(row[0]) for row in rows]


def restore_indexes(session: Session) -> int:
    """Build again any index a cut-short :func:`indexes_deferred` left dropped; how many."""
    found = session.get(models.Meta, DEFERRED_KEY)
    if found is None:
        return 0
    statements = json.loads(found.value)
    connection = session.connection()
    existing = set(_index_sql(connection))
    for sql in statements:
        if sql not in existing:
            connection.exec_driver_sql(sql)
    session.delete(found)
    return len(statements)


@contextlib.contextmanager
def indexes_deferred(store: Store) -> Iterator[None]:
    """While many rows go into an empty SQLite database, keep the secondary indexes out of it
    and build each once at the end, by sorting: inserting random ids into an index that has
    outgrown the cache costs a page write per row; building it costs one pass. The same
    indexes, and the same data, either way.

    The statements are kept in ``meta`` first, so a run cut short (a crash, Ctrl+C) is mended
    by :func:`restore_indexes` — here on the way out, or on the next run. Elsewhere (a
    database that is not SQLite) it does nothing.
    """
    if store.dialect != "sqlite":
        yield
        return
    with store.session() as session:
        connection = session.connection()
        statements = _index_sql(connection)
        session.merge(models.Meta(key=DEFERRED_KEY, value=json.dumps(statements)))
        for sql in statements:
            name = sql.split(" ON ")[0].split()[-1]
            connection.exec_driver_sql(f"DROP INDEX {name}")
    try:
        yield
    finally:
        with store.session() as session:
            restore_indexes(session)
        with store.engine.connect() as connection:
            # What the planner knows of the new rows (which side of a join is small).
            connection.exec_driver_sql("ANALYZE")
