"""What every current-state record has, and the provenance a table keeps of it.

The typed tables (:mod:`qa_tui.store.models`) are built from these: :class:`Record` (an id,
deleted or not) and the mixins of who made a record and when (:class:`Created`,
:class:`CreatedBy`, :class:`Provenance`), with the helpers that fill and move those columns.
"""

from __future__ import annotations

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from qa_tui.store.change_log import ID, Base


class Record(Base):
    """Columns every current-state record has: its id and whether it is deleted.

    Who made a record, on which device and when, and when it last changed, are its history's
    (the winner of its ``_create`` field, its latest change). A table keeps a copy of those
    its readers need, and only those (migration 0021: the responses, entries and judgements
    of an evaluation repeated ~3.8 KB of them that nothing read) — :class:`Created`,
    :class:`CreatedBy`, :class:`Provenance`; :func:`provenance` gives a new record's.
    """

    __abstract__ = True

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class Created:
    """When the record was made (its creation's wall time): kept where records are shown or
    ordered by it."""

    created_at: Mapped[str] = mapped_column(String(32))


class CreatedBy:
    """Who made the record (its creation's author): kept where it is shown."""

    created_by: Mapped[str] = mapped_column(String(200))


class Provenance(Created, CreatedBy):
    """All of it, kept by the roots of aggregates (an evaluation, a session, a plan, …: one row
    of an aggregate's many): who, on which device, when, and when it last changed."""

    created_device: Mapped[str] = mapped_column(ID)
    updated_at: Mapped[str] = mapped_column(String(32))


# The columns of a record's provenance, in the order tables made before 0021 held them.
PROVENANCE = ("created_by", "created_device", "created_at", "updated_at")
_KEPT: dict[type[Base], frozenset[str]] = {}


def kept_provenance(model: type[Base]) -> frozenset[str]:
    """The provenance columns ``model``'s table keeps."""
    kept = _KEPT.get(model)
    if kept is None:
        kept = _KEPT[model] = frozenset(PROVENANCE) & set(model.__table__.columns.keys())
    return kept


def provenance(model: type[Base], author: str, device_id: str, wall_time: str) -> dict[str, str]:
    """A new record's provenance columns, as its table keeps them, from its creation's
    author, device and wall time (``updated_at``: the creation's time, moved on by later
    changes)."""
    values = {
        "created_by": author,
        "created_device": device_id,
        "created_at": wall_time,
        "updated_at": wall_time,
    }
    kept = kept_provenance(model)
    return {name: value for name, value in values.items() if name in kept}


def keeps_updated_at(model: type[Base]) -> bool:
    return "updated_at" in kept_provenance(model)


def touch(row: Base, when: str) -> None:
    """A change at ``when`` reached ``row``: its ``updated_at`` moves on, where its table keeps
    one."""
    if isinstance(row, Provenance):
        row.updated_at = max(row.updated_at or "", when)
