"""Demo data: realistic, complete where it says so, deterministic, consistent with its history."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import func, select

from qa_tui import demo
from qa_tui.config import DEFAULT_CASE_PATTERN
from qa_tui.demo.recorder import TODAY
from qa_tui.domain.completion import missing
from qa_tui.store import models
from qa_tui.store.history import check_consistency, read_clock
from qa_tui.store.views import load_view
from qa_tui.workspace import open_workspace
from tests.conftest import frozen_clock


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One database with 150 demo evaluations, shared by the read-only checks below."""
    from qa_tui.config import load_settings

    folder = tmp_path_factory.mktemp("demo")
    settings = load_settings(folder / "config.toml")
    ws = open_workspace(settings, f"sqlite:///{folder / 'demo.db'}", clock=frozen_clock)
    assert demo.generate(ws, 150, 11) == 150
    yield ws
    ws.close()


def test_history_and_state_agree(filled: Any) -> None:
    with filled.store.reader() as session:
        assert check_consistency(session) == []


def test_completed_evaluations_have_nothing_missing(filled: Any) -> None:
    statuses: Counter[str] = Counter()
    with filled.store.reader() as session:
        for evaluation in session.scalars(select(models.Evaluation)):
            statuses[evaluation.status] += 1
            view = load_view(session, evaluation.id)
            problems = missing(view, filled.template_for(evaluation))
            if evaluation.status == "draft":
                assert problems, "a draft should still have something to do"
            else:
                assert problems == [], (evaluation.id, problems[:3])
    assert set(statuses) == {"draft", "completed", "reopened"}
    assert statuses["completed"] > statuses["draft"] > statuses["reopened"]


def test_variety_of_the_data(filled: Any) -> None:
    with filled.store.reader() as session:
        evals = session.scalars(select(models.Evaluation)).all()
        actions = session.scalars(select(models.Action)).all()
        shares = session.scalars(select(models.ConcernShare)).all()
        roles = {p.role for p in session.scalars(select(models.Participant))}
        sources = {f.source for f in session.scalars(select(models.Feedback))}
        snapshots = {s.template_id for s in session.scalars(select(models.TemplateSnapshot))}
    assert {e.template_id for e in evals} == set(demo.BUILTIN_IDS) == snapshots
    assert len({e.service_area for e in evals}) >= 6 and len({e.team for e in evals}) >= 12
    assert len({e.overall_grade for e in evals if e.status != "draft"}) >= 3
    assert all(re.fullmatch(DEFAULT_CASE_PATTERN, e.case_reference) for e in evals)
    assert any(e.immediate_concern for e in evals) and shares
    assert {"Practitioner", "Independent Reviewing Officer"} <= roles
    assert "direct" in sources and len(sources) >= 3
    statuses = Counter(a.current_status for a in actions)
    assert statuses["done"] and statuses["in_progress"] and statuses["open"]
    overdue = [a for a in actions if a.current_status == "open" and a.due_date < TODAY]
    assert overdue
    assert all(a.status_on for a in actions if a.current_status == "done")


def test_follow_through_at_every_stage(filled: Any) -> None:
    """Progress updates (some by the QA desk), concerns at every stage, findings shared."""
    from qa_tui.domain.followup import concern_stage
    from qa_tui.store.queries import list_evaluations

    with filled.store.reader() as session:
        updates = session.scalars(select(models.ActionUpdate)).all()
        rows = list_evaluations(session)
        summary_shares = session.scalars(select(models.SummaryShare)).all()
    assert {u.created_by for u in updates} > {"Morgan Ellis"}
    stages = {
        concern_stage(True, r.concern_shared, r.concern_acknowledged, r.concern_closed)
        for r in rows
        if r.immediate_concern
    }
    assert stages == {"raised", "shared", "acknowledged", "closed"}
    assert any(0 < r.concern_shared < 4 for r in rows)
    shared = {s.evaluation_id for s in summary_shares}
    completed = {r.id for r in rows if r.status == "completed"}
    assert shared and completed - shared and shared <= completed


def test_evaluations_on_the_versions_before_and_after_the_upgrade(filled: Any) -> None:
    """Evaluations before the upgrade day were made with the 1.0 templates (and still open
    with them); later ones with the current versions, the audit's prompts marked."""
    from qa_tui.demo.recorder import UPGRADE_DAY
    from qa_tui.framework.model import PROMPT_MARKS

    with filled.store.reader() as session:
        evals = session.scalars(select(models.Evaluation)).all()
        versions = Counter((e.template_id, e.template_version) for e in evals)
        for e in evals:
            assert (e.template_version in ("1.0",)) == (e.evaluation_date < UPGRADE_DAY)
            template = filled.template_for(e)
            assert (template.version, template.content_hash) == (
                e.template_version,
                e.template_hash,
            )
        audits = [
            e
            for e in evals
            if (e.template_id, e.template_version) == ("quality_of_practice_audit", "2.0")
        ]
        new = filled.template_for(audits[0])
        prompt_ids = {p.id for item in new.items() for p in item.prompts}
        marks = Counter(
            r.grade
            for r in session.scalars(select(models.Response))
            if r.item_id in prompt_ids and r.evaluation_id in {e.id for e in audits}
        )
        not_reached = session.scalars(
            select(models.Response).where(models.Response.na_reason == new.scale.not_reached_reason)
        ).all()
    assert {
        ("collaborative_practice_evaluation", "1.0"),
        ("collaborative_practice_evaluation", "1.1"),
        ("quality_of_practice_audit", "1.0"),
        ("quality_of_practice_audit", "2.0"),
    } == (set(versions))
    # 2.0's prompt ids are 1.0's statement ids: in a 2.0 evaluation they hold marks only.
    assert set(marks) <= set(PROMPT_MARKS) and marks["seen"] and marks["not_seen"]
    assert not_reached  # some cases have not reached planning or review


