"""Demo moderations: about a third of the older completed evaluations were moderated.

Drawn from a generator seeded by the evaluation's id, not the main one, so adding moderations
left every other demo value as it was. The moderators are fictional senior managers working on
the QA team's desk (their own device), a few weeks after the evaluation.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from qa_tui.clock import stamp
from qa_tui.demo.ids import new_uuid
from qa_tui.demo.recorder import TODAY, Case
from qa_tui.demo.text import Who
from qa_tui.domain.moderation import OVERALL, judgement_id
from qa_tui.domain.record_writes import response_id
from qa_tui.framework.model import ItemKind
from qa_tui.store.entities import CREATE

_DEVICES = uuid.UUID("5d0c8a61-3b7e-4f2a-9c1d-8e6f4a2b7c35")

MODERATORS = (
    ("Priya Okafor", "Head of Service"),
    ("Tom Lindqvist", "Principal Social Worker"),
    ("Grace Mensah", "IRO Manager"),
    ("Owen Hart", "Service Manager"),
)
AGREE = (
    "",
    "The evidence supports the grade.",
    "Agreed: the record shows this clearly.",
)
HIGHER = (
    "The direct work recorded is stronger than the grade suggests.",
    "Management oversight is evident in supervision notes the auditor did not cite.",
    "The plan is specific and reviewed; the group judged this good.",
)
LOWER = (
    "The evidence cited does not show the impact on the child.",
    "The chronology is not up to date, so the grade is too generous.",
    "The child's voice is described but not recorded in their words.",
)
LEARNING = (
    "Evidence should say what difference the work made for the child.",
    "Auditors to cite where in the record the evidence was found.",
    "Plans need dates and named owners to be judged good.",
    "Agreement was strongest where the practitioner took part in the evaluation.",
)


def moderate(case: Case) -> None:
    """Maybe moderate a completed demo evaluation (after its changes are recorded)."""
    if case.status != "completed" or (TODAY - case.date).days < 21:
        return
    rng = random.Random(f"moderation/{case.seed}")
    if rng.random() >= 0.35:
        return
    name, role = rng.choice(MODERATORS)
    who = Who(name, role, str(uuid.uuid5(_DEVICES, name)))
    day = min(TODAY, case.date + dt.timedelta(days=rng.randrange(14, 45)))
    moment = dt.datetime.combine(day, dt.time(10, 0), dt.UTC)
    rec, ev = case.rec, case.eval_id

    def put(etype: str, entity_id: str, field: str, value: object) -> None:
        nonlocal moment
        moment += dt.timedelta(seconds=rng.randrange(20, 90))
        rec.set(who, etype, entity_id, ev, field, value, stamp(moment))

    mid = new_uuid(rng)
    put("moderation", mid, CREATE, {"evaluation_id": ev})
    put("moderation", mid, "moderator", name)
    put("moderation", mid, "moderator_role", role)
    put("moderation", mid, "moderated_on", day.isoformat())
    put("moderation", mid, "group_name", f"Moderation group, {day:%B %Y}")
    scale = case.template.scale
    ranked = sorted(scale.grades, key=lambda g: -g.rank)  # best first
    items = [item.id for item in case.template.items(ItemKind.GRADE)] + [OVERALL]
    for item_id in items:
        owner = ev if item_id == OVERALL else response_id(ev, item_id)
        given = rec.current(owner, "overall_grade" if item_id == OVERALL else "grade") or ""
        index = next((i for i, g in enumerate(ranked) if g.id == given), None)
        roll = rng.random()
        if index is None or roll < 0.72:
            grade, bank = given, AGREE
        elif roll < 0.86 and index > 0:
            grade, bank = ranked[index - 1].id, HIGHER
        elif index < len(ranked) - 1:
            grade, bank = ranked[index + 1].id, LOWER
        else:
            grade, bank = given, AGREE
        if not grade:
            continue
        jid = judgement_id(mid, item_id)
        fixed = {"evaluation_id": ev, "moderation_id": mid, "item_id": item_id}
        put("moderation_judgement", jid, CREATE, fixed)
        put("moderation_judgement", jid, "auditor_grade", given)
        put("moderation_judgement", jid, "moderated_grade", grade)
        put("moderation_judgement", jid, "rationale", rng.choice(bank))
    put("moderation", mid, "learning_points", " ".join(rng.sample(LEARNING, 2)))
