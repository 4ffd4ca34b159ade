"""The demo's programme: what a QA team would have planned by the demo's "today".

A case list from the (fictional) case-management system; a practice day in Children in Need
on 3 December with its review group and allocations — some to the laptop's own user, so the
home list shows "Allocated to you"; a dip sample of Child Protection cases drawn with a seed
to test a hypothesis; a thematic evaluation with its terms of reference, its evaluations and
some of its findings; the board's meetings for the year and the systemic actions it
commissioned, one from the thematic evaluation.

Marked demo by their ids (:func:`qa_tui.store.queries.demo_programme_id`) and the case list
by its stamp (:data:`~qa_tui.store.queries.DEMO_CASE_LIST`): never handed over, removed by
``qa-tui demo --remove``. Case references are synthetic ("LCS-…"), never names. Drawn from a
generator of its own, so every other demo value stays as it was; added once per database.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from qa_tui.clock import stamp
from qa_tui.demo.ids import new_uuid
from qa_tui.demo.recorder import TODAY, Recorder
from qa_tui.demo.sessions import QA_DESK
from qa_tui.demo.text import SERVICE_AREAS, THEMES, Organisation
from qa_tui.domain.allocation import AllocationError, CaseToAllocate, Manager, Rules, allocate, key
from qa_tui.domain.dip_sample import Unit, draw_sample
from qa_tui.domain.plans import allocation_id, member_id
from qa_tui.store import models
from qa_tui.store.case_list import CASE_TABLE
from qa_tui.store.entities import CREATE
from qa_tui.store.history import Actor, dumps
from qa_tui.store.queries import DEMO_CASE_LIST, demo_programme_id, demo_programme_present

CATEGORY = {"Children in Need": "CIN", "Child Protection": "CP", "Children in Care": "CiC"}
PER_AREA = 80
PRACTICE_DAY = TODAY + dt.timedelta(days=13)  # 3 December 2026
HYPOTHESIS = "Children on CP plans over 12 months have had their plan reviewed on time"
TERMS = {
    "tor_why": "Re-referrals for neglect rose by a fifth this year and two serious case reviews "
    "named drift; the board asked for evidence before the budget round.",
    "tor_scope": "Children in Need and Child Protection cases open for neglect for more than six "
    "months, across the three CIN teams and both safeguarding teams.",
    "tor_criteria": "The Graded Care Profile used and reviewed (local procedure); Working "
    "Together 2023 (legislation and guidance); what families said of the help.",
    "tor_who": "The QA team with two service managers and the principal social worker.",
    "tor_methods": "In-depth collaborative evaluation; a focus group of practitioners; views of "
    "children and of parents.",
    "tor_timescale": "Evaluations by the end of December; the board paper to the January board.",
}
FINDINGS = {
    "findings_strengths": "Direct work with children is vivid and recorded in their words.\n"
    "The Graded Care Profile is used at assessment in most cases.",
    "findings_barriers": "Caseloads in the assessment teams leave little time to review the "
    "profile.\nThe case-management system has no prompt for a review date.",
    "findings_good_practice": "Assessment Team 2's joint visits with health visitors: share "
    "at the practice forum.",
    "findings_weaknesses": "Drift after the first review: plans are not updated when little "
    "changes.",
}


@dataclass(frozen=True)
class DemoCase:
    reference: str
    service_area: str
    team: str
    worker: str
    category: str


class Writer:
    """Records the QA desk's changes in ``rec``, a minute apart, from a fixed moment."""

    def __init__(self, rec: Recorder, start: dt.datetime) -> None:
        self.rec, self.moment = rec, start

    def put(
        self,
        etype: str,
        entity_id: str,
        aggregate: str,
        fixed: dict[str, Any],
        values: dict[str, Any],
    ) -> str:
        self.moment += dt.timedelta(minutes=1)
        at = stamp(self.moment)
        self.rec.set(QA_DESK, etype, entity_id, aggregate, CREATE, fixed, at)
        for name, value in values.items():
            self.rec.set(QA_DESK, etype, entity_id, aggregate, name, value, at)
        return entity_id


