"""The history layer's tables: the append-only change log and what it needs.

``changes`` (with ``change_links``) is the history: one row per change to one field of one
record, made on one device, ordered by a Lamport counter. It is the truth; the typed tables of
:mod:`qa_tui.store.models` are the current state derived from it (see
:mod:`qa_tui.store.history`). ``field_states`` keeps, for each record's creation and deletion
and for each field with several heads, which changes are the current heads and whether they
conflict (any other field's one head is derived from its changes). ``writers`` and ``sources``
number the authors, devices and bundles a change names. :class:`Base` is every table's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Dialect,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    event,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.types import TypeEngine

from qa_tui.ids import id_bytes, id_text
from qa_tui.store.codes import FIELD, FIELD_CODES, RECORD_TYPE, WALL_TIME

ID = String(36)


class HistoryId(TypeDecorator[str]):
    """An id in the change log: its text in Python, 16 bytes in the database (migration 0016).

    The change log holds a change's id and its record's, aggregate's, device's and bundle's:
    as text they were 180 of a change's ~300 bytes, and its keys repeated them. SQLite stores
    the 16 bytes (:func:`~qa_tui.ids.id_bytes`), PostgreSQL its ``uuid`` type; both sort them
    as the text sorts. Only history columns have this type: a query must never compare one
    with a text id of the current-state tables (the database would find no match, or refuse):
    such a comparison goes through Python (:func:`qa_tui.store.tracking.derived_for`).
    """

    impl = LargeBinary(16)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.UUID(as_uuid=False))
        return dialect.type_descriptor(LargeBinary(16))

    def process_bind_param(self, value: str | None, dialect: Dialect) -> object:
        if value is None or dialect.name == "postgresql":
            return value
        return id_bytes(value)

    def process_result_value(self, value: object, dialect: Dialect) -> str | None:
        if isinstance(value, bytes):
            return id_text(value)
        return value  # type: ignore[return-value]  # psycopg's text (as_uuid=False), None


HID = HistoryId()


def heads_json(head_ids: list[str]) -> str:
    """A field's heads as stored: the JSON list of their ids, sorted (as ``history.dumps``)."""
    return json.dumps(sorted(head_ids), ensure_ascii=False, separators=(",", ":"))


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Key/value facts about this database: its role, the device clock, the QA public key."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class Writer(Base):
    """Who wrote changes, and on which device: an author's name and a device id, numbered.

    Every change names its writer by this number (migration 0020): a database holds a handful
    of writers, and each of its millions of changes repeated a name and a 16-byte device id
    (~4 KB an evaluation). Rows are only ever added, never changed or removed, so a writer's
    number is the same for as long as the database lives (a merge may read them once and
    keep them: :func:`writer_ids`).
    """

    __tablename__ = "writers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author: Mapped[str] = mapped_column(String(200))
    device_id: Mapped[str] = mapped_column(HID)

    __table_args__ = (UniqueConstraint("author", "device_id", name="uq_writers"),)


WriterKey = tuple[str, str]  # (author, device id)


class Source(Base):
    """A bundle or direct sync that brought changes into this database, numbered.

    Every change received names its source by this number (migration 0021), where it repeated
    the bundle's 16-byte id (~2.3 KB an evaluation); a change made here has none. Like a
    writer, a source is only ever added, and its number is this database's own. A merge
    adds its bundle's source in its first batch's transaction (before the bundle is in the
    ledger, ``merged_bundles``, which it enters with the last): :func:`source_ids`.
    """

    __tablename__ = "sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_id: Mapped[str] = mapped_column(HID)

    __table_args__ = (UniqueConstraint("bundle_id", name="uq_sources"),)


