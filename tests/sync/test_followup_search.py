"""The actions tracker's filter on SQLite and PostgreSQL, with the search index of migration
0014: exactly the rows a plain Python filter of every action gives, whichever way a word is
looked up (the index, or the walk when a word is common or short), and the index kept in step
by a bulk insert, a local update and the merge of a bundle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from qa_tui.domain import evaluation as ev
from qa_tui.domain import outcomes
from qa_tui.store import followup_queries, followup_search
from qa_tui.store.db import Store
from qa_tui.store.followup_queries import (
    ActionFilter,
    TrackedAction,
    count_actions,
    count_step,
    list_actions,
    walk_actions,
)
from qa_tui.sync.central import merge_bundle_file
from tests.sync.helpers import Laptop, make_central

TODAY = dt.date(2026, 11, 20)
STATUSES: list[tuple[str, ...]] = [(), ("open", "in_progress"), ("done",), ("cancelled",)]


def _plain(every: list[TrackedAction], flt: ActionFilter) -> list[str]:
    """The filter as its docstring says, in Python, over every action."""
    out = []
    for a in every:
        if flt.statuses and a.status not in flt.statuses:
            continue
        if flt.overdue and not a.overdue:
            continue
        text = "\n".join((a.owner, a.description, a.team, a.service_area, a.case_reference))
        if all(w.lower() in text.lower() for w in flt.words):
            out.append(a.id)
    return out


def _words(every: list[TrackedAction]) -> list[tuple[str, ...]]:
    first, last = every[0], every[-1]
    picked = [
        first.owner.split()[0].upper(),
        first.case_reference,
        first.case_reference[-4:],
        first.team.split()[-1].lower(),
        last.description.split()[-1],
        last.service_area[:5],
    ]
    odd = ["zzz", "ZZZ-NONE", "n", "no", "e", "12", "%", "_", "\\", "a_b", "-", "lcs-", "the"]
    # One and two letters (no trigram index answers them: walked in bounded steps), some
    # matching nothing, some one column only.
    short = ["zq", "q", "x", "7", first.case_reference[:2], first.owner[-2:], last.team[:1]]
    return [(w,) for w in picked + odd + short] + [
        (picked[0], picked[3]),
        ("the", "zzz"),
        ("e", "no"),
        ("zq", "e"),
    ]


def _walked(
    ws: Any, flt: ActionFilter, limit: int, walk: int, after: Any = None
) -> list[TrackedAction]:
    """The tracker's way: bounded steps of ``walk`` actions, each going on from the last
    action the one before examined, until ``limit`` rows or the end."""
    rows: list[TrackedAction] = []
    while True:
        step = ws.read(walk_actions, flt, after, limit - len(rows), None, walk)
        assert len(step.rows) <= limit - len(rows)
        rows += step.rows
        if step.walked_to is None:
            return rows
        assert len(rows) < limit  # a step stops early only to say where it got to
        after = step.walked_to


def _counted(ws: Any, flt: ActionFilter, walk: int) -> int:
    """The count as the tracker makes it: step by step, added up."""
    total, after = 0, None
    while True:
        found, after = ws.read(count_step, flt, 10_000, after, None, walk)
        total += found
        if after is None:
            return total


def _in_step(store: Store) -> None:
    """SQLite: FTS5's own check of its index against the tables (raises if out of step)."""
    if store.dialect == "sqlite":
        with store.session() as s:
            for fts in followup_search.FTS_TABLES:
                s.connection().exec_driver_sql(
                    f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)"
                )