def add_programme(
    session: Session, rec: Recorder, org: Organisation, made: set[str], me: str, seed: int
) -> bool:
    """Record the demo's programme (changes in ``rec``; the case list inserted directly);
    False when this database already holds it. ``me``: the laptop's user ("" if not known
    yet), given cases on the practice day and the thematic evaluation."""
    if demo_programme_present(session):
        return False
    rng = random.Random(f"demo-programme/{seed}")
    cases, framed = _case_list(session, rng, org)
    write = Writer(rec, dt.datetime.combine(TODAY - dt.timedelta(days=40), dt.time(9), dt.UTC))
    people = [w.name for w in org.auditors if key(w.name) != key(me)]
    thematic = _thematic(session, write, rng, cases, made, people, me)
    _practice_day(write, rng, cases, people, me)
    _dip_sample(write, rng, cases, people, framed)
    _board(write, rng, thematic)
    return True


def _case_list(
    session: Session, rng: random.Random, org: Organisation
) -> tuple[list[DemoCase], bool]:
    """The demo authority's open cases; written as the case list unless one is there already
    (True: the list holds exactly these, so a sample drawn from them can be drawn again)."""
    cases = []
    dash = "-" if org.hyphen else ""
    for area, category in CATEGORY.items():
        prefix, _suffix, teams = SERVICE_AREAS[area]
        for _ in range(PER_AREA):
            team = rng.choice(teams)
            worker = rng.choice(org.practitioners[team])
            ref = f"{prefix}{dash}{rng.randrange(100000, 999999)}"
            cases.append(DemoCase(ref, area, team, worker, category))
    cases = list({c.reference: c for c in cases}.values())
    if session.scalar(select(func.count()).select_from(models.CaseRecord)):
        return cases, False
    rows = [
        {
            **asdict(c),
            "reference": c.reference,
            "opened_on": TODAY - dt.timedelta(days=rng.randrange(40, 900)),
            "closed_on": None,
            "extra": "",
            "line": line,
            "imported_at": DEMO_CASE_LIST,
        }
        for line, c in enumerate(cases, start=2)
    ]
    session.execute(insert(CASE_TABLE), rows)
    return cases, True


def _members(
    write: Writer, plan: str, area: str, people: list[tuple[str, str, str]]
) -> list[Manager]:
    """The review group: (name, own team, the worker they supervise) each."""
    out = []
    for name, team, worker in people:
        values = {"role": "", "team": team, "service_area": area, "supervises": worker}
        write.put(
            "plan_member", member_id(plan, name), plan, {"plan_id": plan, "name": name}, values
        )
        out.append(Manager(name, team, frozenset({key(worker)})))
    return out


def _allocate(
    write: Writer, plan: str, chosen: list[DemoCase], group: list[Manager], due: dt.date
) -> None:
    """Allocate ``chosen`` to ``group`` under the framework's rules (the nearest that work)."""
    rules = Rules()
    to_allocate = [CaseToAllocate(c.reference, c.team, c.worker) for c in chosen]
    try:
        reviewers = allocate(to_allocate, group, rules)
    except AllocationError as err:
        rules = err.nearest or Rules(True, False, False)
        reviewers = allocate(to_allocate, group, rules)
    for c in chosen:
        fixed = {"plan_id": plan, "case_reference": c.reference}
        values = {
            "reviewer": reviewers[c.reference],
            "service_area": c.service_area,
            "team": c.team,
            "worker": c.worker,
            "category": c.category,
            "due_on": due.isoformat(),
            "started_evaluation_id": "",
        }
        write.put("allocation", allocation_id(plan, c.reference), plan, fixed, values)
    write.rec.set(QA_DESK, "plan", plan, plan, "rules", dumps(asdict(rules)), stamp(write.moment))


def _plan(write: Writer, number: int, kind: str, values: dict[str, Any]) -> str:
    plan = demo_programme_id("plan", number)
    return write.put("plan", plan, plan, {"kind": kind}, values)


