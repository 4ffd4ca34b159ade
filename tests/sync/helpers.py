"""Simulated laptops and a central database, and ways to compare databases."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Integer, LargeBinary, MetaData, Select, Table, Uuid, select
from sqlalchemy.orm import Session

from qa_tui.clock import stamp_millis
from qa_tui.domain import evaluation as ev
from qa_tui.framework.loader import builtin_templates
from qa_tui.ids import id_bytes, id_text
from qa_tui.store import models
from qa_tui.store.codes import FIELD_CODES, RECORD_TYPE_CODES
from qa_tui.store.db import Store
from qa_tui.store.history import Actor, change_order_key, check_consistency, heads_disagree
from qa_tui.store.migrate import open_store
from qa_tui.sync import central
from qa_tui.sync.aggregates import Aggregate
from qa_tui.sync.bundle_write import write_bundle
from qa_tui.sync.conflicts import list_conflicts
from qa_tui.sync.export import all_evaluation_ids, iter_aggregates
from qa_tui.sync.keys import DeviceKey, load_device_key, load_qa_public
from qa_tui.sync.merge import merge_aggregates
from qa_tui.sync.merge_report import MergeReport, Provenance

TEMPLATE = builtin_templates()[0]
ANY_CASE = r"^[A-Z]{2,4}-?\d{4,10}$"
_ticks = itertools.count()


def fake_clock() -> dt.datetime:
    return dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC) + dt.timedelta(seconds=next(_ticks))


class Laptop:
    """A laptop: its own database, device id and signing key."""

    def __init__(self, url: str, key_dir: Path, author: str) -> None:
        self.store = open_store(url)
        self.device_id = str(uuid.uuid4())
        self.actor = Actor(author, self.device_id, fake_clock)
        self.key: DeviceKey = load_device_key(self.device_id, key_dir / f"{self.device_id}.pem")

    def new_evaluation(self, case_reference: str = "ABC-12345") -> str:
        with self.store.session() as s:
            details = ev.CaseDetails(case_reference=case_reference, team="Locality North")
            return ev.create_evaluation(s, self.actor, TEMPLATE, details, ANY_CASE)

    def do(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        with self.store.session() as s:
            return fn(s, self.actor, *args, **kwargs)

    def export(self, qa_pub: Path, out: Path, fmt: int = 2) -> Path:
        with self.store.reader() as s:
            write_bundle(
                iter_aggregates(s, all_evaluation_ids(s)),
                out,
                load_qa_public(qa_pub),
                self.key,
                self.actor.author,
                "2026-11-20T10:00:00.000+00:00",
                bundle_id=str(uuid.uuid4()),
                format_version=fmt,
            )
        return out


def make_central(url: str, key_out: Path, *laptops: Laptop) -> Store:
    store = open_store(url)
    central.init_central(store, key_out)
    with store.session() as s:
        for laptop in laptops:
            central.enrol_device(s, laptop.device_id, laptop.key.public_text, "laptop")
    return store


def aggregates(store: Store) -> list[Aggregate]:
    with store.reader() as s:
        return list(iter_aggregates(s, all_evaluation_ids(s)))


def copy_into(target: Store, source: Store | list[Aggregate]) -> MergeReport:
    """Merge everything ``source`` holds into ``target`` (the merge code, no crypto)."""
    from qa_tui.sync.direct import validated

    aggs = source if isinstance(source, list) else aggregates(source)
    fresh = [Aggregate(a.evaluation_id, [dict(c) for c in a.changes], list(a.links)) for a in aggs]
    prov = Provenance(str(uuid.uuid4()), "sync", str(uuid.uuid4()), 0, "0003", "now")
    with target.session() as s:
        return merge_aggregates(s, validated(fresh), prov, "now")


# What a database holds of where its history came from (its ledger, the sources its changes
# name), and its own facts, are not the history's.
_SKIP = {
    "merged_bundles",
    "sources",
    "devices",
    "meta",
    "sync_acks",
    "purged_evaluations",
    "alembic_version",
}


def readable(table: Table, *, numbers: bool = False, skip: tuple[str, ...] = ()) -> Select:
    """A table's rows as they read: a change with its writer's author and device and its
    source's bundle id (joined) rather than only their numbers, and the writers and sources by
    their content — the numbers are the database's own (two databases with the same history
    may number them otherwise). ``numbers`` keeps them too (the writers' and sources' ids, the
    changes' ``writer_id`` and ``source_id``); ``skip`` leaves columns out (``bundle_id``: the
    change's source's)."""
    writers, sources = models.Writer.__table__, models.Source.__table__
    if table.name == "changes":
        keep = [c for c in table.columns if c.key not in skip]
        cols = [c for c in keep if numbers or c.key not in ("writer_id", "source_id")]
        bundle = [] if "bundle_id" in skip else [sources.c.bundle_id]
        # Outer: a change whose writer were missing reads with no author, never vanishes.
        return (
            select(*cols, writers.c.author, writers.c.device_id, *bundle)
            .join_from(table, writers, writers.c.id == table.c.writer_id, isouter=True)
            .join_from(table, sources, sources.c.id == table.c.source_id, isouter=True)
        )
    cols = [c for c in table.columns if c.key not in skip]
    if table.name in ("writers", "sources") and not numbers:
        cols = [c for c in cols if c.key != "id"]
    return select(*cols)


def state(store: Store) -> dict[str, list[tuple]]:
    """Everything the history determines (changes without their bundle, links, state)."""
    out = {}
    with store.reader() as s:
        for table in models.Base.metadata.sorted_tables:
            if table.name in _SKIP:
                continue
            rows = s.execute(readable(table, skip=("bundle_id",))).all()
            out[table.name] = sorted(tuple(str(v) for v in r) for r in rows)
    return out


def conflicts(store: Store) -> list:
    with store.reader() as s:
        return list_conflicts(s)


def consistent(store: Store) -> list[str]:
    with store.reader() as s:
        return check_consistency(s)


def full_dump(store: Store) -> list[tuple]:
    """Every row of every table (including ledger, meta, devices) — for 'unchanged' checks."""
    with store.reader() as s:
        out = []
        for table in models.Base.metadata.sorted_tables:
            rows = s.execute(readable(table)).all()
            out.append((table.name, sorted(tuple(str(v) for v in r) for r in rows)))
        return out


def field_states_before_0017(store: Store) -> list[dict[str, Any]]:
    """Every field's ``field_states`` row as the qa-tui before migration 0017 kept them (one per
    field of every record; ``heads`` NULL when one head), worked out from the change log: how
    a copy of an older database is written from one made today."""
    with store.reader() as session:
        groups: dict[tuple[str, str], list[models.Change]] = {}
        for change in session.scalars(select(models.Change)):
            groups.setdefault((change.entity_id, change.field), []).append(change)
        rows = []
        for (entity_id, field), group in sorted(groups.items()):
            ids = {c.id for c in group}
            superseded = {s for c in group for s in json.loads(c.supersedes) if s in ids}
            heads = sorted((c for c in group if c.id not in superseded), key=change_order_key)
            many = len(heads) > 1
            rows.append(
                {
                    "entity_id": entity_id,
                    "field": field,
                    "entity_type": heads[-1].entity_type,
                    "evaluation_id": heads[-1].evaluation_id,
                    "heads": models.heads_json([h.id for h in heads]) if many else None,
                    "winner_id": heads[-1].id,
                    "conflict": many and heads_disagree(h.value for h in heads),
                }
            )
    return rows


def copy_as_old(
    read: Connection, write: Connection, changed: dict[str, list[dict[str, Any]]] | None = None
) -> None:
    """Every row of a database made today (``read``) into an older schema (``write``), as the
    qa-tui of that schema wrote them: read through today's models (names, wall times and ids
    as Python sees them) and written through the old tables as the database reflects them
    (their own column types). ``changed`` gives some tables' rows instead (the field states as
    they were kept then). Rows the migrations wrote (``meta``) are replaced."""
    old = MetaData()
    old.reflect(write)
    made: dict[str, dict[str, str]] | None = None
    for table in models.Base.metadata.sorted_tables:
        if table.name not in old.tables:
            continue
        target: Table = old.tables[table.name]
        rows = (changed or {}).get(table.name)
        if rows is None:
            rows = [dict(r) for r in read.execute(readable(table, numbers=True)).mappings()]
        if table.name == "changes" and "source_id" not in target.c:
            # Before 0021 a creation kept its aggregate's id (no mark in its place).
            rows = [models.given_change(dict(r)) for r in rows]
        lacking = [c for c in models.PROVENANCE if c in target.c and c not in table.c]
        if lacking:  # kept by every record before 0021: its history's
            made = made if made is not None else record_provenance(read)
            rows = [{**r, **{c: made[r["id"]][c] for c in lacking}} for r in rows]
        rows = [{k: _as_column(target, k, v) for k, v in r.items() if k in target.c} for r in rows]
        if rows:
            write.execute(target.delete())
            write.execute(target.insert(), rows)


def record_provenance(read: Connection) -> dict[str, dict[str, str]]:
    """Every record's provenance as qa-tui kept it on the record before 0021 (by record id):
    its creation winner's author, device and wall time, and its latest change's wall time."""
    with Session(bind=read) as session:
        changes = list(session.scalars(select(models.Change)))
        winners = dict(
            session.execute(
                select(models.FieldState.entity_id, models.FieldState.winner_id).where(
                    models.FieldState.field == "_create"
                )
            ).all()
        )
    out: dict[str, dict[str, str]] = {}
    for change in changes:
        record = out.setdefault(change.entity_id, {"updated_at": change.wall_time})
        record["updated_at"] = max(record["updated_at"], change.wall_time)
        if change.id == winners.get(change.entity_id):
            record.update(
                created_by=change.author,
                created_device=change.device_id,
                created_at=change.wall_time,
            )
    return out


_NUMBERED = {"entity_type": RECORD_TYPE_CODES.__getitem__, "field": FIELD_CODES.__getitem__}


def _as_column(table: Table, key: str, value: Any) -> Any:
    """An id given as text, as a reflected column takes it: 16 bytes into a ``BLOB``, a
    ``uuid.UUID`` into PostgreSQL's ``uuid``; a record type, field name or wall time as its
    number into a column of numbers (0019's); anything else as it is."""
    if not isinstance(value, str):
        return value
    kind = table.c[key].type
    if isinstance(kind, Integer) and table.name in ("changes", "field_states"):
        return stamp_millis(value) if key == "wall_time" else _NUMBERED[key](value)
    if isinstance(kind, LargeBinary):
        return id_bytes(value)
    if isinstance(kind, Uuid):
        return uuid.UUID(value)
    return value


def as_text(value: object) -> str:
    """An id as text however a schema keeps it (text, 16 bytes, PostgreSQL's uuid)."""
    return id_text(value) if isinstance(value, bytes) else str(value)


def as_name(value: object, names: tuple[str, ...]) -> str:
    """A record type or field name however a schema keeps it (text; a number since 0019)."""
    return names[value] if isinstance(value, int) else str(value)