def test_text_is_revised_with_a_real_history(filled: Any) -> None:
    with filled.store.reader() as session:
        per_field = Counter(
            (c.entity_id, c.field)
            for c in session.scalars(select(models.Change).where(models.Change.field == "evidence"))
        )
        revised = [key for key, n in per_field.items() if n >= 3]
        assert revised
        entity_id, field = revised[0]
        chain = session.scalars(
            select(models.Change)
            .where(models.Change.entity_id == entity_id, models.Change.field == field)
            .order_by(models.Change.counter)
        ).all()
        assert json.loads(chain[1].supersedes) == [chain[0].id]
        assert chain[1].old_value == chain[0].value
        counters = session.scalars(select(models.Change.counter)).all()
        assert len(set(counters)) == len(counters)
        assert read_clock(session) == max(counters)


def _all_changes(ws: Any) -> list[tuple[Any, ...]]:
    with ws.store.reader() as session:
        rows = session.execute(select(models.Change).order_by(models.Change.counter)).scalars()
        return [
            (c.id, c.entity_id, c.field, c.value, c.author, c.counter, c.wall_time) for c in rows
        ]


def test_records_and_changes_have_ids_that_begin_with_their_time(filled: Any) -> None:
    """As the app's own (qa_tui.ids): a change's id begins with its wall time, so a laptop's
    new changes land together in the central database's indexes."""
    import datetime as dt
    import uuid

    with filled.store.reader() as session:
        rows = session.execute(select(models.Change.id, models.Change.wall_time)).all()
    for change_id, wall_time in rows:
        value = uuid.UUID(change_id)
        assert value.version == 7
        assert value.int >> 80 == int(dt.datetime.fromisoformat(wall_time).timestamp() * 1000)


def test_evaluations_have_ids_made_as_the_app_makes_them(filled: Any) -> None:
    """Time first (qa_tui.ids), so the demo's bundle lists its evaluations, and their records,
    in the order they were made, as a laptop's does (the merge benchmark's workload)."""
    import datetime as dt
    import uuid

    with filled.store.reader() as session:
        rows = session.execute(select(models.Evaluation.id, models.Evaluation.created_at)).all()
    assert len(rows) == 150
    made = []
    for evaluation_id, created_at in sorted(rows):
        value = uuid.UUID(evaluation_id)
        assert value.version == 7
        millis = int(dt.datetime.fromisoformat(created_at).timestamp() * 1000)
        assert 0 <= millis - (value.int >> 80) <= 60_000  # made, then its creation recorded
        made.append(created_at)
    assert made == sorted(made)  # in id order is in the order made


def test_an_evaluations_draws_are_seeded_as_before_its_ids_were_timed() -> None:
    """The version 4 id the demo's draws for an evaluation are seeded by is the one it was
    given before (new_uuid from the same bits), so a seed's follow-through stays the same."""
    import datetime as dt
    import random

    from qa_tui.demo.ids import new_uuid, timed_and_seed

    moment = dt.datetime(2026, 3, 2, 9, 41, tzinfo=dt.UTC)
    timed, seed = timed_and_seed(moment, random.Random(5))
    assert seed == new_uuid(random.Random(5))
    assert timed != seed and timed[14] == "7" and seed[14] == "4"
    assert timed[19:] == seed[19:]  # the same random bits after the time and version


def test_same_seed_same_data(settings: Any, tmp_path: Any) -> None:
    made = []
    for name in ("one.db", "two.db"):
        ws = open_workspace(settings, f"sqlite:///{tmp_path / name}")
        demo.generate(ws, 20, 99)
        made.append(_all_changes(ws))
        ws.close()
    assert made[0] == made[1]


def test_more_demo_data_into_a_filled_database(workspace: Any) -> None:
    demo.generate(workspace, 15, 1)
    demo.generate(workspace, 15, 1)  # the same seed again must not collide
    with workspace.store.reader() as session:
        assert session.scalar(select(func.count()).select_from(models.Evaluation)) == 30
        assert check_consistency(session) == []


def test_ensure_demo_fills_only_an_empty_database(workspace: Any) -> None:
    assert demo.ensure_demo(workspace, count=5) is True
    assert demo.ensure_demo(workspace, count=5) is False
    with workspace.store.reader() as session:
        assert session.scalar(select(func.count()).select_from(models.Evaluation)) == 5


def test_no_child_is_named(filled: Any) -> None:
    """Family members appear by relationship only; staff names carry no child's name."""
    with filled.store.reader() as session:
        givers = {f.given_by for f in session.scalars(select(models.Feedback))}
        family = {
            p.name
            for p in session.scalars(select(models.Participant))
            if p.role not in ("Practitioner", "Independent Reviewing Officer")
        }
    assert givers <= {"", "Mum", "Dad", "the grandmother", "the carer", "the young person"}
    assert all(" " in name or name.startswith(("Mum", "Dad", "the ")) for name in family)
