"""Demo moderation sessions: a monthly moderation group with blind grades and agreed grades.

After the evaluations are written, each month's completed evaluations are sampled (a recorded
seed, as the app would draw it) for a session the following month: three senior managers grade
each item blind, the auditor's grades are revealed, the group agrees a grade with a rationale,
and records learning points and feedback to the auditor. The disagreement is realistic rather
than random: auditors are a little generous on average (the group grades one step lower about
one time in five, one step higher about one in fifteen), and each moderator's blind grade sits
on the agreed one most of the time, a step away otherwise. The newest session is prepared but
not yet held, so a new user can run it.

Drawn from a generator of its own (seeded from the demo's seed), so adding sessions left every
other demo value as it was.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.clock import stamp
from qa_tui.demo.ids import new_uuid
from qa_tui.demo.moderated import LEARNING, MODERATORS
from qa_tui.demo.recorder import TODAY, Recorder
from qa_tui.demo.text import Who
from qa_tui.domain.moderation import OVERALL, judgement_id
from qa_tui.domain.sampling import SampleRecord, draw
from qa_tui.domain.sessions import blind_grade_id, moderator_id, session_moderation_id
from qa_tui.framework.model import ItemKind, Template
from qa_tui.store import models
from qa_tui.store.entities import CREATE
from qa_tui.store.history import dumps

_DEVICES = uuid.UUID("5d0c8a61-3b7e-4f2a-9c1d-8e6f4a2b7c35")  # as demo/moderated.py
QA_DESK = Who("QA team", "Quality assurance", str(uuid.uuid5(_DEVICES, "QA desk")))
PER_SESSION = 5
Put = Callable[[Who, str, str, str, str, object], None]  # who, type, id, aggregate, field, value

LOWER = (
    "The evidence cited does not show the impact on the child.",
    "The plan has no dates or named owners, so good is not yet met.",
    "The child's voice is described but not recorded in their words.",
    "Management oversight is recorded but does not direct the work.",
)
HIGHER = (
    "Direct work in the record is stronger than the grade suggests.",
    "Supervision notes the auditor did not cite show clear oversight.",
)
AGREE = ("", "The evidence supports the grade.", "Agreed: the record shows this clearly.")
STRENGTHS = (
    "Evidence was quoted from the record, with dates, for every grade.",
    "The child's lived experience was at the centre of the judgement.",
    "Scaling rationales were specific and showed the workings out.",
)
GAPS = (
    "Grades of good need evidence of impact, not only of activity.",
    "Say where in the record the evidence was found.",
    "The overall judgement should follow from the section grades.",
)


@dataclass(frozen=True)
class Candidate:
    """A completed demo evaluation the group could moderate."""

    id: str
    day: dt.date
    template: Template
    grades: dict[str, str]  # item id (and OVERALL) -> the auditor's grade


def _candidates(session: Session, templates: dict[str, Template], ids: set[str]) -> list[Candidate]:
    e, r = models.Evaluation, models.Response
    rows = [
        row
        for row in session.execute(
            select(e.id, e.evaluation_date, e.template_hash, e.overall_grade).where(
                e.status == "completed", ~e.deleted
            )
        )
        if row[0] in ids
    ]
    grades: dict[str, dict[str, str]] = defaultdict(dict)
    for eid, item, grade in session.execute(
        select(r.evaluation_id, r.item_id, r.grade).where(~r.deleted, r.grade != "")
    ):
        grades[eid][item] = grade
    out = []
    for eid, day, content_hash, overall in rows:
        if day is not None and content_hash in templates:
            out.append(
                Candidate(eid, day, templates[content_hash], grades[eid] | {OVERALL: overall})
            )
    return sorted(out, key=lambda c: c.id)


def _months(candidates: list[Candidate]) -> list[tuple[int, int]]:
    return sorted({(c.day.year, c.day.month) for c in candidates})


def add_sessions(
    session: Session, rec: Recorder, templates: list[Template], ids: set[str], seed: int
) -> int:
    """Record moderation sessions of the evaluations ``ids`` (changes in ``rec``); returns
    how many sessions."""
    rng = random.Random(f"demo-sessions/{seed}")
    pool = _candidates(session, {t.content_hash: t for t in templates}, ids)
    made = 0
    for year, month in _months(pool):
        first = dt.date(year, month, 1)
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        held = last + dt.timedelta(days=rng.randrange(10, 20))
        in_month = [c for c in pool if first <= c.day <= last]
        if held > TODAY or len(in_month) < 2:
            continue
        _one_session(rec, rng, in_month, (first, last), held, upcoming=False)
        made += 1
    # The next meeting, prepared on the QA desk: a sample of the last two months' evaluations.
    first, last = TODAY - dt.timedelta(days=60), TODAY
    recent = [c for c in pool if first <= c.day <= last]
    if len(recent) >= 2:
        _one_session(rec, rng, recent, (first, last), TODAY + dt.timedelta(days=10), True)
        made += 1
    return made


def _one_session(
    rec: Recorder,
    rng: random.Random,
    in_month: list[Candidate],
    dates: tuple[dt.date, dt.date],
    held: dt.date,
    upcoming: bool,
) -> None:
    first, last = dates
    sid = new_uuid(rng)
    sample_seed = rng.randrange(1000, 10000)
    size = min(PER_SESSION, len(in_month))
    chosen_ids = draw([c.id for c in in_month], size, sample_seed)
    chosen = [c for c in in_month if c.id in set(chosen_ids)]
    people = [Who(n, r, str(uuid.uuid5(_DEVICES, n))) for n, r in rng.sample(MODERATORS, 3)]
    moment = dt.datetime.combine(held - dt.timedelta(days=7), dt.time(9, 0), dt.UTC)

    def put(who: Who, etype: str, eid: str, aggregate: str, name: str, value: object) -> None:
        """Record one change, a little after the one before."""
        nonlocal moment
        moment += dt.timedelta(seconds=rng.randrange(15, 60))
        rec.set(who, etype, eid, aggregate, name, value, stamp(moment))

    monthly = first.day == 1 and last.month == first.month
    period = f"{first:%B %Y}" if monthly else f"{first.isoformat()} to {last.isoformat()}"
    record = SampleRecord(
        sample_seed,
        size,
        len(in_month),
        f"dated {period}",
        chosen_ids,
        first.isoformat(),
        last.isoformat(),
    )
    title = (
        f"Moderation group, {first:%B %Y} evaluations"
        if monthly
        else f"Moderation group, {held.day} {held:%B %Y}"
    )
    put(QA_DESK, "moderation_session", sid, sid, CREATE, {})
    for name, value in (
        ("title", title),
        ("held_on", held.isoformat()),
        ("status", "open"),
        ("blind_first", True),
        ("sample", dumps([asdict(record)])),
        ("demo", True),  # never handed over unless asked, like the demo evaluations
    ):
        put(QA_DESK, "moderation_session", sid, sid, name, value)
    for who in people:
        mid = moderator_id(sid, who.name)
        put(QA_DESK, "session_moderator", mid, sid, CREATE, {"session_id": sid, "name": who.name})
        put(QA_DESK, "session_moderator", mid, sid, "role", who.role)
    names = ", ".join(p.name for p in sorted(people, key=lambda p: p.name))
    for candidate in chosen:
        moderation = session_moderation_id(sid, candidate.id)
        fixed = {"evaluation_id": candidate.id}
        put(QA_DESK, "moderation", moderation, candidate.id, CREATE, fixed)
        for name, value in (
            ("moderator", names),
            ("moderator_role", ""),
            ("moderated_on", held.isoformat()),
            ("group_name", title),
            ("session_id", sid),
        ):
            put(QA_DESK, "moderation", moderation, candidate.id, name, value)
    if upcoming:
        return  # prepared on the QA desk, not yet held
    moment = dt.datetime.combine(held, dt.time(10, 0), dt.UTC)
    chair = people[0]
    for candidate in chosen:
        agreed = _agree(rng, candidate)
        _blind_pass(rng, put, sid, people, candidate, agreed)
        _outcome(rng, put, chair, sid, candidate, agreed)
    put(QA_DESK, "moderation_session", sid, sid, "status", "closed")
    put(QA_DESK, "moderation_session", sid, sid, "closed_at", stamp(moment))


def _ranked(template: Template) -> list[str]:
    return [g.id for g in sorted(template.scale.grades, key=lambda g: g.rank)]  # lowest first


def _agree(rng: random.Random, candidate: Candidate) -> dict[str, tuple[str, str]]:
    """The group's grade of each graded item, and its rationale: auditors a little generous."""
    ranked = _ranked(candidate.template)
    items = [i.id for i in candidate.template.items(ItemKind.GRADE)] + [OVERALL]
    out = {}
    for item in items:
        given = candidate.grades.get(item, "")
        if given not in ranked:
            if given:
                out[item] = (given, "")  # "not applicable": agreed as it was
            continue
        at, roll = ranked.index(given), rng.random()
        if roll < 0.20 and at > 0:
            out[item] = (ranked[at - 1], rng.choice(LOWER))
        elif roll > 0.935 and at < len(ranked) - 1:
            out[item] = (ranked[at + 1], rng.choice(HIGHER))
        else:
            out[item] = (given, rng.choice(AGREE))
    return out


