"""How each table of the tidy data is read (:mod:`qa_tui.reports.tidy` declares the tables):
its query, streamed, and how a row it reads becomes the table's values; the columns of the
evaluations table, which the ratings and judgements repeat in part.

Codes come with the words people read: a standard's id with its wording, a grade's id with its
label and rank (:class:`~qa_tui.reports.standards.Vocabulary`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select

from qa_tui.domain.moderation import OVERALL
from qa_tui.framework.model import PROMPT_MARKS
from qa_tui.reports.measures import PROMPT_ONLY
from qa_tui.reports.queries import concern_status_expr
from qa_tui.reports.standards import Vocabulary
from qa_tui.store import models

Kind = str  # "text", "int", "date", "bool", "float"
Query = Select[*tuple[Any, ...]]

E = models.Evaluation


@dataclass(frozen=True)
class TidyColumn:
    key: str
    kind: Kind
    about: str  # what it holds (docs/data.md says the same)


def column(key: str, kind: Kind, about: str) -> TidyColumn:
    return TidyColumn(key, kind, about)


def _day(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)[:10]


def _bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _grade_facts(vocab: Vocabulary, template_id: str, grade: str) -> tuple[Any, ...]:
    info = vocab.grade(template_id, grade) if grade else None
    if info is None:
        return (None, None, None)
    return (info.label, info.rank or None, info.good_or_better)


# --- evaluations -------------------------------------------------------------------------

EVALUATION_COLUMNS = (
    column("evaluation_id", "text", "The evaluation's id (joins every other table)"),
    column("case_reference", "text", "The case reference from the case-management system"),
    column("service_area", "text", "Service area"),
    column("team", "text", "Team"),
    column("practitioner", "text", "The practitioner whose work was evaluated"),
    column("auditor", "text", "The manager who evaluated"),
    column("auditor_role", "text", "The auditor's role"),
    column("evaluation_type", "text", "collaborative, thematic, dip_sample or practice_day"),
    column("template_id", "text", "The template used"),
    column("template_version", "text", "Its version"),
    column("evaluation_date", "date", "The date of the evaluation (what reports count periods by)"),
    column("practice_day", "text", "The practice day it belonged to, if any"),
    column("theme", "text", "The theme of a thematic evaluation, if any"),
    column("practitioner_present", "bool", "Whether the practitioner took part"),
    column("status", "text", "draft, completed or reopened"),
    column("overall_grade", "text", "The overall judgement (grade id)"),
    column("overall_grade_label", "text", "The overall judgement as people read it"),
    column("overall_grade_rank", "int", "Its rank on the template's scale (higher is better)"),
    column("overall_good_or_better", "bool", "Whether the overall judgement is good or better"),
    column("overall_na_reason", "text", "Why the overall judgement is not applicable, if it is"),
    column("summary_strengths", "text", "Strengths, in the auditor's words"),
    column("summary_development", "text", "Areas for development, in the auditor's words"),
    column("immediate_concern", "bool", "Whether the evaluation raised an immediate concern"),
    column("concern_description", "text", "The concern, in the auditor's words"),
    column("completed_at", "text", "When it was completed (ISO 8601, UTC)"),
    column("created_at", "text", "When it was started (ISO 8601, UTC)"),
    column("created_by", "text", "Who started it"),
    column("updated_at", "text", "When it last changed (ISO 8601, UTC)"),
    column("demo", "bool", "Fictional demo data made by 'qa-tui demo' (never real work)"),
)


def evaluations() -> Query:
    return select(E).where(~E.deleted).order_by(E.evaluation_date, E.id)


def evaluation_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
    e = r[0]
    return (
        e.id,
        e.case_reference,
        e.service_area,
        e.team,
        e.practitioner,
        e.auditor,
        e.auditor_role,
        e.evaluation_type,
        e.template_id,
        e.template_version,
        _day(e.evaluation_date),
        e.practice_day,
        e.theme,
        _bool(e.practitioner_present),
        e.status,
        e.overall_grade or None,
        *_grade_facts(vocab, e.template_id, e.overall_grade),
        e.overall_na_reason,
        e.summary_strengths,
        e.summary_development,
        _bool(e.immediate_concern),
        e.concern_description,
        e.completed_at or None,
        e.created_at,
        e.created_by,
        e.updated_at,
        _bool(e.demo),
    )


# --- the answers to template items -----------------------------------------------------------

R = models.Response


def ratings() -> Query:
    return (
        select(R.id, R.evaluation_id, E.template_id, E.template_version, R.item_id, R.grade)
        .add_columns(R.na_reason, R.evidence)
        .join(E, E.id == R.evaluation_id)
        .where(~E.deleted, ~R.deleted, R.grade != "")
        .order_by(R.evaluation_id, R.item_id)
    )


def _is_mark(vocab: Vocabulary, r: Any) -> bool:
    """An example's mark under a judgement (seen, not seen), stored as a response too."""
    _rid, _eid, template_id, version, item_id, grade, _na, _ev = r
    return vocab.is_prompt(template_id, version, item_id) or grade in PROMPT_ONLY


def rating_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...] | None:
    rid, eid, template_id, _version, item_id, grade, na_reason, evidence = r
    if _is_mark(vocab, r):
        return None  # in prompt_marks
    item = vocab.standard(template_id, item_id)
    return (
        rid,
        eid,
        template_id,
        item_id,
        item.label,
        item.section,
        grade,
        *_grade_facts(vocab, template_id, grade),
        na_reason,
        evidence,
    )


