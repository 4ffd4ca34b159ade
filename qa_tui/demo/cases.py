"""Writing one fictional evaluation, section by section, through the recorder."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from qa_tui.clock import stamp
from qa_tui.demo import followup
from qa_tui.demo import text as txt
from qa_tui.demo.ids import timed_and_seed
from qa_tui.demo.recorder import TODAY, Case, Recorder
from qa_tui.demo.text import Organisation
from qa_tui.domain.record_writes import response_id
from qa_tui.framework.model import NOT_APPLICABLE, Item, ItemKind, Template
from qa_tui.vocab import CONCERN_RECIPIENTS, EVALUATION_TYPES


def _start_case(
    rng: random.Random, rec: Recorder, org: Organisation, template: Template, day: dt.date
) -> Case:
    """Choose who, when, the status and the quality of practice for one evaluation."""
    grades = len(template.scale.grades)
    index = min(grades - 1, int(rng.betavariate(2.2, 2.8) * grades))
    share = index / max(grades - 1, 1)
    level = "high" if share < 0.34 else "middle" if share < 0.67 else "low"
    recent = (TODAY - day).days < 60
    roll = rng.random()
    status = (
        "draft"
        if roll < (0.5 if recent else 0.06)
        else "reopened"
        if roll > 0.96
        else ("completed")
    )
    moment = dt.datetime.combine(day, dt.time(9, 0), dt.UTC)
    moment += dt.timedelta(minutes=rng.randrange(0, 360))
    auditor = rng.choice(org.auditors)
    eval_id, seed = timed_and_seed(moment, rng)
    case = Case(
        rng,
        rec,
        template,
        auditor,
        eval_id,
        seed,
        moment,
        day,
        level,
        index,
        status,
    )
    if any(item.stage for item in template.items()):  # a case still in assessment or planning
        case.reached = rng.choices((3, 4, 5), (15, 15, 70))[0]
    return case


def _write_details(case: Case, org: Organisation) -> None:
    rng, t = case.rng, case.template
    area = rng.choice(list(txt.SERVICE_AREAS))
    prefix, _suffix, teams = txt.SERVICE_AREAS[area]
    team = rng.choice(teams)
    case.practitioner = rng.choice(org.practitioners[team])
    types = [x for x in t.evaluation_types if x in EVALUATION_TYPES] or list(EVALUATION_TYPES)
    usual = txt.TYPE_WEIGHTS.get(t.id, {})
    etype = rng.choices(types, [usual.get(x, 1) for x in types])[0]
    present = etype in ("collaborative", "practice_day") or rng.random() < 0.2
    fixed = {"template_id": t.id, "template_version": t.version, "template_hash": t.content_hash}
    values: dict[str, Any] = {
        "case_reference": f"{prefix}{'-' if org.hyphen else ''}{rng.randrange(100000, 999999)}",
        "service_area": area,
        "team": team,
        "practitioner": case.practitioner,
        "evaluation_type": etype,
        "evaluation_date": case.date.isoformat(),
        "practitioner_present": present,
        "auditor": case.auditor.name,
        "auditor_role": case.auditor.role,
        "status": "draft",
        "demo": True,  # marked everywhere it shows; never handed over unless asked
    }
    if etype == "thematic":
        values["theme"] = rng.choice(txt.THEMES)
    if etype == "practice_day":
        values["practice_day"] = rng.choice(txt.PRACTICE_DAYS)
    case.create("evaluation", fixed, values, case.eval_id)
    people = [(case.auditor.name, case.auditor.role)]
    if present:
        people.append((case.practitioner, "Practitioner"))
    if rng.random() < 0.25:
        people.append(rng.choice(txt.FAMILY))
    if area in ("Child Protection", "Children in Care") and rng.random() < 0.3:
        people.append((rng.choice(org.iros), "Independent Reviewing Officer"))
    for name, role in people:
        values = {"name": name, "role": role}
        participant_id = case.create("participant", {"evaluation_id": case.eval_id}, values)
        case.participants.append((participant_id, case.level))


def _item_grade(case: Case) -> str:
    scale = case.template.scale
    ranked = sorted(scale.grades, key=lambda g: -g.rank)
    if scale.allow_not_applicable and case.rng.random() < 0.04:
        return NOT_APPLICABLE
    index = case.grade_index + case.rng.choice((-1, 0, 0, 0, 1))
    return ranked[max(0, min(len(ranked) - 1, index))].id


def _level_of(case: Case, grade: str) -> str:
    ranked = [g.id for g in sorted(case.template.scale.grades, key=lambda g: -g.rank)]
    share = ranked.index(grade) / max(len(ranked) - 1, 1) if grade in ranked else 0.5
    return "high" if share < 0.34 else "middle" if share < 0.67 else "low"


def _write_grade(case: Case, item: Item, fixed: dict[str, Any], rid: str) -> None:
    grade = _item_grade(case)
    if grade == NOT_APPLICABLE:
        case.create("response", fixed, {"grade": grade, "na_reason": case.say(txt.NA_REASONS)}, rid)
        return
    first, second = case.rng.sample(txt.EVIDENCE[_level_of(case, grade)], 2)
    case.create("response", fixed, {"grade": grade, "evidence": first}, rid)
    if case.rng.random() < 0.35:  # the auditor came back and added to the evidence
        case.set("response", rid, "evidence", f"{first} {second}", seconds=90)
        if case.rng.random() < 0.4:
            more = f"{first} {second} {case.say(txt.WORKINGS_OUT)}"
            case.set("response", rid, "evidence", more, seconds=60)


def _write_judgement(case: Case, item: Item, fixed: dict[str, Any], rid: str) -> None:
    """A judgement with prompts: a stage the case has not reached is not applicable in one
    key; otherwise its grade and evidence, then some of its examples marked."""
    reason = case.template.scale.not_reached_reason
    if item.stage and reason and case.not_reached(item):
        case.create("response", fixed, {"grade": NOT_APPLICABLE, "na_reason": reason}, rid)
        return
    _write_grade(case, item, fixed, rid)
    seen = {"high": 0.85, "middle": 0.6, "low": 0.35}[case.level]
    for prompt in item.prompts:
        roll = case.rng.random()
        if roll > 0.75:  # a guide, not a checklist: not every example is looked for
            continue
        mark = (
            "not_applicable" if roll < 0.03 else "seen" if case.rng.random() < seen else "not_seen"
        )
        values: dict[str, Any] = {"grade": mark}
        if mark != "not_applicable" and case.rng.random() < 0.2:
            values["evidence"] = case.rng.choice(txt.PROMPT_EVIDENCE[mark])
        pid = response_id(case.eval_id, prompt.id)
        prompt_fixed = {"evaluation_id": case.eval_id, "item_id": prompt.id}
        case.create("response", prompt_fixed, values, pid)


def _write_list(case: Case, item: Item) -> None:
    bank = txt.list_bank(f"{item.id} {item.prompt}")
    count = min(len(bank), max(item.min_entries, case.rng.randint(1, 3)))
    for position, text in enumerate(case.rng.sample(bank, count), start=1):
        fixed = {"evaluation_id": case.eval_id, "item_id": item.id}
        entry_id = case.create("entry", fixed, {"text": text, "position": float(position)})
        if case.rng.random() < 0.1:  # reworded after talking it through
            case.set(
                "entry", entry_id, "text", f"{text} (agreed with the practitioner)", seconds=45
            )


def _write_scales(case: Case, item: Item) -> None:
    low, high = {"high": (7, 10), "middle": (4, 7), "low": (1, 4)}[case.level]
    for participant_id, level in case.participants:
        fixed = {
            "evaluation_id": case.eval_id,
            "item_id": item.id,
            "participant_id": participant_id,
        }
        values = {
            "score": case.rng.randint(low, high),
            "rationale": case.say(txt.SCALE_RATIONALE[level]),
        }
        case.create("scale", fixed, values)


def _write_feedback(case: Case, item: Item) -> None:
    sources = [s.id for s in item.sources] or ["direct"]
    for source in case.rng.sample(sources, min(len(sources), case.rng.randint(1, 2))):
        if "direct" in source:
            values = {
                "source": source,
                "given_by": case.rng.choice(txt.FAMILY)[0],
                "text": case.say(txt.DIRECT_FEEDBACK),
            }
        else:
            values = {"source": source, "given_by": "", "text": txt.record_feedback(source)}
        case.create("feedback", {"evaluation_id": case.eval_id, "item_id": item.id}, values)


def _write_item(case: Case, item: Item) -> None:
    fixed = {"evaluation_id": case.eval_id, "item_id": item.id}
    rid = response_id(case.eval_id, item.id)
    if item.kind is ItemKind.GRADE and item.prompts:
        _write_judgement(case, item, fixed, rid)
    elif item.kind is ItemKind.GRADE:
        _write_grade(case, item, fixed, rid)
    elif item.kind is ItemKind.LIST:
        _write_list(case, item)
    elif item.kind is ItemKind.SCALING:
        _write_scales(case, item)
    elif item.kind is ItemKind.FEEDBACK:
        _write_feedback(case, item)
    elif item.kind is ItemKind.YES_NO:
        answer = case.level != "low" or case.rng.random() < 0.3
        case.create(
            "response", fixed, {"answer": answer, "text": case.say(txt.YES_NO_REASONS)}, rid
        )
    else:
        case.create("response", fixed, {"text": case.say(txt.TEXT_ANSWERS, 2)}, rid)


def _write_actions(case: Case, owners: list[str]) -> list[tuple[str, dt.date]]:
    done = case.status != "draft"
    count = case.rng.randint(1, 3) if done else case.rng.randint(0, 2)
    made = []
    for description in case.rng.sample(txt.ACTIONS, count):
        due = case.date + dt.timedelta(days=case.rng.randrange(14, 90))
        values = {
            "description": description,
            "owner": case.rng.choice(owners),
            "due_date": due.isoformat(),
            "status": "open",
        }
        made.append((case.create("action", {"evaluation_id": case.eval_id}, values), due))
    return made


def _follow_up_actions(case: Case, actions: list[tuple[str, dt.date]]) -> None:
    """Later progress on the actions, as dated updates: some done, some in progress, some
    left (overdue, sometimes chased by the QA team)."""
    follow = followup.rng_for(case)
    for action_id, due in actions:
        roll = case.rng.random()
        past = due < TODAY
        if roll < (0.55 if past else 0.1):
            finished = min(TODAY, due - dt.timedelta(days=case.rng.randrange(0, 10)))
            note = case.say(txt.PROGRESS_DONE)
            case.now(86_400 * 7)
            followup.progress(case, follow, action_id, "done", note, finished, case.auditor)
        elif roll < (0.7 if past else 0.4):
            case.now(86_400 * 3)
            note = case.say(txt.PROGRESS_UNDER_WAY)
            on = min(TODAY, case.date + dt.timedelta(days=follow.randrange(3, 20)))
            followup.progress(case, follow, action_id, "in_progress", note, on, case.auditor)
            followup.chase(case, follow, action_id, due)
        elif roll > 0.97:
            case.now(86_400 * 5)
            on = min(TODAY, case.date + dt.timedelta(days=follow.randrange(3, 30)))
            note = "No longer needed: the case closed."
            followup.progress(case, follow, action_id, "cancelled", note, on, case.auditor)
        else:
            followup.chase(case, follow, action_id, due)


def _write_concern(case: Case, org: Organisation) -> None:
    concern = case.rng.random() < 0.15
    case.set("evaluation", case.eval_id, "immediate_concern", concern)
    if not concern:
        return
    case.set("evaluation", case.eval_id, "concern_description", case.say(txt.CONCERNS))
    names = _names(case, org)
    if case.status == "draft":  # still being written: raised, perhaps partly shared
        followup.concern_lifecycle(case, False, names)
        return
    shared_on = (case.date + dt.timedelta(days=case.rng.randrange(0, 2))).isoformat()
    for role in CONCERN_RECIPIENTS:
        values = {
            "recipient_role": role,
            "recipient_name": names[role],
            "shared_on": shared_on,
            "method": case.rng.choice(("email", "email", "case_record", "letter")),
        }
        case.create("concern_share", {"evaluation_id": case.eval_id}, values)
    followup.concern_lifecycle(case, True, names)


def _names(case: Case, org: Organisation) -> dict[str, str]:
    return {
        **org.managers,
        "practitioner": case.practitioner,
        "director_social_care": org.director,
        "child_record": "",
    }


def _write_closure(case: Case) -> None:
    ranked = sorted(case.template.scale.grades, key=lambda g: -g.rank)
    overall = ranked[case.grade_index].id
    ev = case.eval_id
    case.set("evaluation", ev, "overall_grade", overall, seconds=120)
    case.set("evaluation", ev, "summary_strengths", case.say(txt.STRENGTHS, 2))
    case.set(
        "evaluation",
        ev,
        "summary_development",
        case.say(txt.DEVELOPMENT, 1 if case.level == "high" else 2),
    )
    fixed = {"evaluation_id": ev, "kind": "completed", "reason": ""}
    case.create("lifecycle_event", fixed, {})
    case.set("evaluation", ev, "status", "completed")
    case.set("evaluation", ev, "completed_at", stamp(case.moment), seconds=0)
    if case.status == "reopened":
        case.moment += dt.timedelta(days=case.rng.randrange(1, 20))
        reason = case.say(txt.REOPEN_REASONS)
        case.create(
            "lifecycle_event", {"evaluation_id": ev, "kind": "reopened", "reason": reason}, {}
        )
        case.set("evaluation", ev, "status", "reopened")


def make_evaluation(case: Case, org: Organisation) -> None:
    """Every record of one evaluation, in the order an auditor would make them."""
    _write_details(case, org)
    items = case.template.items()
    if case.status == "draft":
        items = items[: case.rng.randint(1, max(1, len(items) - 1))]
    for item in items:
        _write_item(case, item)
    owners = [case.practitioner, case.auditor.name, org.managers["team_manager"]]
    actions = _write_actions(case, owners)
    if case.status != "draft" or case.rng.random() < 0.5:
        _write_concern(case, org)
    if case.status != "draft":
        _write_closure(case)
    _follow_up_actions(case, actions)
    if case.status == "completed":
        followup.share_summary(case, _names(case, org))
