"""The demo's programme: a case list, a practice day with allocations (some to the laptop's
user, so the home list shows "Allocated to you"), a dip sample drawn with a seed from the
case list, a thematic evaluation with terms of reference, evaluations and some findings, the
board's meetings and systemic actions — marked demo by their ids, synthetic case references,
added once, removed by ``demo --remove`` with their history, leaving real plans alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from qa_tui import demo
from qa_tui.domain import plans as pl
from qa_tui.domain.plan_views import my_allocations
from qa_tui.store import models
from qa_tui.store.history import Actor, check_consistency
from qa_tui.store.queries import DEMO_CASE_LIST, demo_aggregate_ids, demo_programme_ids
from qa_tui.workspace import open_workspace
from tests.conftest import frozen_clock

ME = "Jo Tester"
REFERENCE = re.compile(r"(LCS|EHM|YJS|FOS)-\d{6}")


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from qa_tui.config import load_settings

    folder = tmp_path_factory.mktemp("demo-programme")
    settings = load_settings(folder / "config.toml").with_changes(auditor_name=ME)
    ws = open_workspace(settings, f"sqlite:///{folder / 'demo.db'}", clock=frozen_clock)
    demo.generate(ws, 150, 11)
    yield ws
    ws.close()


def _count(session: Any, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_the_programme_is_there_and_marked_demo(filled: Any) -> None:
    with filled.store.reader() as s:
        plans = {p.kind: p for p in s.scalars(select(models.Plan))}
        assert set(plans) == {"practice_day", "dip_sample", "thematic"}
        meetings = s.scalars(select(models.BoardMeeting)).all()
        actions = s.scalars(select(models.BoardAction)).all()
        assert len(meetings) == 6 and len(actions) == 3
        marked = demo_programme_ids()
        assert {p.id for p in plans.values()} | {m.id for m in meetings} | {
            a.id for a in actions
        } <= marked
        assert {p.id for p in plans.values()} <= demo_aggregate_ids(s)
        assert [a.plan_id for a in actions].count(plans["thematic"].id) == 1
        assert check_consistency(s) == []


def test_the_laptops_user_has_cases_allocated(filled: Any) -> None:
    with filled.store.reader() as s:
        mine = my_allocations(s, ME)
        day = next(p for p in s.scalars(select(models.Plan)) if p.kind == "practice_day")
        group = [m.name for m in pl.members(s, day.id)]
    assert ME in group and len(group) == 4
    assert any(m.describe() == f"Allocated to you for 3 December ({day.title})" for m in mine)
    assert {m.plan_kind for m in mine} == {"practice_day", "thematic"}


def test_the_thematic_evaluation_has_terms_evaluations_and_some_findings(filled: Any) -> None:
    with filled.store.reader() as s:
        plan = next(p for p in s.scalars(select(models.Plan)) if p.kind == "thematic")
        assert pl.missing_terms(plan) == [] and plan.status == "under_way"
        recorded = [name for name in pl.FINDINGS if getattr(plan, name)]
        assert 0 < len(recorded) < len(pl.FINDINGS)  # some findings, not yet all
        rows = pl.allocations(s, plan.id)
        started = [r for r in rows if r.started_evaluation_id]
        assert started and any(not r.started_evaluation_id for r in rows)
        for row in started:
            found = s.get(models.Evaluation, row.started_evaluation_id)
            assert found is not None and found.demo and found.theme == plan.title
            assert (found.case_reference, found.status) == (row.case_reference, "completed")


def test_the_dip_sample_can_be_drawn_again(filled: Any) -> None:
    from qa_tui.services.planning import PlanningService

    with filled.store.reader() as s:
        plan = next(p for p in s.scalars(select(models.Plan)) if p.kind == "dip_sample")
        drawn = pl.sample_of(plan)
        refs = [r.case_reference for r in pl.allocations(s, plan.id)]
        listed = s.scalars(select(models.CaseRecord.imported_at).distinct()).all()
    assert drawn is not None and drawn["strata_field"] == "team" and plan.hypothesis
    assert listed == [DEMO_CASE_LIST]
    service = PlanningService(filled)
    assert service.frame_change(plan.id) == ""
    again = service.sample(
        "cases", drawn["size"], drawn["seed"], "team", drawn["where"], plan.hypothesis
    )
    assert sorted(u.case_reference for u in again.drawn) == sorted(refs)


def test_case_references_are_synthetic_never_names(filled: Any) -> None:
    with filled.store.reader() as s:
        refs = [*s.scalars(select(models.Allocation.case_reference))]
        refs += s.scalars(select(models.CaseRecord.reference))
    assert refs and all(REFERENCE.fullmatch(r) for r in refs), refs[:5]


def test_added_once_and_removed_with_its_history(settings: Any, tmp_path: Any) -> None:
    ws = open_workspace(settings, f"sqlite:///{tmp_path / 'x.db'}", clock=frozen_clock)
    try:
        actor = Actor(settings.author, settings.device_id)
        with ws.store.session() as s:
            real = pl.create_plan(s, actor, "thematic", "A real theme", "2026-12-01")
        demo.generate(ws, 20, 3)
        demo.generate(ws, 20, 4)  # more demo data: the programme is not added twice
        with ws.store.reader() as s:
            assert _count(s, models.Plan) == 4 and _count(s, models.BoardMeeting) == 6
            assert _count(s, models.CaseRecord) > 0
        with ws.store.session() as s:
            removed = demo.remove_demo(s)
        assert removed.programme == 12 and removed.cases > 0
        assert "the demo programme" in removed.summary()
        with ws.store.reader() as s:
            assert [p.id for p in s.scalars(select(models.Plan))] == [real]
            for model in (
                models.PlanMember,
                models.Allocation,
                models.BoardMeeting,
                models.BoardAction,
                models.BoardActionUpdate,
                models.CaseRecord,
            ):
                assert _count(s, model) == 0, model
            kept = set(s.scalars(select(models.Change.evaluation_id).distinct()))
            assert kept == {real}
            assert check_consistency(s) == []
    finally:
        ws.close()


def test_a_real_case_list_is_never_touched(settings: Any, tmp_path: Any) -> None:
    from qa_tui.domain.case_import import read_case_list
    from qa_tui.services.planning import PlanningService

    ws = open_workspace(settings, f"sqlite:///{tmp_path / 'y.db'}", clock=frozen_clock)
    try:
        listed = "Case reference,Team\nLCS-100001,North\nLCS-100002,South\n"
        PlanningService(ws).import_cases(read_case_list(listed.encode()))
        demo.generate(ws, 10, 5)
        with ws.store.session() as s:
            demo.remove_demo(s)
        with ws.store.reader() as s:
            refs = sorted(s.scalars(select(models.CaseRecord.reference)))
            dip = _count(s, models.Plan)
        assert refs == ["LCS-100001", "LCS-100002"] and dip == 0
    finally:
        ws.close()


def test_a_user_named_after_the_demo_is_welcomed_onto_the_practice_day(
    tmp_path: Any,
) -> None:
    """``qa-tui demo`` run before the laptop knew its user: giving the name (first run) puts
    them in the practice day's group with two cases, once."""
    from qa_tui.config import load_settings
    from qa_tui.demo.programme import welcome

    settings = load_settings(tmp_path / "config.toml")
    assert not settings.has_identity
    ws = open_workspace(settings, f"sqlite:///{tmp_path / 'z.db'}", clock=frozen_clock)
    try:
        demo.generate(ws, 20, 8)
        with ws.store.reader() as s:
            assert my_allocations(s, "Sam Trial") == []
        ws.settings = settings.with_changes(auditor_name="Sam Trial")
        assert ws.write(welcome, "Sam Trial", "CIN Team") == 2
        assert ws.write(welcome, "sam  trial") == 0  # the same person: nothing more
        with ws.store.reader() as s:
            mine = my_allocations(s, "Sam Trial")
            assert len(mine) == 2 and all("for 3 December" in m.describe() for m in mine)
            assert check_consistency(s) == []
    finally:
        ws.close()
