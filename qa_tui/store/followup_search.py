"""The actions tracker's filter words looked up in a trigram index (migration 0014) instead of
walking every action: a word few actions match — a name, a case reference, a word of the
action, or one that matches nothing — finds its actions and evaluations at once.

The index only narrows: every candidate it gives is tested again with the tracker's own
``LIKE``/``ILIKE``, so the rows are exactly those the plain filter gives (a trigram index
matches more, never fewer). On SQLite it is two FTS5 tables (``tokenize='trigram'``, over
``actions`` and ``evaluations``, kept in step by triggers); on PostgreSQL ``pg_trgm`` GIN
indexes, which the planner uses for the same ``ILIKE``. Without them (a word under three
letters, an SQLite built without FTS5, a server without ``pg_trgm``) :func:`find` says so and
the tracker walks the actions as before.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, or_, select, text
from sqlalchemy.orm import Session

from qa_tui.store import models

MIN_LENGTH = 3  # a trigram index cannot narrow a shorter word
FTS_TABLES = ("action_search", "evaluation_search")  # SQLite (migration 0014)
PG_INDEX = "ix_actions_description_trgm"  # PostgreSQL: one of migration 0014's indexes


def is_search_object(name: str | None) -> bool:
    """Whether a table or index is part of the search index (made by migration 0014 alone,
    not declared in the models: FTS5 tables and their shadow tables, ``pg_trgm`` indexes)."""
    return name is not None and (name.startswith(FTS_TABLES) or name.endswith("_trgm"))


_present: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Found:
    """What one word matches: the actions (by owner or description) and the evaluations (by
    case reference, team or service area). Each a complete list, or None where more than the
    limit match (then each action is tested as it is walked: a common word fills a page
    soon)."""

    action_ids: list[str] | None
    evaluation_ids: list[str] | None


def has_index(session: Session) -> bool:
    """Whether this database has migration 0014's search index (asked once per engine)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)
    if engine not in _present:
        if engine.dialect.name == "sqlite":
            names = set(
                session.scalars(
                    text(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
                        "('action_search', 'evaluation_search')"
                    )
                )
            )
            _present[engine] = names == set(FTS_TABLES)
        else:
            found = session.scalar(
                text("SELECT count(*) FROM pg_indexes WHERE indexname = :name"), {"name": PG_INDEX}
            )
            _present[engine] = bool(found)
    return _present[engine]


def fts_query(word: str) -> str:
    """An FTS5 query every text containing ``word`` matches: all its trigrams (the tables keep
    no positions, so not as a phrase; the ``LIKE`` after it checks the order)."""
    grams = sorted({word[i : i + 3] for i in range(len(word) - 2)})
    return " ".join('"' + g.replace('"', '""') + '"' for g in grams)


def find(
    session: Session, word: str, contains: Callable[[Any, str], Any], limit: int
) -> Found | None:
    """What ``word`` matches, found through the index (at most ``limit + 1`` of each read);
    None when the index cannot tell (the caller walks the actions). ``contains`` is the
    tracker's own test of a column against the word."""
    if len(word) < MIN_LENGTH or not has_index(session):
        return None
    a, e = models.Action, models.Evaluation
    action_test = or_(contains(a.owner, word), contains(a.description, word))
    evaluation_test = or_(
        contains(e.team, word), contains(e.service_area, word), contains(e.case_reference, word)
    )
    sides = (
        (select(a.id).where(action_test), "actions", "action_search"),
        (select(e.id).where(evaluation_test), "evaluations", "evaluation_search"),
    )
    sqlite = session.get_bind().dialect.name == "sqlite"
    found: list[list[str] | None] = []
    for query, table, fts in sides:
        if sqlite:
            match = fts_query(word)
            # The index alone first: more candidates than the limit, and the side is common
            # (reading each candidate's row to test it would cost more than the walk).
            few = text(f"SELECT count(*) FROM (SELECT 1 FROM {fts} WHERE {fts} MATCH :q LIMIT :n)")
            if (session.scalar(few, {"q": match, "n": limit + 1}) or 0) > limit:
                found.append(None)
                continue
            query = query.where(_rowid_in(table, fts, match))
        ids = list(session.scalars(query.limit(limit + 1)))
        found.append(ids if len(ids) <= limit else None)
    return Found(*found)


def _rowid_in(table: str, fts: str, query: str) -> Any:
    # The FTS5 table shares its content table's rowids (external content).
    return text(f"{table}.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH :q)").bindparams(
        q=query
    )
