"""Writing many new records at once: the fast path for demo data and for merging bundles.

:func:`insert_new` takes changes (as plain dicts) for records the database does not hold yet,
inserts them with ``executemany``, and derives the current state in memory with the same rules
as :mod:`qa_tui.store.history` (heads, provisional winner, conflict), so the result is exactly
what applying the changes one by one would give. The deriving is in
:mod:`qa_tui.store.bulk_derive`, the encoding and writing of the rows in
:mod:`qa_tui.store.bulk_encode`; this module puts them together, and fills an empty database
with its indexes deferred (:func:`indexes_deferred`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, Dialect, Table
from sqlalchemy.orm import Session

from qa_tui.store import models
from qa_tui.store.bulk_derive import derive_rows, model_table
from qa_tui.store.bulk_encode import (
    Encoded,
    encode_rows,
    insert_sql,
    sources_numbered,
    write_encoded,
    writers_numbered,
)
from qa_tui.store.change_log import Link
from qa_tui.store.db import Store
from qa_tui.store.entities import CREATE, ENTITY_TYPES


@dataclass(frozen=True)
class NewRows:
    """Everything :func:`insert_new` writes for some new records, prepared without the
    database (:func:`prepare_new`); :func:`write_new` writes it."""

    tables: list[Encoded]  # in the order they are written (the changes first)
    tracked: set[str]  # evaluations whose actions' status is left to refresh_actions
    writers: dict[models.WriterKey, int]  # the writers' numbers known (more added when written)
    # the sources' numbers by bundle id, added when written (a change may carry its bundle's
    # number in its bundle id's place already: nothing to number)
    sources: dict[str, int] = dataclasses.field(default_factory=dict)


def prepare_new(
    dialect: Dialect,
    changes: list[dict[str, Any]],
    links: list[Link],
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
        encode_rows(
            dialect,
            model_table(models.Change),
            sorted(changes, key=itemgetter("evaluation_id", "entity_id", "field", "id")),
            known,
        ),
        encode_rows(
            dialect,
            model_table(models.ChangeLink),
            [
                {"evaluation_id": e, "change_id": a, "supersedes_id": b}
                for e, a, b in sorted(links)  # in key order too
            ],
        ),
    ]
    by_type, states = derive_rows(changes, links)
    tracked = tracked_evaluations(changes) - _track_new_actions(by_type, changes)
    for name, etype in ENTITY_TYPES.items():
        tables.append(encode_rows(dialect, model_table(etype.model), by_type.get(name, [])))
    states.sort(key=itemgetter("entity_id", "field"))
    tables.append(encode_rows(dialect, model_table(models.FieldState), states))
    return NewRows(tables, tracked, known)


def _new_tables() -> list[Table]:
    """The tables :func:`prepare_new` encodes rows for, in its order."""
    models_in_order = [models.Change, models.ChangeLink]
    models_in_order += [etype.model for etype in ENTITY_TYPES.values()]
    return [model_table(model) for model in (*models_in_order, models.FieldState)]


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
        Encoded(table, rows, insert_sql(dialect, table) if dialect.name == "sqlite" else "")
        for table, rows in zip(_new_tables(), tables, strict=True)
    ]
    return NewRows(encoded, set(tracked), writers, sources)


def write_new(session: Session, rows: NewRows) -> None:
    """Write rows :func:`prepare_new` made, in the session's transaction."""
    from qa_tui.store.tracking import refresh_actions

    connection = session.connection()
    for encoded in rows.tables:
        if encoded.table.name == "changes" and encoded.rows:
            writers_numbered(connection, encoded, rows.writers)
            sources_numbered(connection, encoded, rows.sources)
        write_encoded(connection, encoded)
    refresh_actions(session, rows.tracked)


def insert_new(session: Session, changes: list[dict[str, Any]], links: list[Link]) -> None:
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
    # (evaluation id, action id) -> its updates: an update is its own evaluation's (an update
    # naming another evaluation's action counts for none, as in ``tracking.derived_for``)
    updates: dict[tuple[str, str], list[tuple[UpdateKey, str, str, str]]] = defaultdict(list)
    for u in by_type.get("action_update", []):
        if u["evaluation_id"] in new and not u["deleted"]:
            for counter, device in made.get((u["id"], u["evaluation_id"]), []):
                key = UpdateKey(u["updated_on"], counter, device, u["id"])
                mine = (u["evaluation_id"], u["action_id"])
                updates[mine].append((key, u["status"], u["note"], u["created_by"]))
    for a in by_type.get("action", []):
        if a["evaluation_id"] in new:
            agreed = (a["status"], a["completed_on"], a["progress"], a["due_date"])
            tracked: Tracked = derive(agreed, updates.get((a["evaluation_id"], a["id"]), []))
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
