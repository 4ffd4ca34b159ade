"""Moderation sessions travel like evaluations: prepared on the QA desk, carried to a meeting
room on a laptop, moderated offline on two laptops at once, and merged without loss; the
outcome reaches the auditor's laptop at their next sync."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from qa_tui.domain import evaluation as ev
from qa_tui.domain import moderation as mod
from qa_tui.domain import sessions as ses
from qa_tui.framework.model import ItemKind
from qa_tui.store import models
from qa_tui.store.history import Actor
from qa_tui.sync.aggregates import check_aggregate
from qa_tui.sync.central import merge_bundle_file
from qa_tui.sync.direct import sync_now
from qa_tui.sync.export import iter_aggregates
from qa_tui.sync.wire_values import InvalidRecord, check_change
from tests.sync.helpers import (
    TEMPLATE,
    Laptop,
    aggregates,
    conflicts,
    consistent,
    copy_into,
    make_central,
    state,
)
from tests.sync.test_retention_and_sync import _complete, laptop_settings

GRADED = [item.id for item in TEMPLATE.items(ItemKind.GRADE)]
GROUP = [("Priya Okafor", "Head of Service"), ("Tom Lindqvist", "Principal Social Worker")]


def _graded_evaluation(laptop: Laptop, case: str = "ABC-12345") -> str:
    eid = laptop.new_evaluation(case)
    for item in GRADED:
        laptop.do(ev.set_response, TEMPLATE, eid, item, grade="good", evidence="Seen.")
    with laptop.store.session() as s:
        from qa_tui.domain.outcomes import set_overall

        set_overall(s, laptop.actor, TEMPLATE, eid, overall_grade="good")
    _complete(laptop, eid)
    return eid


def _count(store, model) -> int:
    with store.reader() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_session_prepared_on_the_desk_is_moderated_on_a_laptop_and_reaches_the_auditor(
    make_db, tmp_path: Path, settings
) -> None:
    auditor = Laptop(make_db(), tmp_path, "Alex Auditor")
    moderator = Laptop(make_db(), tmp_path, "priya okafor")  # names compared ignoring case
    bystander = Laptop(make_db(), tmp_path, "Sam Elsewhere")
    central = make_central(make_db(), tmp_path / "qa.key", auditor, moderator, bystander)
    eid = _graded_evaluation(auditor)
    sync_now(auditor.store, laptop_settings(auditor, settings), central.url)

    desk = Actor("QA Desk", str(uuid.uuid4()))
    with central.session() as s:
        sid = ses.create_session(s, desk, "2026-11-30", "November group", GROUP)
        ses.add_evaluation(s, desk, sid, eid)

    report = sync_now(moderator.store, laptop_settings(moderator, settings), central.url)
    assert report.pulled_evaluations == 2  # the session and the evaluation it moderates
    bystanding = sync_now(bystander.store, laptop_settings(bystander, settings), central.url)
    assert bystanding.pulled_evaluations == 0
    assert _count(bystander.store, models.ModerationSession) == 0

    priya = ses.moderator_id(sid, "Priya Okafor")
    for item in GRADED:
        moderator.do(ses.set_blind_grade, TEMPLATE, sid, priya, eid, item, "requires_improvement")
    moderator.do(ses.reveal, sid, eid)
    moderator.do(ses.agree, TEMPLATE, sid, eid, GRADED[0], "requires_improvement", "No dates.")
    moderator.do(ses.agree, TEMPLATE, sid, eid, mod.OVERALL, "good", "", "agree")
    moderator.do(ses.record_outcome, sid, eid, feedback_gaps="Cite where in the record.")
    moderator.do(ses.close_session, sid)
    sync_now(moderator.store, laptop_settings(moderator, settings), central.url)

    pulled = sync_now(auditor.store, laptop_settings(auditor, settings), central.url)
    assert pulled.pulled_changes > 0
    with auditor.store.reader() as s:
        (view,) = mod.moderation_views(s, TEMPLATE, eid)
        assert s.scalar(select(func.count()).select_from(models.BlindGrade)) == 0  # not theirs
    assert view.moderation.feedback_gaps == "Cite where in the record."
    assert [(j.item_id, j.agreement) for j in view.judgements] == [
        (GRADED[0], "lower"),
        (mod.OVERALL, "agree"),
    ]
    with central.reader() as s:
        assert ses.get_session(s, sid).status == "closed"
        assert s.scalar(select(func.count()).select_from(models.BlindGrade)) == len(GRADED)
    # The moderator's laptop keeps following the session it holds, closed or not.
    with central.session() as s:
        ses.reopen_session(s, desk, sid)
    sync_now(moderator.store, laptop_settings(moderator, settings), central.url)
    with moderator.store.reader() as s:
        assert ses.get_session(s, sid).status == "open"
    for store in (auditor.store, moderator.store, central):
        assert consistent(store) == []
    for store in (auditor.store, moderator.store, bystander.store, central):
        store.dispose()


def test_two_laptops_moderating_one_evaluation_merge_without_loss(make_db, tmp_path: Path) -> None:
    auditor = Laptop(make_db(), tmp_path, "Alex Auditor")
    eid = _graded_evaluation(auditor)
    first = Laptop(make_db(), tmp_path, "Priya Okafor")
    second = Laptop(make_db(), tmp_path, "Tom Lindqvist")
    copy_into(first.store, auditor.store)
    sid = first.do(ses.create_session, "2026-11-30", "November group", GROUP)
    first.do(ses.add_evaluation, sid, eid)
    copy_into(second.store, first.store)
    # Offline, each moderator grades blind on their own laptop, and both add the evaluation
    # again and reveal it (the same derived records: no conflict).
    for laptop, name, grade in (
        (first, "Priya Okafor", "good"),
        (second, "Tom Lindqvist", "inadequate"),
    ):
        who = ses.moderator_id(sid, name)
        for item in GRADED:
            laptop.do(ses.set_blind_grade, TEMPLATE, sid, who, eid, item, grade)
        laptop.do(ses.add_evaluation, sid, eid)
        laptop.do(ses.reveal, sid, eid)
    first.do(ses.agree, TEMPLATE, sid, eid, GRADED[0], "good", "", "agree")
    second.do(ses.agree, TEMPLATE, sid, eid, GRADED[0], "inadequate", "Not evidenced.")
    first.do(ses.agree, TEMPLATE, sid, eid, GRADED[1], "good", "", "agree")
    second.do(ses.agree, TEMPLATE, sid, eid, GRADED[1], "good", "", "agree")

    one, other = make_db(), make_db()
    from qa_tui.store.migrate import open_store

    a, b = open_store(one), open_store(other)
    copy_into(a, first.store)
    copy_into(a, second.store)
    copy_into(b, second.store)
    copy_into(b, first.store)
    copy_into(b, first.store)  # again: nothing changes
    assert state(a) == state(b)
    with a.reader() as s:
        blind = s.scalars(select(models.BlindGrade)).all()
    assert len(blind) == 2 * len(GRADED)  # each moderator's grades are their own records
    by_moderator = {(g.moderator_id, g.item_id): g.grade for g in blind}
    assert by_moderator[(ses.moderator_id(sid, "Priya Okafor"), GRADED[0])] == "good"
    assert by_moderator[(ses.moderator_id(sid, "Tom Lindqvist"), GRADED[0])] == "inadequate"
    found = conflicts(a)
    assert {(c.entity_type, c.field) for c in found} == {
        ("moderation_judgement", "moderated_grade"),
        ("moderation_judgement", "rationale"),
    }
    assert {c.entity_id for c in found} == {
        mod.judgement_id(ses.session_moderation_id(sid, eid), GRADED[0])
    }
    held = {row[0] for row in state(a)["changes"]}
    for laptop in (first, second):
        assert {row[0] for row in state(laptop.store)["changes"]} <= held
    assert consistent(a) == [] and consistent(b) == []
    for store in (auditor.store, first.store, second.store, a, b):
        store.dispose()


def test_a_session_travels_in_a_bundle_and_bad_ones_are_refused(make_db, tmp_path: Path) -> None:
    laptop = Laptop(make_db(), tmp_path, "Priya Okafor")
    central = make_central(make_db(), tmp_path / "qa.key", laptop)
    eid = _graded_evaluation(laptop)
    sid = laptop.do(ses.create_session, "2026-11-30", "November group", GROUP)
    laptop.do(ses.add_evaluation, sid, eid)
    who = ses.moderator_id(sid, "Priya Okafor")
    laptop.do(ses.set_blind_grade, TEMPLATE, sid, who, eid, GRADED[0], "good")
    bundle = laptop.export(tmp_path / "qa.key.pub", tmp_path / "laptop.qab")
    report = merge_bundle_file(central, bundle, tmp_path / "qa.key")
    assert (report.evaluations, report.sessions) == (1, 1)
    assert "1 evaluation and 1 moderation session:" in report.summary()
    assert state(central)["blind_grades"] == state(laptop.store)["blind_grades"]

    with laptop.store.reader() as s:
        (session_agg,) = list(iter_aggregates(s, [sid]))
        (evaluation_agg,) = list(iter_aggregates(s, [eid]))
    # A blind grade smuggled into an evaluation's history is refused.
    stray = [dict(c) for c in session_agg.changes if c["entity_type"] == "blind_grade"]
    mixed = type(evaluation_agg)(eid, [dict(c) for c in evaluation_agg.changes] + stray)
    with pytest.raises(InvalidRecord):
        for change in mixed.changes:
            change["evaluation_id"] = eid
            check_change(change)
        check_aggregate(mixed, links_given=False)
    # A moderator claiming to belong to another session is refused.
    other = [dict(c) for c in session_agg.changes]
    for change in other:
        if change["entity_type"] == "session_moderator" and change["field"] == "_create":
            change["value"] = change["value"].replace(sid, str(uuid.uuid4()))
    with pytest.raises(InvalidRecord, match="belongs to another moderation session"):
        for change in other:
            check_change(change)
    laptop.store.dispose()
    central.dispose()


def test_aggregates_of_both_kinds_list_and_export(make_db, tmp_path: Path) -> None:
    laptop = Laptop(make_db(), tmp_path, "Priya Okafor")
    eid = _graded_evaluation(laptop)
    sid = laptop.do(ses.create_session, "2026-11-30", "", GROUP)
    laptop.do(ses.add_evaluation, sid, eid)
    kinds = sorted(a.root_type for a in aggregates(laptop.store))
    assert kinds == ["evaluation", "moderation_session"]
    laptop.store.dispose()