def _practice_day(
    write: Writer, rng: random.Random, cases: list[DemoCase], people: list[str], me: str
) -> None:
    area = "Children in Need"
    in_area = [c for c in cases if c.service_area == area]
    teams = SERVICE_AREAS[area][2]
    names = ([me] if me else []) + people[:3]
    plan = _plan(
        write,
        0,
        "practice_day",
        {
            "title": "Practice day, Children in Need",
            "service_area": area,
            "starts_on": PRACTICE_DAY.isoformat(),
            "status": "planned",
            "notes": "Seed 004 Appendix 2: the annual practice day of the service.",
        },
    )
    group = [
        (name, teams[i % len(teams)], rng.choice(in_area).worker) for i, name in enumerate(names)
    ]
    managers = _members(write, plan, area, group)
    _allocate(write, plan, rng.sample(in_area, 2 * len(managers)), managers, PRACTICE_DAY)


def _dip_sample(
    write: Writer, rng: random.Random, cases: list[DemoCase], people: list[str], framed: bool
) -> None:
    area = "Child Protection"
    units = [Unit(c.reference, c.reference, c.team) for c in cases if c.service_area == area]
    drawn = draw_sample(
        "cases", units, 10, rng.randrange(1000, 9999), "team", {"service_area": area}, HYPOTHESIS
    )
    start = TODAY - dt.timedelta(days=6)
    values: dict[str, Any] = {
        "title": "CP plans reviewed on time",
        "service_area": area,
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=20)).isoformat(),
        "status": "under_way",
        "hypothesis": HYPOTHESIS,
    }
    if framed:  # drawn from the case list this database holds: it can be drawn again
        values["sample"] = dumps(drawn.to_json())
    plan = _plan(write, 1, "dip_sample", values)
    by_ref = {c.reference: c for c in cases}
    chosen = [by_ref[u.case_reference] for u in drawn.drawn]
    teams = SERVICE_AREAS[area][2]
    group = [
        (name, teams[i % len(teams)], rng.choice(chosen).worker)
        for i, name in enumerate(people[3:5])
    ]
    managers = _members(write, plan, area, group)
    _allocate(write, plan, chosen, managers, start + dt.timedelta(days=20))


def _thematic_evaluations(session: Session, made: set[str]) -> tuple[str, list[Any]]:
    """The demo's completed thematic evaluations of neglect (the theme its terms of reference
    are about), the ten latest."""
    e = models.Evaluation
    theme = THEMES[0]
    query = (
        select(e.id, e.case_reference, e.auditor, e.service_area, e.team, e.practitioner)
        .add_columns(e.evaluation_date)
        .where(e.evaluation_type == "thematic", e.status == "completed", ~e.deleted)
        .where(e.theme == theme)
        .order_by(e.evaluation_date, e.id)
    )
    rows = [row for row in session.execute(query) if row.id in made]
    return theme, rows[-10:]


def _thematic(
    session: Session,
    write: Writer,
    rng: random.Random,
    cases: list[DemoCase],
    made: set[str],
    people: list[str],
    me: str,
) -> str:
    theme, evaluated = _thematic_evaluations(session, made)
    first = min([r.evaluation_date for r in evaluated], default=TODAY - dt.timedelta(days=60))
    end = TODAY + dt.timedelta(days=40)
    plan = _plan(
        write,
        2,
        "thematic",
        {
            "title": theme,
            "starts_on": first.isoformat(),
            "ends_on": end.isoformat(),
            "status": "under_way",
            **TERMS,
            **FINDINGS,
        },
    )
    seen = set()
    for r in evaluated:
        if r.case_reference in seen:
            continue
        seen.add(r.case_reference)
        values = {
            "reviewer": r.auditor,
            "service_area": r.service_area,
            "team": r.team,
            "worker": r.practitioner,
            "category": "",
            "due_on": end.isoformat(),
            "started_evaluation_id": r.id,
        }
        fixed = {"plan_id": plan, "case_reference": r.case_reference}
        write.put("allocation", allocation_id(plan, r.case_reference), plan, fixed, values)
    waiting = [c for c in rng.sample(cases, 6) if c.reference not in seen][:3]
    reviewers = ([me] if me else []) + people[5:]
    for number, c in enumerate(waiting):
        values = {
            "reviewer": reviewers[number % len(reviewers)] if number < 2 else "",
            "service_area": c.service_area,
            "team": c.team,
            "worker": c.worker,
            "category": c.category,
            "due_on": end.isoformat(),
            "started_evaluation_id": "",
        }
        fixed = {"plan_id": plan, "case_reference": c.reference}
        write.put("allocation", allocation_id(plan, c.reference), plan, fixed, values)
    return plan