class Change(Base):
    """One change to one field of one record: append-only, never updated or deleted.

    The table is keyed by aggregate, record, field and id (migration 0016): every query names
    a record's field or a whole aggregate (:func:`qa_tui.store.history.field_changes`), so the
    key finds them and no other index is needed; on SQLite the table is ``WITHOUT ROWID``
    (the key is the table), and a merge's new changes land on a few neighbouring pages (an
    aggregate's). A change is found by its id within its field: ``session.get`` takes the
    whole key (:func:`qa_tui.store.history.change_key`).

    Its author and device are its :class:`Writer`'s, kept as the writer's number (migration
    0020); :attr:`author` and :attr:`device_id` read and set them as before (a change made
    with them is given its writer's number when it is flushed, :func:`_number_writers`). In a
    query, ``Change.author`` and ``Change.device_id`` are the ``writers`` table's columns: a
    query naming them with the change log's joins it (``.join(Change.writer)``). The bundle or
    sync that brought it here is its :class:`Source`'s (migration 0021), :attr:`bundle_id` in
    Python and, in a query, the ``sources`` table's column (``.outerjoin(Change.source)``).
    """

    __tablename__ = "changes"
    id: Mapped[str] = mapped_column(HID)
    entity_type: Mapped[str] = mapped_column(RECORD_TYPE)  # a number in the database (0019)
    entity_id: Mapped[str] = mapped_column(HID)
    evaluation_id: Mapped[str] = mapped_column(HID)
    field: Mapped[str] = mapped_column(FIELD)  # a number in the database (0019)
    value: Mapped[str] = mapped_column(Text)  # JSON
    old_value: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON, for display
    supersedes: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of change ids
    writer_id: Mapped[int] = mapped_column(Integer)  # its Writer's number (0020)
    counter: Mapped[int] = mapped_column(Integer)
    # ISO 8601 UTC to the millisecond, display only; milliseconds in the database (0019)
    wall_time: Mapped[str] = mapped_column(WALL_TIME)
    # The number of the bundle or sync that brought it here (its Source, 0021); None: made here
    source_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    # Loaded with the change (a join with a table of a handful of rows; an outer join, so the
    # change log stays the outer loop of every plan). No foreign key: a writer is never
    # removed, and the bulk writers would check one for every change.
    writer: Mapped[Writer] = relationship(
        Writer, primaryjoin="foreign(Change.writer_id) == Writer.id", lazy="joined", cascade=""
    )
    # Read when asked (a handful of rows, each then in the session's identity map).
    source: Mapped[Source | None] = relationship(
        Source, primaryjoin="foreign(Change.source_id) == Source.id", lazy="select", cascade=""
    )

    __table_args__ = (
        PrimaryKeyConstraint("evaluation_id", "entity_id", "field", "id", name="pk_changes"),
        {"sqlite_with_rowid": False},
    )

    @hybrid_property
    def bundle_id(self) -> str | None:
        """The id of the bundle or sync that brought the change here (None: made here)."""
        return None if self.source is None else self.source.bundle_id

    @bundle_id.inplace.expression
    @classmethod
    def _bundle_id_expression(cls) -> ColumnElement[str | None]:
        return Source.__table__.c.bundle_id  # the query joins sources (see the class)

    @hybrid_property
    def author(self) -> str:
        return self.writer.author

    @author.inplace.setter
    def _set_author(self, value: str) -> None:
        self._new_writer(value, None)

    @author.inplace.expression
    @classmethod
    def _author_expression(cls) -> ColumnElement[str]:
        return Writer.__table__.c.author  # the query joins writers (see the class)

    @hybrid_property
    def device_id(self) -> str:
        return self.writer.device_id

    @device_id.inplace.setter
    def _set_device_id(self, value: str) -> None:
        self._new_writer(None, value)

    @device_id.inplace.expression
    @classmethod
    def _device_id_expression(cls) -> ColumnElement[str]:
        return Writer.__table__.c.device_id  # the query joins writers (see the class)

    def _new_writer(self, author: str | None, device_id: str | None) -> None:
        """A writer not numbered yet (one of the database's, or a new one: the flush says),
        with the author or device given and the other as it was."""
        current: Writer | None = self.__dict__.get("writer")
        if current is None and inspect(self).has_identity:
            current = self.writer  # a stored change's, not loaded (expired)
        if current is not None and inspect(current).transient:
            if author is not None:
                current.author = author
            if device_id is not None:
                current.device_id = device_id
            return
        was_author = None if current is None else current.author
        was_device = None if current is None else current.device_id
        self.writer = Writer(
            author=was_author if author is None else author,
            device_id=was_device if device_id is None else device_id,
        )


def _writers_table() -> Any:
    return Writer.__table__


def writer_ids(connection: Connection, keys: Iterable[WriterKey]) -> dict[WriterKey, int]:
    """The numbers of the writers ``keys`` names (author, device id), those the database lacks
    added in the connection's transaction (a concurrent writer's same new row is not an
    error). Each is found through the writers' unique index: a handful of lookups, whatever
    the database holds."""
    wanted = sorted(set(keys))
    found = _look_up_writers(connection, wanted)
    missing = [key for key in wanted if key not in found]
    if missing:
        module = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = module.insert(_writers_table()).on_conflict_do_nothing()
        connection.execute(statement, [{"author": a, "device_id": d} for a, d in missing])
        found.update(_look_up_writers(connection, missing))
    return found


def source_ids(connection: Connection, bundle_ids: Iterable[str]) -> dict[str, int]:
    """The numbers of the sources of ``bundle_ids``, those the database lacks added in the
    connection's transaction (found through the sources' unique index)."""
    table: Any = Source.__table__
    wanted = sorted(set(bundle_ids))
    if not wanted:
        return {}

    def held() -> dict[str, int]:
        rows = connection.execute(
            select(table.c.bundle_id, table.c.id).where(table.c.bundle_id.in_(wanted))
        )
        return {str(uuid.UUID(bundle)): number for bundle, number in rows}

    found = held()
    if any(str(uuid.UUID(b)) not in found for b in wanted):
        module = postgresql if connection.dialect.name == "postgresql" else sqlite
        statement = module.insert(table).on_conflict_do_nothing()
        connection.execute(statement, [{"bundle_id": b} for b in wanted])
        found = held()
    return {b: found[str(uuid.UUID(b))] for b in wanted}