def prompt_mark_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...] | None:
    rid, eid, template_id, _version, item_id, grade, _na_reason, evidence = r
    if not _is_mark(vocab, r):
        return None  # in ratings
    prompt = vocab.prompts.get((template_id, item_id))
    label = PROMPT_MARKS.get(grade, grade)
    if prompt is None:
        return (
            rid,
            eid,
            template_id,
            item_id,
            item_id.replace("_", " "),
            None,
            grade,
            label,
            evidence,
        )
    return (rid, eid, template_id, item_id, prompt.label, prompt.item_id, grade, label, evidence)


def answers() -> Query:
    return (
        select(R.id, R.evaluation_id, E.template_id, R.item_id, R.answer, R.text)
        .join(E, E.id == R.evaluation_id)
        .where(~E.deleted, ~R.deleted, R.grade == "")
        .order_by(R.evaluation_id, R.item_id)
    )


def answer_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
    rid, eid, template_id, item_id, answer, text = r
    return (
        rid,
        eid,
        template_id,
        item_id,
        vocab.standard(template_id, item_id).label,
        _bool(answer),
        text,
    )


def entries() -> Query:
    n = models.Entry
    return (
        select(n.id, n.evaluation_id, E.template_id, n.item_id, n.position, n.text)
        .join(E, E.id == n.evaluation_id)
        .where(~E.deleted, ~n.deleted)
        .order_by(n.evaluation_id, n.item_id, n.position, n.id)
    )


def entry_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
    nid, eid, template_id, item_id, position, text = r
    return (
        nid,
        eid,
        template_id,
        item_id,
        vocab.standard(template_id, item_id).label,
        position,
        text,
    )


def scales() -> Query:
    s, p = models.Scale, models.Participant
    return (
        select(
            s.id,
            s.evaluation_id,
            E.template_id,
            s.item_id,
            s.participant_id,
            p.name,
            p.role,
            s.score,
            s.rationale,
        )
        .join(E, E.id == s.evaluation_id)
        .outerjoin(p, p.id == s.participant_id)
        .where(~E.deleted, ~s.deleted)
        .order_by(s.evaluation_id, s.item_id, s.id)
    )


def scale_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
    sid, eid, template_id, item_id, pid, name, role, score, rationale = r
    question = vocab.standard(template_id, item_id).label
    return (sid, eid, template_id, item_id, question, pid, name, role, score, rationale)


def simple(model: type[models.Record], *columns: str) -> Callable[[], Query]:
    def query() -> Query:
        table = model.__table__
        return (
            select(*(table.c[name] for name in columns))
            .join(E, E.id == table.c.evaluation_id)
            .where(~E.deleted, ~table.c.deleted)
            .order_by(table.c.evaluation_id, table.c.id)
        )

    return query


def plain_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
    return tuple(_day(v) if isinstance(v, dt.date) else v for v in r)


def actions() -> Query:
    a = models.Action
    return (
        select(
            a.id,
            a.evaluation_id,
            a.description,
            a.owner,
            func.substr(a.created_at, 1, 10),
            a.due_date,
            a.current_status,
            case((a.current_status == "done", a.status_on), else_=None),
            a.status_note,
        )
        .join(E, E.id == a.evaluation_id)
        .where(~E.deleted, ~a.deleted)
        .order_by(a.evaluation_id, a.id)
    )


def concerns() -> Query:
    status, shares = concern_status_expr()
    return (
        select(
            E.id,
            E.evaluation_date,
            E.status,
            E.concern_description,
            func.coalesce(shares.c.n, 0),
            status,
        )
        .outerjoin(shares, shares.c.evaluation_id == E.id)
        .where(~E.deleted, E.immediate_concern.is_(True))
        .order_by(E.evaluation_date, E.id)
    )


def judgements() -> Query:
    j = models.ModerationJudgement
    return (
        select(
            j.id,
            j.moderation_id,
            j.evaluation_id,
            E.template_id,
            j.item_id,
            j.auditor_grade,
            j.moderated_grade,
            j.rationale,
        )
        .join(E, E.id == j.evaluation_id)
        .where(~E.deleted, ~j.deleted)
        .order_by(j.evaluation_id, j.moderation_id, j.item_id)
    )


def judgement_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
    jid, mid, eid, template_id, item_id, auditor, moderated, rationale = r
    label = (
        "Overall judgement" if item_id == OVERALL else vocab.standard(template_id, item_id).label
    )
    return (
        jid,
        mid,
        eid,
        item_id,
        label,
        auditor or None,
        moderated or None,
        agreement_of(vocab, template_id, auditor, moderated),
        rationale,
    )


def agreement_of(vocab: Vocabulary, template_id: str, auditor: str, moderated: str) -> str | None:
    """agree, higher, lower or different (not applicable on one side); None if not moderated."""
    if not moderated:
        return None
    if moderated == auditor:
        return "agree"
    a, m = vocab.grade(template_id, auditor), vocab.grade(template_id, moderated)
    if a is None or m is None or not a.rank or not m.rank:
        return "different"
    return "higher" if m.rank > a.rank else "lower"


def teams() -> Query:
    t = models.Team
    return select(t.id, t.name, t.service_area, t.retired).order_by(t.name)
