"""Every table as tidy data for the QA team's own analysis (``qa-tui data``; docs/data.md).

One row per thing (an evaluation, a rating, an entry, a scale…), one column per fact, with
stable column names and the ids that join the tables. Codes come with the words people read
(a standard's id and its wording; a grade's id, label and rank), so a pivot table in Excel or
a measure in Power BI needs no lookup. Only the current state is exported, and nothing deleted.

Rows are streamed from the database in batches (``yield_per``), never all in memory: a table
of a million ratings costs what a batch costs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from qa_tui.domain.moderation import OVERALL
from qa_tui.framework.model import PROMPT_MARKS
from qa_tui.reports.measures import PROMPT_ONLY
from qa_tui.reports.queries import concern_status_expr
from qa_tui.reports.standards import Vocabulary, vocabulary
from qa_tui.store import models

BATCH = 5_000
Kind = str  # "text", "int", "date", "bool", "float"
Query = Select[*tuple[Any, ...]]

E = models.Evaluation


@dataclass(frozen=True)
class TidyColumn:
    key: str
    kind: Kind
    about: str  # what it holds (docs/data.md says the same)


@dataclass(frozen=True)
class TidyTable:
    """One table of the export: its columns, the query, and how a row becomes values."""

    name: str
    about: str
    columns: tuple[TidyColumn, ...]
    query: Callable[[], Query]
    # A row's values, or None for a row the query read that belongs to another table
    row: Callable[[Vocabulary, Any], tuple[Any, ...] | None]


def _c(key: str, kind: Kind, about: str) -> TidyColumn:
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
    _c("evaluation_id", "text", "The evaluation's id (joins every other table)"),
    _c("case_reference", "text", "The case reference from the case-management system"),
    _c("service_area", "text", "Service area"),
    _c("team", "text", "Team"),
    _c("practitioner", "text", "The practitioner whose work was evaluated"),
    _c("auditor", "text", "The manager who evaluated"),
    _c("auditor_role", "text", "The auditor's role"),
    _c("evaluation_type", "text", "collaborative, thematic, dip_sample or practice_day"),
    _c("template_id", "text", "The template used"),
    _c("template_version", "text", "Its version"),
    _c("evaluation_date", "date", "The date of the evaluation (what reports count periods by)"),
    _c("practice_day", "text", "The practice day it belonged to, if any"),
    _c("theme", "text", "The theme of a thematic evaluation, if any"),
    _c("practitioner_present", "bool", "Whether the practitioner took part"),
    _c("status", "text", "draft, completed or reopened"),
    _c("overall_grade", "text", "The overall judgement (grade id)"),
    _c("overall_grade_label", "text", "The overall judgement as people read it"),
    _c("overall_grade_rank", "int", "Its rank on the template's scale (higher is better)"),
    _c("overall_good_or_better", "bool", "Whether the overall judgement is good or better"),
    _c("overall_na_reason", "text", "Why the overall judgement is not applicable, if it is"),
    _c("summary_strengths", "text", "Strengths, in the auditor's words"),
    _c("summary_development", "text", "Areas for development, in the auditor's words"),
    _c("immediate_concern", "bool", "Whether the evaluation raised an immediate concern"),
    _c("concern_description", "text", "The concern, in the auditor's words"),
    _c("completed_at", "text", "When it was completed (ISO 8601, UTC)"),
    _c("created_at", "text", "When it was started (ISO 8601, UTC)"),
    _c("created_by", "text", "Who started it"),
    _c("updated_at", "text", "When it last changed (ISO 8601, UTC)"),
    _c("demo", "bool", "Fictional demo data made by 'qa-tui demo' (never real work)"),
)


def _evaluations() -> Query:
    return select(E).where(~E.deleted).order_by(E.evaluation_date, E.id)


def _evaluation_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
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


def _ratings() -> Query:
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


def _rating_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...] | None:
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


def _prompt_mark_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...] | None:
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


def _answers() -> Query:
    return (
        select(R.id, R.evaluation_id, E.template_id, R.item_id, R.answer, R.text)
        .join(E, E.id == R.evaluation_id)
        .where(~E.deleted, ~R.deleted, R.grade == "")
        .order_by(R.evaluation_id, R.item_id)
    )


def _answer_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
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


def _entries() -> Query:
    n = models.Entry
    return (
        select(n.id, n.evaluation_id, E.template_id, n.item_id, n.position, n.text)
        .join(E, E.id == n.evaluation_id)
        .where(~E.deleted, ~n.deleted)
        .order_by(n.evaluation_id, n.item_id, n.position, n.id)
    )


def _entry_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
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


def _scales() -> Query:
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


def _scale_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
    sid, eid, template_id, item_id, pid, name, role, score, rationale = r
    question = vocab.standard(template_id, item_id).label
    return (sid, eid, template_id, item_id, question, pid, name, role, score, rationale)


def _simple(model: type[models.Record], *columns: str) -> Callable[[], Query]:
    def query() -> Query:
        table = model.__table__
        return (
            select(*(table.c[name] for name in columns))
            .join(E, E.id == table.c.evaluation_id)
            .where(~E.deleted, ~table.c.deleted)
            .order_by(table.c.evaluation_id, table.c.id)
        )

    return query


def _plain_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
    return tuple(_day(v) if isinstance(v, dt.date) else v for v in r)


def _actions() -> Query:
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


def _concerns() -> Query:
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


def _judgements() -> Query:
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


def _judgement_row(vocab: Vocabulary, r: Any) -> tuple[Any, ...]:
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


def _teams() -> Query:
    t = models.Team
    return select(t.id, t.name, t.service_area, t.retired).order_by(t.name)


TABLES: tuple[TidyTable, ...] = (
    TidyTable(
        "evaluations", "One row per evaluation.", EVALUATION_COLUMNS, _evaluations, _evaluation_row
    ),
    TidyTable(
        "ratings",
        "One row per graded standard of an evaluation (the grade and its evidence); the marks of"
        " the examples under a judgement are in prompt_marks.",
        (
            _c("rating_id", "text", "The rating's id"),
            _c("evaluation_id", "text", "The evaluation"),
            _c("template_id", "text", "The evaluation's template"),
            _c("standard_id", "text", "The standard (template item id)"),
            _c("standard", "text", "The standard as the template words it"),
            _c("section", "text", "The template section it is in"),
            _c("grade", "text", "The grade id (not_applicable for not applicable)"),
            _c("grade_label", "text", "The grade as people read it"),
            _c("grade_rank", "int", "Its rank on the scale (higher is better; empty for N/A)"),
            _c("good_or_better", "bool", "Whether the grade counts as good or better"),
            _c("na_reason", "text", "Why not applicable, if it is"),
            _c("evidence", "text", "The evidence, in the auditor's words"),
        ),
        _ratings,
        _rating_row,
    ),
    TidyTable(
        "prompt_marks",
        "One row per example looked for under a judgement (seen, not seen or not applicable);"
        " marks, not grades.",
        (
            _c("mark_id", "text", "The mark's id"),
            _c("evaluation_id", "text", "The evaluation"),
            _c("template_id", "text", "The evaluation's template"),
            _c("prompt_id", "text", "The example (template prompt id)"),
            _c("prompt", "text", "The example as the template words it"),
            _c("standard_id", "text", "The judgement it is an example of (template item id)"),
            _c("mark", "text", "seen, not_seen or not_applicable"),
            _c("mark_label", "text", "The mark as people read it"),
            _c("evidence", "text", "The evidence, in the auditor's words"),
        ),
        _ratings,
        _prompt_mark_row,
    ),
    TidyTable(
        "answers",
        "One row per yes/no or text answer of an evaluation.",
        (
            _c("answer_id", "text", "The answer's id"),
            _c("evaluation_id", "text", "The evaluation"),
            _c("template_id", "text", "The evaluation's template"),
            _c("item_id", "text", "The template item"),
            _c("question", "text", "The item as the template words it"),
            _c("answer", "bool", "Yes or no, for a yes/no item"),
            _c("text", "text", "The text (the reason, or the answer)"),
        ),
        _answers,
        _answer_row,
    ),
    TidyTable(
        "sos_entries",
        "One row per Signs of Safety entry (what is working well, worries, what needs to happen).",
        (
            _c("entry_id", "text", "The entry's id"),
            _c("evaluation_id", "text", "The evaluation"),
            _c("template_id", "text", "The evaluation's template"),
            _c("item_id", "text", "The list it belongs to (template item id)"),
            _c("list", "text", "The list as the template words it"),
            _c("position", "float", "Its place in the list"),
            _c("text", "text", "The entry"),
        ),
        _entries,
        _entry_row,
    ),
    TidyTable(
        "scaling",
        "One row per participant's scale on a scaling question.",
        (
            _c("scale_id", "text", "The scale's id"),
            _c("evaluation_id", "text", "The evaluation"),
            _c("template_id", "text", "The evaluation's template"),
            _c("item_id", "text", "The scaling question (template item id)"),
            _c("question", "text", "The question as the template words it"),
            _c("participant_id", "text", "Who gave it (joins participants)"),
            _c("participant_name", "text", "Their name"),
            _c("participant_role", "text", "Their role"),
            _c("score", "int", "The scale, 0 to 10 (empty if not yet given)"),
            _c("rationale", "text", "Their rationale"),
        ),
        _scales,
        _scale_row,
    ),
    TidyTable(
        "feedback",
        "One row per piece of feedback from the child or family, or where the record shows it.",
        (
            _c("feedback_id", "text", "The feedback's id"),
            _c("evaluation_id", "text", "The evaluation"),
            _c("item_id", "text", "The template item"),
            _c("source", "text", "direct, or where in the record it was found"),
            _c("given_by", "text", "Who gave it (direct feedback)"),
            _c("text", "text", "What they said, or what the record shows"),
        ),
        _simple(models.Feedback, "id", "evaluation_id", "item_id", "source", "given_by", "text"),
        _plain_row,
    ),
    TidyTable(
        "actions",
        "One row per action agreed.",
        (
            _c("action_id", "text", "The action's id"),
            _c("evaluation_id", "text", "The evaluation it was agreed in"),
            _c("description", "text", "What is to be done"),
            _c("owner", "text", "Who owns it"),
            _c("opened_on", "date", "The day it was recorded"),
            _c("due_date", "date", "By when"),
            _c(
                "status",
                "text",
                "open, in_progress, done or cancelled (no longer needed): its latest progress "
                "update's, else the status it was agreed with",
            ),
            _c("completed_on", "date", "The day it was done (its 'done' update's date)"),
            _c("progress", "text", "The latest progress note"),
        ),
        _actions,
        _plain_row,
    ),
    TidyTable(
        "action_updates",
        "One row per dated progress update on an action (its status from that day, a note).",
        (
            _c("update_id", "text", "The update's id"),
            _c("action_id", "text", "The action"),
            _c("evaluation_id", "text", "The evaluation the action was agreed in"),
            _c("status", "text", "open, in_progress, done or cancelled, from this day"),
            _c("note", "text", "What was done, or why"),
            _c("updated_on", "date", "The day of the update"),
            _c("recorded_by", "text", "Who recorded it"),
        ),
        _simple(
            models.ActionUpdate,
            "id",
            "action_id",
            "evaluation_id",
            "status",
            "note",
            "updated_on",
            "created_by",
        ),
        _plain_row,
    ),
    TidyTable(
        "concerns",
        "One row per evaluation that raised an immediate concern.",
        (
            _c("evaluation_id", "text", "The evaluation"),
            _c("evaluation_date", "date", "The evaluation's date"),
            _c("evaluation_status", "text", "The evaluation's status"),
            _c("description", "text", "The concern, in the auditor's words"),
            _c("recipients_shared", "int", "How many of the four recipients the notice reached"),
            _c(
                "status",
                "text",
                "not_shared, partly_shared, shared (with all four), acknowledged or closed",
            ),
        ),
        _concerns,
        _plain_row,
    ),
    TidyTable(
        "concern_shares",
        "One row per recipient the written notice of a concern was shared with.",
        (
            _c("share_id", "text", "The share's id"),
            _c("evaluation_id", "text", "The evaluation"),
            _c(
                "recipient_role",
                "text",
                "practitioner, team_manager, service_manager or director_social_care",
            ),
            _c("recipient_name", "text", "Who"),
            _c("shared_on", "date", "When"),
            _c("method", "text", "How (email, letter, case_record)"),
        ),
        _simple(
            models.ConcernShare,
            "id",
            "evaluation_id",
            "recipient_role",
            "recipient_name",
            "shared_on",
            "method",
        ),
        _plain_row,
    ),
    TidyTable(
        "concern_events",
        "One row per acknowledgement or closing of an immediate concern.",
        (
            _c("event_id", "text", "The event's id"),
            _c("evaluation_id", "text", "The evaluation that raised the concern"),
            _c("kind", "text", "acknowledged or closed"),
            _c("person_role", "text", "The role of who acknowledged it"),
            _c("person_name", "text", "Who"),
            _c("happened_on", "date", "When"),
            _c("note", "text", "The outcome, or a note"),
        ),
        _simple(
            models.ConcernEvent,
            "id",
            "evaluation_id",
            "kind",
            "person_role",
            "person_name",
            "happened_on",
            "note",
        ),
        _plain_row,
    ),
    TidyTable(
        "moderations",
        "One row per moderation of an evaluation.",
        (
            _c("moderation_id", "text", "The moderation's id"),
            _c("evaluation_id", "text", "The evaluation moderated"),
            _c("moderator", "text", "Who moderated"),
            _c("moderator_role", "text", "Their role"),
            _c("moderated_on", "date", "When"),
            _c("group_name", "text", "The moderation group"),
            _c("learning_points", "text", "The group's learning points"),
        ),
        _simple(
            models.Moderation,
            "id",
            "evaluation_id",
            "moderator",
            "moderator_role",
            "moderated_on",
            "group_name",
            "learning_points",
        ),
        _plain_row,
    ),
    TidyTable(
        "moderation_judgements",
        "One row per item a moderation graded (the overall judgement included).",
        (
            _c("judgement_id", "text", "The judgement's id"),
            _c("moderation_id", "text", "The moderation (joins moderations)"),
            _c("evaluation_id", "text", "The evaluation"),
            _c("item_id", "text", "The standard (template item id), or overall"),
            _c("standard", "text", "The standard as the template words it"),
            _c("auditor_grade", "text", "The auditor's grade"),
            _c("moderated_grade", "text", "The moderated grade"),
            _c("agreement", "text", "agree, higher, lower or different (N/A on one side)"),
            _c("rationale", "text", "The moderator's rationale"),
        ),
        _judgements,
        _judgement_row,
    ),
    TidyTable(
        "participants",
        "One row per person who took part in an evaluation.",
        (
            _c("participant_id", "text", "The participant's id"),
            _c("evaluation_id", "text", "The evaluation"),
            _c("name", "text", "Their name"),
            _c("role", "text", "Their role"),
        ),
        _simple(models.Participant, "id", "evaluation_id", "name", "role"),
        _plain_row,
    ),
    TidyTable(
        "teams",
        "One row per team the QA team keeps on the central database.",
        (
            _c("team_id", "text", "The team's id"),
            _c("name", "text", "The team"),
            _c("service_area", "text", "Its service area"),
            _c("retired", "bool", "Whether it is retired"),
        ),
        _teams,
        _plain_row,
    ),
)
TABLE_NAMES = tuple(t.name for t in TABLES)


def rows(session: Session, table: TidyTable, vocab: Vocabulary) -> Iterator[tuple[Any, ...]]:
    """The table's rows, streamed in batches."""
    result = session.execute(table.query().execution_options(yield_per=BATCH))
    for row in result:
        values = table.row(vocab, row)
        if values is not None:
            yield values


def tables(session: Session) -> Iterator[tuple[TidyTable, Iterator[tuple[Any, ...]]]]:
    """Each table with its rows (read one table at a time, in order)."""
    vocab = vocabulary(session)
    for table in TABLES:
        yield table, rows(session, table, vocab)


def columns_markdown() -> str:
    """The tables and their columns as Markdown (docs/data.md holds exactly this)."""
    out: list[str] = []
    for table in TABLES:
        out += [f"### `{table.name}`", "", table.about, "", "| column | type | what it holds |"]
        out.append("| --- | --- | --- |")
        out += [f"| `{c.key}` | {c.kind} | {c.about} |" for c in table.columns]
        out.append("")
    return "\n".join(out)