def _blind_pass(
    rng: random.Random,
    put: Put,
    sid: str,
    people: list[Who],
    candidate: Candidate,
    agreed: dict[str, tuple[str, str]],
) -> None:
    ranked = _ranked(candidate.template)
    for who in people:
        mid = moderator_id(sid, who.name)
        for item, (grade, _why) in agreed.items():
            mine = grade
            if grade in ranked and rng.random() < 0.3:
                at = ranked.index(grade) + rng.choice((-1, 1))
                mine = ranked[min(max(at, 0), len(ranked) - 1)]
            bid = blind_grade_id(sid, mid, candidate.id, item)
            fixed = {
                "session_id": sid,
                "moderator_id": mid,
                "target_evaluation_id": candidate.id,
                "item_id": item,
            }
            put(who, "blind_grade", bid, sid, CREATE, fixed)
            put(who, "blind_grade", bid, sid, "grade", mine)


def _outcome(
    rng: random.Random,
    put: Put,
    chair: Who,
    sid: str,
    candidate: Candidate,
    agreed: dict[str, tuple[str, str]],
) -> None:
    moderation = session_moderation_id(sid, candidate.id)
    put(chair, "moderation", moderation, candidate.id, "revealed", True)
    for item, (grade, why) in agreed.items():
        jid = judgement_id(moderation, item)
        fixed = {"evaluation_id": candidate.id, "moderation_id": moderation, "item_id": item}
        put(chair, "moderation_judgement", jid, candidate.id, CREATE, fixed)
        put(
            chair,
            "moderation_judgement",
            jid,
            candidate.id,
            "auditor_grade",
            candidate.grades[item],
        )
        put(chair, "moderation_judgement", jid, candidate.id, "moderated_grade", grade)
        put(chair, "moderation_judgement", jid, candidate.id, "rationale", why)
    for name, bank in (
        ("learning_points", LEARNING),
        ("feedback_strengths", STRENGTHS),
        ("feedback_gaps", GAPS),
    ):
        put(chair, "moderation", moderation, candidate.id, name, rng.choice(bank))