def _look_up_writers(connection: Connection, keys: list[WriterKey]) -> dict[WriterKey, int]:
    """The writers of ``keys`` the database holds. A device id is given back as the database
    keeps it (lower-case text): one given otherwise is found too."""
    table = _writers_table()
    out: dict[WriterKey, int] = {}
    for start in range(0, len(keys), 100):
        chunk = keys[start : start + 100]
        held = {
            (author, device): number
            for author, device, number in connection.execute(
                select(table.c.author, table.c.device_id, table.c.id).where(
                    or_(*(and_(table.c.author == a, table.c.device_id == d) for a, d in chunk))
                )
            )
        }
        for author, device in chunk:
            number = held.get((author, device))
            if number is None:
                number = held.get((author, str(uuid.UUID(device))))
            if number is not None:
                out[(author, device)] = number
    return out


@event.listens_for(Session, "before_flush")
def _number_writers(session: Session, _context: object, _instances: object) -> None:
    """Changes given an author and device (not a writer's number): their writers', the
    database's own or new ones, found with one query however many there are."""
    waiting = [
        change
        for change in (*session.new, *session.dirty)
        if isinstance(change, Change)
        and (writer := change.__dict__.get("writer")) is not None
        and inspect(writer).transient
    ]
    if not waiting:
        return
    keys = {(c.writer.author, c.writer.device_id) for c in waiting}
    with session.no_autoflush:
        numbers = writer_ids(session.connection(), keys)
        for change in waiting:
            number = numbers[(change.writer.author, change.writer.device_id)]
            writer = session.get(Writer, number)
            assert writer is not None
            change.writer = writer


# --- a record's creation, as the change log keeps it (migration 0021) ----------------------

# What a creation's value holds, in the change log, in place of its aggregate's id: a record's
# creation names the aggregate it belongs to (``{"evaluation_id": "…", "item_id": …}``), whose
# id the change holds already (``evaluation_id``) — ~2 KB an evaluation. The mark is an empty
# key, which no creation has (a creation carries exactly its record type's fields, checked
# when received); outside the change log (Python, the wire) a creation is as it was made.
ID_MARK = '"":0'
# Each record type that is not a root: the key of its creation naming its aggregate (filled
# by :mod:`qa_tui.store.entities`, which declares them: :func:`register_parent_keys`).
_PARENT_KEYS: dict[str, str] = {}


def register_parent_keys(keys: dict[str, str]) -> None:
    _PARENT_KEYS.update(keys)


def kept_value(entity_type: str, field: str, evaluation_id: str, value: str) -> str:
    """A change's value as the change log keeps it: a creation naming its aggregate, ``…,
    "evaluation_id":"<the change's evaluation_id>", …``, with :data:`ID_MARK` in its place
    (exactly one such name, and no mark already: else as it is)."""
    if field != "_create":
        return value
    key = _PARENT_KEYS.get(entity_type)
    if key is None:
        return value  # a root's creation names no aggregate
    named = f'"{key}":"{evaluation_id}"'
    if value.count(named) != 1 or ID_MARK in value:
        return value
    return value.replace(named, ID_MARK)


def given_value(entity_type: str, field: str, evaluation_id: str, value: str) -> str:
    """A change's value as the change log keeps it, as it was made (:func:`kept_value`
    undone, character for character)."""
    if field != "_create" or ID_MARK not in value:
        return value
    return value.replace(ID_MARK, f'"{_PARENT_KEYS[entity_type]}":"{evaluation_id}"', 1)


def given_change(change: dict[str, Any]) -> dict[str, Any]:
    """A change read from the change log's columns (with its ``evaluation_id``), its value as
    it was made (:func:`given_value`)."""
    if change["field"] == "_create":
        change["value"] = given_value(
            change["entity_type"], change["field"], change["evaluation_id"], change["value"]
        )
    return change


def _given(change: Change) -> str:
    return given_value(change.entity_type, change.field, change.evaluation_id, change.value)


@event.listens_for(Change, "load")
def _creation_loaded(change: Change, _context: object) -> None:
    if "value" in change.__dict__ and change.field == "_create":
        set_committed_value(change, "value", _given(change))


@event.listens_for(Change, "refresh")
def _creation_refreshed(change: Change, _context: object, names: Iterable[str] | None) -> None:
    if change.field == "_create" and (names is None or "value" in names):
        set_committed_value(change, "value", _given(change))


