"""Plans in the core: a practice day planned, its review group named, cases added from the
case list, allocated by the rules, started by a manager with the case details filled in; a
thematic evaluation cannot start without its terms of reference; a dip sample is recorded
with its seed; a closed plan is read-only; the monthly view of what each manager still has."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from qa_tui.domain import plans as pl
from qa_tui.domain.allocation import AllocationError, Rules
from qa_tui.domain.case_import import read_case_list
from qa_tui.domain.lifecycle import complete
from qa_tui.domain.plan_views import load_plan, my_allocations
from qa_tui.errors import ReadOnlyError, ValidationError
from qa_tui.framework.model import Template
from qa_tui.services.planning import PlanningService
from qa_tui.store import models
from qa_tui.store.history import check_consistency
from tests.unit.test_domain import fill, tpl  # noqa: F401  (tpl is a fixture)

CASES = "Case reference,Service area,Team,Allocated worker,Category\n" + "".join(
    f"LCS-90{i:04d},Children in Need,{('Locality North', 'Locality South')[i % 2]},"
    f"Worker {i % 3},{('CP', 'CIN')[i % 2]}\n"
    for i in range(12)
)
GROUP = [
    pl.MemberInput("Alex Auditor", team="Locality North", supervises=("Worker 0",)),
    pl.MemberInput("Bea Manager", team="Locality South", supervises=("Worker 1",)),
    pl.MemberInput("Cy Manager", team="Locality North"),
]


@pytest.fixture
def service(workspace: Any, tpl: Template) -> PlanningService:  # noqa: F811
    planning = PlanningService(workspace)
    planning.import_cases(read_case_list(CASES.encode()))
    return planning


def _practice_day(service: PlanningService) -> str:
    plan_id = service.create(
        "practice_day", "Practice day, CIN", "2026-12-03", template_id="test_small"
    )
    service.put_members(plan_id, GROUP)
    drawn = service.sample("cases", 6, 4711, "team", {"service_area": "Children in Need"})
    service.add_sample(plan_id, drawn)
    return plan_id


def test_a_practice_day_planned_allocated_and_started_with_the_case_filled_in(
    service: PlanningService, workspace: Any
) -> None:
    plan_id = _practice_day(service)
    assert service.allocate(plan_id) == 6
    detail = service.detail(plan_id)
    assert detail.loads == {"Alex Auditor": 2, "Bea Manager": 2, "Cy Manager": 2}
    assert json.loads(detail.plan.sample)["seed"] == 4711
    assert json.loads(detail.plan.rules)["outside_line"] is True
    assert all(a.progress == "allocated" for a in detail.allocations)
    mine = service.mine()  # the settings' author is Alex Auditor
    assert len(mine) == 2 and mine[0].describe() == (
        "Allocated to you for 3 December (Practice day, CIN)"
    )
    first = mine[0]
    eid = service.start_allocated(first.id)
    assert service.start_allocated(first.id) == eid  # starting again opens the same one
    with workspace.store.reader() as s:
        made = s.get(models.Evaluation, eid)
        row = s.get(models.Allocation, first.id)
        assert made is not None and row is not None
        assert made.case_reference == first.case_reference
        assert (made.team, made.practitioner) == (row.team, row.worker)
        assert made.evaluation_type == "practice_day"
        assert made.practice_day == "Practice day, CIN"
        assert made.auditor == "Alex Auditor"
        plan = s.get(models.Plan, plan_id)
        assert plan is not None and plan.status == "under_way"
        check_consistency(s)
    assert [m.progress for m in service.mine()] == ["started", "allocated"]


def test_completed_allocations_leave_the_home_list_and_count_as_done(
    service: PlanningService,
    workspace: Any,
    tpl: Template,  # noqa: F811
) -> None:
    plan_id = _practice_day(service)
    service.allocate(plan_id)
    first = service.mine()[0]
    eid = service.start_allocated(first.id)
    fill(workspace, tpl, eid)
    workspace.write(complete, tpl, eid)
    assert [m.id for m in service.mine()] == [service.mine()[0].id]
    assert first.id not in {m.id for m in service.mine()}
    assert service.detail(plan_id).counts["completed"] == 1
    assert service.plans()[0].done == 1


def test_a_thematic_evaluation_cannot_start_without_terms_of_reference(
    service: PlanningService, workspace: Any
) -> None:
    plan_id = service.create("thematic", "Neglect", "2027-01-10", template_id="test_small")
    with pytest.raises(ValidationError, match="without its terms of reference"):
        service.start(plan_id)
    service.add_cases(plan_id, [pl.PlannedCase("LCS-900001")])
    allocation = pl.allocation_id(plan_id, "LCS-900001")
    service.set_reviewer(allocation, "Alex Auditor")
    with pytest.raises(ValidationError, match="without its terms of reference"):
        service.start_allocated(allocation)
    terms = {name: f"{label}." for name, label in pl.TERMS.items()}
    service.update(plan_id, **terms)
    service.start(plan_id)
    eid = service.start_allocated(allocation)
    with workspace.store.reader() as s:
        made = s.get(models.Evaluation, eid)
        assert made is not None and (made.evaluation_type, made.theme) == ("thematic", "Neglect")
    service.update(plan_id, findings_strengths="Plans were reviewed on time.")
    assert service.detail(plan_id).plan.findings_strengths == "Plans were reviewed on time."


def test_allocation_that_cannot_hold_writes_nothing(service: PlanningService) -> None:
    plan_id = service.create("practice_day", "Small day", "2026-12-03")
    service.put_members(plan_id, GROUP)
    service.add_cases(plan_id, [pl.PlannedCase("LCS-900001", team="Locality North")])
    with pytest.raises(AllocationError, match="nearest that works"):
        service.allocate(plan_id)
    assert all(not a.reviewer for a in service.detail(plan_id).allocations)
    assert service.allocate(plan_id, Rules(outside_line=False)) == 1


def test_a_closed_plan_is_read_only_and_bad_input_is_refused(
    service: PlanningService, workspace: Any
) -> None:
    with pytest.raises(ValidationError, match="Date: when is the practice day"):
        service.create("practice_day", "No date", None)
    with pytest.raises(ValidationError, match="Kind"):
        service.create("picnic", "What", "2026-12-03")
    with pytest.raises(ValidationError, match="before the first"):
        service.create("practice_day", "Backwards", "2026-12-03", "2026-12-01")
    plan_id = _practice_day(service)
    service.close(plan_id)
    with pytest.raises(ReadOnlyError, match="is closed"):
        service.update(plan_id, notes="late")
    with workspace.store.reader() as s:
        assert my_allocations(s, "Alex Auditor") == []
        assert load_plan(s, plan_id).plan.status == "closed"


def test_the_same_case_added_twice_is_one_allocation(
    service: PlanningService, workspace: Any
) -> None:
    plan_id = service.create("dip_sample", "CP reviews", None, hypothesis="On time")
    one = service.add_cases(plan_id, [pl.PlannedCase("LCS-900001")])
    two = service.add_cases(plan_id, [pl.PlannedCase("LCS-900001"), pl.PlannedCase("LCS-900002")])
    assert one[0] == two[0] and len(set(two)) == 2
    with workspace.store.reader() as s:
        rows = s.scalars(select(models.Allocation.case_reference)).all()
        assert sorted(rows) == ["LCS-900001", "LCS-900002"]


def test_demo_evaluations_count_towards_the_monthly_expectation(
    service: PlanningService,
    workspace: Any,
    tpl: Template,  # noqa: F811
) -> None:
    """Like every report, the expectation counts demo evaluations (a demo database's roster
    is its demo managers: leaving their evaluations out showed "0 of 5" on every month)."""
    from sqlalchemy import update

    from tests.unit.test_domain import new_eval

    plan_id = service.create("practice_day", "Practice day, CIN", "2026-12-03")
    service.put_members(plan_id, GROUP)
    eid = new_eval(workspace)  # audited by Alex Auditor, dated 20 November 2026
    fill(workspace, tpl, eid)
    workspace.write(complete, tpl, eid)

    with workspace.store.session() as session:
        session.execute(
            update(models.Evaluation).where(models.Evaluation.id == eid).values(demo=True)
        )
    done = {r.name: r.completed for r in service.expectation()[1]}
    assert done == {"Alex Auditor": 1, "Cy Manager": 0, "Bea Manager": 0}


def test_the_monthly_expectation_and_its_reminder_draft(
    service: PlanningService,
    workspace: Any,
    tpl: Template,  # noqa: F811
    db_url: str,
    tmp_path: Any,
) -> None:
    import email
    from email.policy import default

    from click.testing import CliRunner

    from qa_tui.cli import main
    from qa_tui.domain.expectation import parse_month
    from tests.unit.test_domain import new_eval

    plan_id = service.create("practice_day", "Practice day, CIN", "2026-12-03")
    service.put_members(plan_id, GROUP)
    eid = new_eval(workspace)  # audited by Alex Auditor, dated 20 November 2026
    fill(workspace, tpl, eid)
    workspace.write(complete, tpl, eid)
    month, rows = service.expectation()
    assert month.label == "November 2026"
    assert [(r.name, r.team, r.completed) for r in rows] == [
        ("Alex Auditor", "Locality North", 1),
        ("Cy Manager", "Locality North", 0),
        ("Bea Manager", "Locality South", 0),
    ]
    assert [r.completed for r in service.expectation(parse_month("2026-10"))[1]] == [0, 0, 0]
    out = tmp_path / "reminder.eml"
    done = CliRunner().invoke(
        main, ["expectation", "--db", db_url, "--month", "2026-11", "--eml", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert "November 2026: 1 of 3 managers have completed theirs" in done.output
    draft = email.message_from_bytes(out.read_bytes(), policy=default)
    assert draft["X-Unsent"] == "1" and "November 2026" in draft["Subject"]
    part = draft.get_body()
    assert part is not None
    body = part.get_content()
    assert "Bea Manager" in body and "Cy Manager" in body and "Alex Auditor" not in body
    with pytest.raises(ValidationError, match="is not YYYY-MM"):
        parse_month("November")


def test_a_sample_of_evaluations_and_a_changed_frame(
    service: PlanningService,
    workspace: Any,
    tpl: Template,  # noqa: F811
) -> None:
    from tests.unit.test_domain import new_eval

    for n, team in enumerate(("Locality North", "Locality South", "Locality North")):
        eid = new_eval(workspace, case_reference=f"LCS-30000{n}")
        fill(workspace, tpl, eid)
        workspace.write(complete, tpl, eid)
        workspace.write(pl_update_team, eid, team)
    drawn = service.sample("evaluations", 2, 7, "team")
    assert drawn.frame_size == 3 and sum(n for _f, n in drawn.strata.values()) == 2
    assert {u.case_reference for u in drawn.drawn} <= {"LCS-300000", "LCS-300001", "LCS-300002"}
    plan_id = service.create("dip_sample", "Audit sample", None)
    service.add_sample(plan_id, service.sample("cases", 4, 7, "team"))
    assert service.frame_change(plan_id) == ""
    service.import_cases(read_case_list(CASES.encode() + b"LCS-999999,CIN,Locality North,,CP\n"))
    assert "The frame has changed since the sample was drawn (12 then, 13 now)" in (
        service.detail(plan_id).frame_change
    )
    with pytest.raises(ValidationError, match="asked for, but the frame holds only 13"):
        service.sample("cases", 14, 7)


def pl_update_team(session: Any, actor: Any, evaluation_id: str, team: str) -> None:
    """Set a completed evaluation's team through the history (as a merge would)."""
    from qa_tui.store.history import record_change

    record_change(session, actor, "evaluation", evaluation_id, evaluation_id, "team", team)


def test_an_allocation_whose_evaluation_was_purged_stays_done(
    service: PlanningService,
    workspace: Any,
    tpl: Template,  # noqa: F811
) -> None:
    from qa_tui.sync.retention import _purge_one

    plan_id = _practice_day(service)
    service.allocate(plan_id)
    first = service.mine()[0]
    eid = service.start_allocated(first.id)
    fill(workspace, tpl, eid)
    workspace.write(complete, tpl, eid)
    with workspace.store.session() as s:  # handed over, then removed after retention
        _purge_one(s, eid, "2027-03-01T00:00:00.000+00:00")
    assert first.id not in {m.id for m in service.mine()}
    with pytest.raises(ValidationError, match="completed and handed over"):
        service.start_allocated(first.id)
