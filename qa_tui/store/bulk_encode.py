"""New records' rows encoded for the driver and written (for :mod:`qa_tui.store.bulk`): on
SQLite the statement and its parameter tuples, ids as their 16 bytes, writers and sources
numbered; on PostgreSQL the rows, copied with ``COPY``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter, methodcaller
from typing import Any

from sqlalchemy import Connection, Date, Dialect, Table, insert
from sqlalchemy.exc import IntegrityError

from qa_tui.clock import stamp_millis
from qa_tui.store import models
from qa_tui.store.codes import FIELD_CODES, RECORD_TYPE_CODES, Code, WallTime
from qa_tui.store.entities import CREATE

CHANGE_COLUMNS = tuple(c.key for c in models.Change.__table__.columns)


@dataclass(frozen=True)
class Encoded:
    """One table's rows as its writer takes them: on SQLite the statement and its parameter
    tuples; elsewhere the rows themselves (``sql`` empty)."""

    table: Table
    rows: list[Any]
    sql: str = ""


def encode_rows(
    dialect: Dialect,
    table: Table,
    rows: list[dict[str, Any]],
    writers: dict[models.WriterKey, int] | None = None,
) -> Encoded:
    """The rows of ``table`` ready for :func:`write_encoded` (Python work only, no database:
    a merge prepares the next batch's rows while the current one is written). A change's
    writer is its number in ``writers`` or, for one not there, its (author, device) key, for
    :func:`writers_numbered` to number."""
    if table.name == "changes" and dialect.name in ("sqlite", "postgresql"):
        return _encode_changes(dialect, table, rows, {} if writers is None else writers)
    if dialect.name == "postgresql":
        return Encoded(table, _copy_values(table, rows))
    if dialect.name != "sqlite" or not rows:
        return Encoded(table, rows)
    columns = list(table.columns)
    dates = [isinstance(c.type, Date) for c in columns]
    sql = insert_sql(dialect, table)
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
    numbered = [(i, f) for i, f in enumerate(_as_numbers(table)) if f is not None]
    if ids or numbered:
        params = _converted(params, ids, numbered)
    return Encoded(table, params, sql)


def insert_sql(dialect: Dialect, table: Table) -> str:
    quote = dialect.identifier_preparer.quote
    columns = list(table.columns)
    return (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
        f"VALUES ({', '.join('?' * len(columns))})"
    )


def _encode_changes(
    dialect: Dialect, table: Table, rows: list[dict[str, Any]], writers: dict[models.WriterKey, int]
) -> Encoded:
    """The changes (the most rows), made in one pass: SQLite's parameter tuples, PostgreSQL's
    ``COPY`` rows."""
    if dialect.name == "postgresql":
        return Encoded(table, _change_rows(rows, writers, ids_as_bytes=False))
    return Encoded(table, _change_rows(rows, writers, True), insert_sql(dialect, table))


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


def _copy_values(table: Table, rows: list[dict[str, Any]]) -> list[list[Any]]:
    """PostgreSQL's rows as ``COPY`` takes them: each a list in the table's column order, with
    record types, field names and wall times as numbers (``COPY`` converts no column type)."""
    pairs = list(zip([c.key for c in table.columns], _as_numbers(table), strict=True))
    if all(f is None for _k, f in pairs):
        return [[row.get(k) for k, _f in pairs] for row in rows]
    return [[row.get(k) if f is None else f(row[k]) for k, f in pairs] for row in rows]


def write_encoded(connection: Connection, encoded: Encoded) -> None:
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


def _converted(
    rows: list[Any], ids: list[int], numbered: list[tuple[int, Callable[[Any], Any]]]
) -> list[tuple[Any, ...]]:
    """SQLite's parameter rows with their change log ids as SQLite stores them (what
    :class:`models.HistoryId` does for a statement; here the driver is given the values), and
    the ``numbered`` columns as numbers (:func:`_as_numbers`). The ids were checked when they
    were received, or made here. Column by column, in one turn of the rows into columns and
    back, so that the conversions run in C (``map``), not in a Python loop per value."""
    columns = list(zip(*rows, strict=True))
    for i in ids:
        column = columns[i]
        nones = column.count(None)
        if nones == len(column):
            continue
        if nones:
            columns[i] = tuple(None if v is None else bytes.fromhex(_UNDASH(v)) for v in column)
        else:
            columns[i] = tuple(map(bytes.fromhex, map(_UNDASH, column)))
    for i, convert in numbered:
        columns[i] = tuple(map(convert, columns[i]))
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
    (author, device) key (numbered when written: :func:`writers_numbered`), their bundle's
    id in their source's number's place (the same), and their ids as SQLite stores them
    (``ids_as_bytes``: see :func:`_converted`; a record's or aggregate's id recurs on many
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
            r.get("bundle_id"),  # numbered when written (sources_numbered)
        )
        for r in rows
    ]


def _kept(change: dict[str, Any]) -> str:
    """A creation's value as the change log keeps it (:func:`models.kept_value`)."""
    return models.kept_value(
        change["entity_type"], change["field"], change["evaluation_id"], change["value"]
    )


def writers_numbered(connection: Connection, encoded: Encoded, writers: dict[Any, int]) -> None:
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


def sources_numbered(
    connection: Connection, encoded: Encoded, sources: dict[str, int] | None = None
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
