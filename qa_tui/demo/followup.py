"""Demo follow-through: progress updates on actions (some overdue), concerns at every stage
of their lifecycle, and feedback summaries shared (or waiting to be).

Ids and choices come from a generator seeded by the evaluation's id, not the main one, so
adding follow-through left every other demo value as it was. The QA team works on its own
device; owners' updates are made on the auditor's laptop (they came back with a sync).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from qa_tui.clock import stamp
from qa_tui.demo.ids import timed_uuid
from qa_tui.demo.recorder import TODAY, Case
from qa_tui.demo.text import Who
from qa_tui.store.entities import CREATE
from qa_tui.vocab import CONCERN_RECIPIENTS, SUMMARY_RECIPIENTS

QA_DESK = Who("Morgan Ellis", "Quality Assurance Officer", "7a4c2e10-5b3d-4f6e-8a9c-0d1e2f3a4b5c")
CHASED = (
    "Chased at the monthly QA meeting; owner to update by the end of the week.",
    "Reminder sent by the QA team.",
)
ACK_NOTES = ("", "Discussed with the team manager the same day.", "Strategy discussion held.")
OUTCOMES = (
    "Strategy meeting held; a child protection enquiry started the same day.",
    "The child was seen alone within 24 hours; the plan was updated and reviewed.",
    "Return home interviews completed and recorded; the missing-from-home protocol followed.",
)


def rng_for(case: Case) -> random.Random:
    return random.Random(f"followup/{case.seed}")


def _record(
    case: Case,
    rng: random.Random,
    who: Who,
    etype: str,
    values: dict[str, Any],
    on: dt.date,
    fixed: dict[str, Any],
) -> None:
    moment = dt.datetime.combine(min(on, TODAY), dt.time(9, 0), dt.UTC)
    moment += dt.timedelta(minutes=rng.randrange(0, 480))
    eid = timed_uuid(moment, rng)
    case.rec.set(who, etype, eid, case.eval_id, CREATE, fixed, stamp(moment))
    for name, value in values.items():
        moment += dt.timedelta(seconds=rng.randrange(5, 40))
        case.rec.set(who, etype, eid, case.eval_id, name, value, stamp(moment))


def progress(
    case: Case, rng: random.Random, action_id: str, status: str, note: str, on: dt.date, who: Who
) -> None:
    """One dated progress update on an action."""
    values = {"status": status, "note": note, "updated_on": min(on, TODAY).isoformat()}
    fixed = {"evaluation_id": case.eval_id, "action_id": action_id}
    _record(case, rng, who, "action_update", values, on, fixed)


def chase(case: Case, rng: random.Random, action_id: str, due: dt.date) -> None:
    """The QA team chases an overdue action now and then (seed 000 §6.12)."""
    if due < TODAY - dt.timedelta(days=14) and rng.random() < 0.4:
        on = due + dt.timedelta(days=rng.randrange(7, 14))
        progress(case, rng, action_id, "open", rng.choice(CHASED), on, QA_DESK)


def concern_lifecycle(case: Case, shared: bool, names: dict[str, str]) -> None:
    """After the notice: partly shared (drafts), acknowledged, closed with the outcome."""
    rng = random.Random(f"concern/{case.seed}")
    if not shared:
        if rng.random() < 0.5:  # shared with some, not yet all four
            roles = rng.sample(list(CONCERN_RECIPIENTS), rng.randint(1, 3))
            for role in roles:
                values = {
                    "recipient_role": role,
                    "recipient_name": names[role],
                    "shared_on": case.date.isoformat(),
                    "method": "email",
                }
                fixed = {"evaluation_id": case.eval_id}
                _record(case, rng, case.auditor, "concern_share", values, case.date, fixed)
        return
    age = (TODAY - case.date).days
    if age < 3 or rng.random() < 0.45:
        return  # shared, waiting for an acknowledgement
    role = rng.choice(["team_manager", "service_manager", "director_social_care"])
    on = case.date + dt.timedelta(days=rng.randrange(1, 4))
    values = {
        "person_role": role,
        "person_name": names[role],
        "happened_on": min(on, TODAY).isoformat(),
        "note": rng.choice(ACK_NOTES),
    }
    fixed = {"evaluation_id": case.eval_id, "kind": "acknowledged"}
    _record(case, rng, QA_DESK, "concern_event", values, on, fixed)
    if age > 30 and rng.random() < 0.5:
        on = case.date + dt.timedelta(days=rng.randrange(10, 30))
        values = {
            "person_role": "",
            "person_name": QA_DESK.name,
            "happened_on": min(on, TODAY).isoformat(),
            "note": rng.choice(OUTCOMES),
        }
        _record(case, rng, QA_DESK, "concern_event", values, on, {**fixed, "kind": "closed"})


def share_summary(case: Case, names: dict[str, str]) -> None:
    """Most completed evaluations' findings were shared; recent ones may be waiting."""
    rng = random.Random(f"summary/{case.seed}")
    if rng.random() < (0.5 if (TODAY - case.date).days < 30 else 0.15):
        return
    on = case.date + dt.timedelta(days=rng.randrange(1, 10))
    for role in SUMMARY_RECIPIENTS:
        values = {
            "recipient_role": role,
            "recipient_name": names.get(role, ""),
            "shared_on": min(on, TODAY).isoformat(),
            "method": "attached" if role == "child_record" else "email",
        }
        _record(case, rng, QA_DESK, "summary_share", values, on, {"evaluation_id": case.eval_id})