MEETINGS = ((1, 15), (3, 19), (5, 21), (7, 16), (9, 17), (11, 19))
ACTIONS = (
    (
        "Every neglect case has its Graded Care Profile reviewed at each review",
        "Head of Service, Children in Need",
        -30,
        60,
        (
            (
                "in_progress",
                -10,
                "Briefings held in all three CIN teams; a review prompt asked of "
                "the system supplier.",
            ),
        ),
        "",
    ),
    (
        "CP plans reviewed before every review conference",
        "Head of Child Protection",
        -120,
        -20,
        (),
        "",
    ),
    (
        "Supervision records the child's voice in their own words",
        "Principal social worker",
        -200,
        -60,
        (
            ("in_progress", -150, "Supervision template changed; managers briefed."),
            ("done", -70, "Re-audit of 20 supervision records in October."),
        ),
        "Re-audit: 18 of 20 supervision records now quote the child (4 of 20 in April).",
    ),
)


def _board(write: Writer, rng: random.Random, thematic: str) -> None:
    """The board's meetings for the year (reports due two weeks before) and three systemic
    actions: one from the thematic evaluation, one overdue, one done with its evidence."""
    for number, (month, day) in enumerate(MEETINGS):
        held = dt.date(TODAY.year, month, day)
        meeting = demo_programme_id("board_meeting", number)
        values = {
            "held_on": held.isoformat(),
            "title": f"Quality, Performance and Impact Board, {held.day} {held:%B %Y}",
            "report_deadline": (held - dt.timedelta(days=14)).isoformat(),
            "notes": "",
        }
        write.put("board_meeting", meeting, meeting, {}, values)
    for number, (text, owner, raised, due, updates, evidence) in enumerate(ACTIONS):
        action = demo_programme_id("board_action", number)
        status = updates[-1][0] if updates else "open"
        values = {
            "description": text,
            "owner": owner,
            "raised_on": (TODAY + dt.timedelta(days=raised)).isoformat(),
            "due_on": (TODAY + dt.timedelta(days=due)).isoformat(),
            "status": status,
            "evidence": evidence,
            "plan_id": thematic if number == 0 else "",
        }
        write.put("board_action", action, action, {}, values)
        for state, on, note in updates:
            values = {
                "updated_on": (TODAY + dt.timedelta(days=on)).isoformat(),
                "status": state,
                "note": note,
            }
            write.put("board_action_update", new_uuid(rng), action, {"action_id": action}, values)


def welcome(session: Session, actor: Actor, name: str, team: str = "") -> int:
    """Put the laptop's user in the demo practice day's review group with two of its cases
    not yet started, when the demo was made before the laptop knew their name (``qa-tui
    demo`` run before the first start); returns how many cases they were given."""
    from qa_tui.domain import plans as pl

    plan_id = demo_programme_id("plan", 0)
    plan = session.get(models.Plan, plan_id)
    if plan is None or plan.deleted or plan.status == "closed" or not key(name):
        return 0
    if any(key(m.name) == key(name) for m in pl.members(session, plan_id)):
        return 0
    pl.put_member(session, actor, plan_id, pl.MemberInput(name, team=team))
    waiting = [a for a in pl.allocations(session, plan_id) if not a.started_evaluation_id][:2]
    for row in waiting:
        pl.set_reviewer(session, actor, row.id, name)
    return len(waiting)
