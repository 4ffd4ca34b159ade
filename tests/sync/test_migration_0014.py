"""Migration 0014 (the follow-through search index) on a database written at 0011, on SQLite
and PostgreSQL: the actions already there are found through it at once, writes keep it in
step, and downgrading removes it (the tracker then walks the actions, with the same rows)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from alembic import command
from sqlalchemy import text

from qa_tui.domain import evaluation as ev
from qa_tui.domain import outcomes
from qa_tui.store import followup_search
from qa_tui.store.db import Store, make_engine
from qa_tui.store.followup_queries import ActionFilter, list_actions
from qa_tui.store.history import Actor
from qa_tui.store.migrate import alembic_config, current_revision, head_revision, open_store
from tests.sync.helpers import ANY_CASE, TEMPLATE, fake_clock

ACTOR = Actor("Alex Auditor", "0a0a0a0a-0000-4000-8000-000000000001", fake_clock)
TODAY = dt.date(2026, 11, 20)


def _to(url: str, revision: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        if revision == "head":
            command.upgrade(alembic_config(connection), revision)
        else:
            command.downgrade(alembic_config(connection), revision)
    engine.dispose()


def _add(store: Store, case_reference: str, description: str) -> str:
    with store.session() as s:
        details = ev.CaseDetails(case_reference=case_reference, team="Locality North")
        evaluation_id = ev.create_evaluation(s, ACTOR, TEMPLATE, details, ANY_CASE)
    with store.session() as s:
        return outcomes.add_action(s, ACTOR, evaluation_id, description, "Wren Vale", None)


def _search_objects(store: Store) -> int:
    with store.reader() as s:
        if store.dialect == "sqlite":
            sql = "SELECT count(*) FROM sqlite_master WHERE name LIKE '%_search%'"
        else:
            sql = "SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%_trgm'"
        return int(s.scalar(text(sql)) or 0)


def _found(store: Store, word: str) -> tuple[list[str], bool]:
    """The actions ``word`` finds, and whether the index answered."""
    with store.reader() as s:
        rows = list_actions(s, ActionFilter(words=(word,), today=TODAY), None, None)
        return [a.id for a in rows], followup_search.find(
            s, word, lambda c, w: c == w, 5
        ) is not None


def test_0014_on_a_database_written_at_0011(make_db: Callable[[], str]) -> None:
    url = make_db()
    old = open_store(url)  # the action is written, then the database taken back to 0011
    before = _add(old, "QZX-100001", "Arrange the xylophone lesson")
    old.dispose()
    _to(url, "0011")
    old = open_store(url, migrate=False)
    assert _search_objects(old) == 0
    old.dispose()

    new = open_store(url)  # upgraded through 0014 to the head: what was there is indexed
    with new.reader() as s:
        assert current_revision(s.connection()) == head_revision()
    assert _search_objects(new) > 0
    assert _found(new, "xylophone") == ([before], True)
    after = _add(new, "QZX-100002", "Book the zither class")
    assert _found(new, "zither") == ([after], True)
    if new.dialect == "sqlite":
        with new.session() as s:
            s.connection().exec_driver_sql(
                "INSERT INTO action_search(action_search, rank) VALUES ('integrity-check', 1)"
            )
    new.dispose()

    _to(url, "0011")  # down: the index and its triggers gone, the rows the same
    down = open_store(url, migrate=False)
    assert _search_objects(down) == 0
    assert _found(down, "zither") == ([after], False)
    down.dispose()
    _to(url, "head")
    up = open_store(url)  # a third written at the head, then down and up again
    third = _add(up, "QZX-100003", "Call the quartet")
    up.dispose()
    _to(url, "0011")
    _to(url, "head")  # rebuilt from the rows
    again = open_store(url)
    assert _found(again, "quartet") == ([third], True)
    assert _found(again, "qzx-1000") == (sorted([before, after, third]), True)
    again.dispose()