@pytest.mark.parametrize("few", [followup_queries.INDEXED_FEW, 2])
def test_every_filter_gives_the_rows_a_plain_filter_gives(
    make_db: Callable[[], str], settings: Any, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    from qa_tui.demo import generate
    from qa_tui.workspace import open_workspace

    monkeypatch.setattr(followup_queries, "INDEXED_FEW", few)  # 2: most words walk instead
    looked_up: list[bool] = []
    find = followup_search.find

    def spy(session: Session, word: str, *args: Any) -> Any:
        found = find(session, word, *args)
        looked_up.append(found is not None)
        return found

    monkeypatch.setattr(followup_search, "find", spy)
    ws = open_workspace(settings, make_db())
    try:
        generate(ws, 40, seed=11)  # bulk inserts: the triggers index them
        _in_step(ws.store)
        assert ws.read(followup_search.has_index)
        every = ws.read(list_actions, ActionFilter(today=TODAY), None, None)
        assert len(every) > 40
        for words in _words(every):
            for statuses in STATUSES:
                for overdue in (False, True):
                    flt = ActionFilter(statuses=statuses, overdue=overdue, words=words, today=TODAY)
                    want = _plain(every, flt)
                    got = ws.read(list_actions, flt, None, None)
                    assert [a.id for a in got] == want, flt
                    assert ws.read(count_actions, flt) == len(want), flt
                    if not statuses:  # a page, then the rest after its last row
                        first = ws.read(list_actions, flt, None, 3)
                        rest = ws.read(list_actions, flt, first[-1].sort_key, None) if first else []
                        assert [a.id for a in first + rest] == want, flt
                    # In bounded steps (7 actions each: many steps), a page and then the rest.
                    page = _walked(ws, flt, 3, 7)
                    assert [a.id for a in page] == want[:3], flt
                    after = page[-1].sort_key if page else None
                    rest = _walked(ws, flt, 10**6, 7, after) if len(page) == 3 else []
                    assert [a.id for a in page + rest] == want, flt
                    assert _counted(ws, flt, 11) == len(want), flt
    finally:
        ws.close()
    assert any(looked_up) and not all(looked_up)  # both ways were taken


def _ids(store: Store, *words: str) -> list[str]:
    with store.reader() as s:
        return [a.id for a in list_actions(s, ActionFilter(words=words, today=TODAY), None, None)]


def test_the_index_stays_in_step_after_an_update_and_a_bundle_merge(
    make_db: Callable[[], str], tmp_path: Path
) -> None:
    laptop = Laptop(make_db(), tmp_path, "Alex Auditor")
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    pub, key = tmp_path / "qa.key.pub", tmp_path / "qa.key"
    evaluation_id = laptop.new_evaluation("QZX-424242")
    action_id = laptop.do(
        outcomes.add_action, evaluation_id, "Arrange the xylophone lesson", "Wren Vale", None
    )
    other = laptop.do(outcomes.add_action, evaluation_id, "Visit the school", "Sam Lee", None)
    merge_bundle_file(central, laptop.export(pub, tmp_path / "one.qab"), key)
    for store in (laptop.store, central):
        assert _ids(store, "xylophone") == [action_id]
        assert _ids(store, "WREN") == [action_id]
        assert sorted(_ids(store, "qzx-4242")) == sorted([action_id, other])
        _in_step(store)
    # Changed on the laptop (owner, action, case reference, team; one action removed), then
    # merged again: the old words find nothing, the new ones find them.
    laptop.do(
        outcomes.update_action, action_id, description="Book the zither class", owner="Quill Moss"
    )
    laptop.do(
        ev.update_details, evaluation_id, {"case_reference": "QZX-515151", "team": "Ridgeway"}, ".*"
    )
    laptop.do(outcomes.remove_action, other)
    merge_bundle_file(central, laptop.export(pub, tmp_path / "two.qab"), key)
    for store in (laptop.store, central):
        for gone in ("xylophone", "wren", "424242", "visit"):
            assert _ids(store, gone) == [], gone
        for word in ("zither", "quill", "515151", "ridgeway"):
            assert _ids(store, word) == [action_id], word
        _in_step(store)
    # Rows deleted (the laptop's retention purge): gone from the index too.
    from qa_tui.sync.retention import _purge_one

    with laptop.store.session() as s:
        _purge_one(s, evaluation_id, "2026-11-21T00:00:00.000+00:00")
    assert _ids(laptop.store, "zither") == _ids(laptop.store, "qzx") == []
    _in_step(laptop.store)
    laptop.store.dispose()
    central.dispose()


def test_open_concerns_are_the_tables_read_plainly(
    make_db: Callable[[], str], settings: Any
) -> None:
    """The concerns screen's one query against the shares and events read whole in Python:
    the same concerns, in the same order (not yet shared with all four first, then the
    oldest), with the same counts, for each filter."""
    from sqlalchemy import select

    from qa_tui.demo import generate
    from qa_tui.store import models
    from qa_tui.store.followup_concerns import list_open_concerns
    from qa_tui.vocab import CONCERN_RECIPIENTS
    from qa_tui.workspace import open_workspace

    ws = open_workspace(settings, make_db())
    try:
        generate(ws, 80, seed=4)
        with ws.store.reader() as s:
            evaluations = s.scalars(select(models.Evaluation)).all()
            shares = s.scalars(select(models.ConcernShare)).all()
            events = s.scalars(select(models.ConcernEvent)).all()
            roles: dict[str, set[str]] = {}
            for share in shares:
                if not share.deleted and share.recipient_role in CONCERN_RECIPIENTS:
                    roles.setdefault(share.evaluation_id, set()).add(share.recipient_role)
            kinds = {(x.evaluation_id, x.kind) for x in events if not x.deleted}
            open_ = [
                e
                for e in evaluations
                if not e.deleted and e.immediate_concern and (e.id, "closed") not in kinds
            ]
            assert open_ and {(e.id, "closed") for e in evaluations} & kinds  # some closed
            open_.sort(key=lambda e: (len(roles.get(e.id, ())) >= 4, e.evaluation_date, e.id))
            said = open_[0].concern_description.split()[-1]  # a word of a concern's own
            for words in [
                (),
                ("north",),
                ("LCS",),
                ("zzz",),
                (open_[-1].auditor.split()[0], "-"),
                (said,),
            ]:
                want = [
                    (e.id, len(roles.get(e.id, ())), (e.id, "acknowledged") in kinds)
                    for e in open_
                    if all(
                        w.lower()
                        in "\n".join(
                            (
                                e.case_reference,
                                e.team,
                                e.service_area,
                                e.auditor,
                                e.concern_description or "",
                            )
                        ).lower()
                        for w in words
                    )
                ]
                assert want or words != (said,)
                got = list_open_concerns(s, 0, None, words)
                assert [(c.evaluation_id, c.shared_roles, c.acknowledged) for c in got] == want
                assert [c.evaluation_id for c in list_open_concerns(s, 2, 3, words)] == [
                    w[0] for w in want[2:5]
                ]
    finally:
        ws.close()