@event.listens_for(Change, "before_insert")
@event.listens_for(Change, "before_update")
def _creation_kept(_mapper: object, _connection: object, change: Change) -> None:
    if change.field == "_create":
        change.value = kept_value(
            change.entity_type, change.field, change.evaluation_id, change.value
        )


@event.listens_for(Change, "after_insert")
@event.listens_for(Change, "after_update")
def _creation_given(_mapper: object, _connection: object, change: Change) -> None:
    if change.field == "_create":
        set_committed_value(change, "value", _given(change))


Link = tuple[str, str, str]
"""A link as plain values: its aggregate's id, the superseding change's and the superseded's."""


class ChangeLink(Base):
    """``change_id`` supersedes ``supersedes_id``, two changes of the aggregate
    ``evaluation_id`` (the history's edges: each change's ``supersedes`` list, as rows).

    Keyed by aggregate first (migration 0024), as the change log is: a change is one of its
    aggregate's (its key there is aggregate, record, field and id), so every query of the links
    names the aggregates it reads, and links a bundle brings for its own evaluation are never
    read as another's — even where a change id of one is reused in the other, which nothing
    refuses (no index finds a change by its id alone). An aggregate's links are also neighbours
    on disk (a merge's new ones land on a few pages).
    """

    __tablename__ = "change_links"
    evaluation_id: Mapped[str] = mapped_column(HID)
    change_id: Mapped[str] = mapped_column(HID)
    supersedes_id: Mapped[str] = mapped_column(HID)
    __table_args__ = (
        PrimaryKeyConstraint("evaluation_id", "change_id", "supersedes_id", name="pk_change_links"),
        Index("ix_change_links_superseded", "evaluation_id", "supersedes_id"),
        {"sqlite_with_rowid": False},
    )


class FieldState(Base):
    """Derived: the head change(s) of one field; more than one head is a conflict (unless
    they agree).

    A row is kept only for a record's creation (its aggregate, and one record per id) and
    deletion, and for a field with several heads (migration 0017,
    :func:`qa_tui.store.history.keeps_state`); any other field has one head, derived from its
    changes (:func:`qa_tui.store.history.field_heads`). With one head the ``heads`` column is
    empty (NULL) rather than repeating the winner's id (migration 0010), and :attr:`heads`
    gives the list either way. On SQLite the table is ``WITHOUT ROWID``: its rows are found by
    their key only, so the key is the table and no separate index repeats it.
    """

    __tablename__ = "field_states"
    entity_id: Mapped[str] = mapped_column(HID, primary_key=True)
    field: Mapped[str] = mapped_column(FIELD, primary_key=True)
    entity_type: Mapped[str] = mapped_column(RECORD_TYPE)
    # Text, as the current-state tables' ids: the home list counts an evaluation's conflicts
    # by joining it with ``evaluations.id``.
    evaluation_id: Mapped[str] = mapped_column(ID)
    # JSON list of the head change ids, sorted, when there are several; NULL: the winner alone
    other_heads: Mapped[str | None] = mapped_column("heads", Text, nullable=True)
    winner_id: Mapped[str] = mapped_column(HID)
    conflict: Mapped[bool] = mapped_column(Boolean, default=False)

    @property
    def heads(self) -> str:
        """The field's heads: a JSON list of change ids, sorted."""
        return self.other_heads or heads_json([self.winner_id])

    def set_heads(self, head_ids: list[str], winner_id: str) -> None:
        """Store the heads (sorted ids) and the provisional winner among them."""
        self.winner_id = winner_id
        self.other_heads = None if len(head_ids) == 1 else heads_json(head_ids)

    __table_args__ = (
        # The conflicts (all, or one evaluation's) without scanning every field: a partial
        # index holds only the fields in conflict, a few rows instead of one per field
        # (migration 0009). Queries say ``where(FieldState.conflict)``, which both databases
        # match to the index's condition.
        Index(
            "ix_field_states_conflicts",
            "evaluation_id",
            sqlite_where=text('"conflict" = 1'),
            postgresql_where=text("conflict"),
        ),
        # The deletions (all, or one evaluation's), for the delete conflicts: a partial index
        # of the few deleted records' fields (migration 0012; ``field`` a number since 0019).
        # Queries compare ``field`` with the literal (:data:`DELETIONS`): SQLite matches a
        # partial index's condition only to a literal, never to a bound parameter.
        Index(
            "ix_field_states_deletions",
            "evaluation_id",
            sqlite_where=text(f"field = {FIELD_CODES['_deleted']}"),
            postgresql_where=text(f"field = {FIELD_CODES['_deleted']}"),
        ),
        {"sqlite_with_rowid": False},
    )


# The condition of ``ix_field_states_deletions``, as queries must write it (a literal).
DELETIONS = text(f"field_states.field = {FIELD_CODES['_deleted']}")
