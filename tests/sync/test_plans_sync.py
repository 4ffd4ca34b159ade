"""Plans travel like moderation sessions: a practice day planned and allocated on the QA
desk reaches each manager's laptop at sync, a manager starts and completes an allocated
evaluation offline, and the desk sees the day's progress as laptops sync. Plans edited on the
desk and on a laptop at once merge without loss (SQLite and PostgreSQL: ``make_db``)."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from qa_tui.domain import plans as pl
from qa_tui.domain.dip_sample import Unit, draw_sample
from qa_tui.domain.plan_views import load_plan, my_allocations
from qa_tui.store import models
from qa_tui.store.case_list import case_frame, replace_cases
from qa_tui.store.db import Store
from qa_tui.store.history import Actor
from qa_tui.sync.direct import sync_now
from tests.sync.helpers import (
    ANY_CASE,
    TEMPLATE,
    Laptop,
    conflicts,
    consistent,
    copy_into,
    make_central,
    state,
)
from tests.sync.test_retention_and_sync import _complete, laptop_settings

GROUP = [
    pl.MemberInput("Priya Okafor", team="Locality North", supervises=("Worker 1",)),
    pl.MemberInput("Tom Lindqvist", team="Locality South", supervises=("Worker 2",)),
]
CASES = [
    pl.PlannedCase(
        f"LCS-77{i:04d}",
        "Children in Need",
        ("Locality North", "Locality South")[i % 2],
        f"Worker {i % 3}",
        "CP",
    )
    for i in range(4)
]


def _desk_plan(central, desk: Actor) -> str:
    with central.session() as s:
        plan_id = pl.create_plan(s, desk, "practice_day", "Practice day, December", "2026-12-03")
        for member in GROUP:
            pl.put_member(s, desk, plan_id, member)
        pl.add_cases(s, desk, plan_id, CASES, ANY_CASE)
        pl.allocate_plan(s, desk, plan_id)
    return plan_id


def test_allocations_reach_the_managers_laptops_and_progress_reaches_the_desk(
    make_db, tmp_path: Path, settings
) -> None:
    priya = Laptop(make_db(), tmp_path, "priya okafor")  # names compared ignoring case
    tom = Laptop(make_db(), tmp_path, "Tom Lindqvist")
    bystander = Laptop(make_db(), tmp_path, "Sam Elsewhere")
    central = make_central(make_db(), tmp_path / "qa.key", priya, tom, bystander)
    desk = Actor("QA Desk", str(uuid.uuid4()))
    plan_id = _desk_plan(central, desk)

    for laptop in (priya, tom):
        report = sync_now(laptop.store, laptop_settings(laptop, settings), central.url)
        assert report.plans == 1
        assert "1 plan with allocations updated" in report.summary()
    assert sync_now(bystander.store, laptop_settings(bystander, settings), central.url).plans == 0

    with priya.store.reader() as s:
        mine = my_allocations(s, "Priya Okafor")
    assert len(mine) == 2 and all(m.progress == "allocated" for m in mine)
    assert mine[0].describe() == "Allocated to you for 3 December (Practice day, December)"
    eid = priya.do(pl.start_from_allocation, TEMPLATE, mine[0].id, ANY_CASE)
    _complete(priya, eid)
    with tom.store.reader() as s:
        toms = my_allocations(s, "Tom Lindqvist")
    tom.do(pl.start_from_allocation, TEMPLATE, toms[0].id, ANY_CASE)

    for laptop in (priya, tom):
        sync_now(laptop.store, laptop_settings(laptop, settings), central.url)
    with central.reader() as s:
        detail = load_plan(s, plan_id)
    assert detail.counts == {"completed": 1, "started": 1, "allocated": 2}
    started = {a.case_reference: a.progress for a in detail.allocations if a.evaluation_id}
    assert started[mine[0].case_reference] == "completed"
    with central.reader() as s:
        made = s.get(models.Evaluation, eid)
        assert made is not None and made.practice_day == "Practice day, December"
    # the desk closes the day; it stays on the laptops that hold it, closed
    with central.session() as s:
        pl.close_plan(s, desk, plan_id)
    sync_now(priya.store, laptop_settings(priya, settings), central.url)
    with priya.store.reader() as s:
        plan = s.get(models.Plan, plan_id)
        assert plan is not None and plan.status == "closed"
        assert my_allocations(s, "Priya Okafor") == []
    for store in (central, priya.store, tom.store):
        assert consistent(store) == []


def test_a_plan_edited_on_the_desk_and_on_a_laptop_merges_without_loss(
    make_db, tmp_path: Path
) -> None:
    desk = Laptop(make_db(), tmp_path, "QA Desk")
    laptop = Laptop(make_db(), tmp_path, "Priya Okafor")
    plan_id = desk.do(pl.create_plan, "dip_sample", "CP reviews", None, hypothesis="On time")
    desk.do(pl.add_cases, plan_id, CASES[:2], ANY_CASE)
    copy_into(laptop.store, desk.store)
    # different fields and records on each side; the same field (notes) on both
    desk.do(pl.update_plan, plan_id, title="CP reviews, Q4", notes="Desk's note")
    desk.do(pl.set_reviewer, pl.allocation_id(plan_id, CASES[0].case_reference), "Tom Lindqvist")
    laptop.do(pl.update_plan, plan_id, hypothesis="Reviewed within 3 months", notes="Mine")
    laptop.do(pl.add_cases, plan_id, CASES[2:3], ANY_CASE)
    laptop.do(pl.put_member, plan_id, GROUP[0])
    # the same case added on both sides is one allocation (its id is derived)
    desk.do(pl.add_cases, plan_id, CASES[3:], ANY_CASE)
    laptop.do(pl.add_cases, plan_id, CASES[3:], ANY_CASE)

    copy_into(desk.store, laptop.store)
    copy_into(laptop.store, desk.store)
    assert state(desk.store) == state(laptop.store)
    with desk.store.reader() as s:
        plan = s.get(models.Plan, plan_id)
        assert plan is not None
        assert (plan.title, plan.hypothesis) == ("CP reviews, Q4", "Reviewed within 3 months")
        refs = sorted(a.case_reference for a in pl.allocations(s, plan_id))
        assert refs == sorted(c.case_reference for c in CASES)
        assert [m.name for m in pl.members(s, plan_id)] == ["Priya Okafor"]
    found = conflicts(desk.store)
    assert [(c.field, c.case_reference) for c in found] == [("notes", "Plan: CP reviews, Q4")]
    assert {s.value for s in found[0].sides} == {"Desk's note", "Mine"}
    assert consistent(desk.store) == [] and consistent(laptop.store) == []


def test_the_same_seed_draws_the_same_sample_on_sqlite_and_postgresql(
    sqlite_db, pg_url: str, tmp_path: Path
) -> None:
    from qa_tui.domain.case_import import CaseRow

    # references whose order differs between collations (case, letters and digits)
    rows = [
        CaseRow(i + 2, f"{p}-{i:06d}", "CIN", f"Team {'aBc'[i % 3]}", "", ("CP", "cin")[i % 2])
        for i, p in enumerate(["LCS", "abc", "Lcs", "ZZ"] * 250)
    ]
    drawn = []
    for url in (sqlite_db(), pg_url, sqlite_db()):
        laptop = Laptop(url, tmp_path, "QA Desk")
        with laptop.store.session() as s:
            replace_cases(s, rows, "2026-11-30")
        with laptop.store.reader() as s:
            units = [Unit(c.reference, c.reference, c.team) for c in case_frame(s, {})]
        drawn.append([u.key for u in draw_sample("cases", units, 40, 4711, "team").drawn])
        laptop.store.dispose()
    assert drawn[0] == drawn[1] == drawn[2]
    assert len(drawn[0]) == 40


def test_board_actions_updated_on_two_devices_keep_both_updates(make_db, tmp_path: Path) -> None:
    from qa_tui.domain import board

    desk = Laptop(make_db(), tmp_path, "QA Desk")
    other = Laptop(make_db(), tmp_path, "Service Manager")
    action = desk.do(board.add_action, "Plans reviewed before conference", "Head of CP", None)
    desk.do(board.add_meeting, "2026-12-10")
    copy_into(other.store, desk.store)
    desk.do(board.record_update, action, "in_progress", "Template agreed")
    other.do(board.record_update, action, "done", "Audit shows it", None, "18 of 20 now do")
    copy_into(desk.store, other.store)
    copy_into(other.store, desk.store)
    assert state(desk.store) == state(other.store)
    with desk.store.reader() as s:
        rows = board.board_actions(s, dt.date(2026, 11, 20))
        meetings = board.meetings(s, 2026)
    assert rows[0].updates == 2 and rows[0].evidence == "18 of 20 now do"
    assert len(meetings) == 1
    found = conflicts(desk.store)  # two statuses set independently: a conflict, both kept
    assert [(c.field, c.case_reference) for c in found] == [
        ("status", "Board action: Plans reviewed before conference")
    ]
    assert consistent(desk.store) == [] and consistent(other.store) == []


def test_a_plans_title_and_dates_edited_on_two_devices_merge(make_db, tmp_path: Path) -> None:
    """The desk renames a practice day while a laptop moves it (the cases due on the day
    follow it on the laptop): both edits survive the merge, in either order; both moving it
    to different days is a conflict on the date, both values kept."""
    desk = Laptop(make_db(), tmp_path, "QA Desk")
    laptop = Laptop(make_db(), tmp_path, "Priya Okafor")
    plan_id = desk.do(pl.create_plan, "practice_day", "Practice day", "2026-12-03")
    desk.do(pl.add_cases, plan_id, CASES[:2], ANY_CASE)
    copy_into(laptop.store, desk.store)
    desk.do(pl.update_plan, plan_id, title="Practice day, Children in Need")
    laptop.do(pl.update_plan, plan_id, starts_on="2026-12-10")
    copy_into(desk.store, laptop.store)
    copy_into(laptop.store, desk.store)
    assert state(desk.store) == state(laptop.store)
    with desk.store.reader() as s:
        plan = s.get(models.Plan, plan_id)
        assert plan is not None
        assert (plan.title, plan.starts_on) == (
            "Practice day, Children in Need",
            dt.date(2026, 12, 10),
        )
        assert {a.due_on for a in pl.allocations(s, plan_id)} == {dt.date(2026, 12, 10)}
    assert conflicts(desk.store) == []

    desk.do(pl.update_plan, plan_id, starts_on="2026-12-11")
    laptop.do(pl.update_plan, plan_id, starts_on="2026-12-12")
    copy_into(desk.store, laptop.store)
    copy_into(laptop.store, desk.store)
    assert state(desk.store) == state(laptop.store)
    found = [c for c in conflicts(desk.store) if c.field == "starts_on"]
    assert len(found) == 1
    assert {s.value for s in found[0].sides} == {"2026-12-11", "2026-12-12"}
    assert consistent(desk.store) == [] and consistent(laptop.store) == []


def _started_from_allocation(make_db, tmp_path: Path, settings) -> tuple[Laptop, Store]:
    """A manager's laptop that has started the evaluation of its first allocation (so the
    plan changed there too), and the central database."""
    priya = Laptop(make_db(), tmp_path, "Priya Okafor")
    central = make_central(make_db(), tmp_path / "qa.key", priya)
    _desk_plan(central, Actor("QA Desk", str(uuid.uuid4())))
    sync_now(priya.store, laptop_settings(priya, settings), central.url)
    with priya.store.reader() as s:
        first = my_allocations(s, "Priya Okafor")[0]
    priya.do(pl.start_from_allocation, TEMPLATE, first.id, ANY_CASE)
    return priya, central


def test_a_bundle_holding_a_plan_says_so_on_export_and_on_merge(
    make_db, tmp_path: Path, settings
) -> None:
    """A plan a manager worked on goes in their bundle with their evaluation: the export's
    sentence and the merge's name it as a plan (the manifest counts every root record as an
    "evaluation", and the merge used to call every other one a moderation session)."""
    from qa_tui.sync.central import merge_bundle_file
    from qa_tui.sync.handover import export_bundle, export_summary

    priya, central = _started_from_allocation(make_db, tmp_path, settings)
    bundle = tmp_path / "priya.qab"
    exported = export_bundle(
        priya.store, priya.key, "Priya Okafor", tmp_path / "qa.key.pub", bundle
    )
    assert exported.kinds == {"evaluation": 1, "plan": 1}
    assert exported.manifest.evaluations == 2
    said = export_summary(bundle, exported, 0)
    assert f"wrote {bundle}: 1 evaluation and 1 plan, {exported.manifest.changes} changes" in said

    report = merge_bundle_file(central, bundle, tmp_path / "qa.key")
    assert (report.evaluations, report.sessions, report.other) == (1, 0, {"plan": 1})
    assert report.summary().startswith("merged 1 evaluation and 1 plan: ")


def test_a_sync_sending_a_plan_says_so(make_db, tmp_path: Path, settings) -> None:
    priya, central = _started_from_allocation(make_db, tmp_path, settings)
    report = sync_now(priya.store, laptop_settings(priya, settings), central.url)
    assert report.pushed_evaluations == 2 and report.pushed_kinds == {"evaluation": 1, "plan": 1}
    assert report.summary().startswith("1 evaluation and 1 plan sent to the QA team ("), (
        report.summary()
    )
