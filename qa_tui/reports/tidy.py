"""Every table as tidy data for the QA team's own analysis (``qa-tui data``; docs/data.md).

One row per thing (an evaluation, a rating, an entry, a scale…), one column per fact, with
stable column names and the ids that join the tables. Codes come with the words people read
(a standard's id and its wording; a grade's id, label and rank), so a pivot table in Excel or
a measure in Power BI needs no lookup. Only the current state is exported, and nothing deleted.

Rows are streamed from the database in batches (``yield_per``), never all in memory: a table
of a million ratings costs what a batch costs.

The tables are declared here (:data:`TABLES`: name, what a row is, columns); how each is read
and how a row becomes its values is in :mod:`qa_tui.reports.tidy_rows`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from qa_tui.reports.standards import Vocabulary, vocabulary
from qa_tui.reports.tidy_rows import (
    EVALUATION_COLUMNS,
    Query,
    TidyColumn,
    actions,
    answer_row,
    answers,
    column,
    concerns,
    entries,
    entry_row,
    evaluation_row,
    evaluations,
    judgement_row,
    judgements,
    plain_row,
    prompt_mark_row,
    rating_row,
    ratings,
    scale_row,
    scales,
    simple,
    teams,
)
from qa_tui.store import models

BATCH = 5_000


@dataclass(frozen=True)
class TidyTable:
    """One table of the export: its columns, the query, and how a row becomes values."""

    name: str
    about: str
    columns: tuple[TidyColumn, ...]
    query: Callable[[], Query]
    # A row's values, or None for a row the query read that belongs to another table
    row: Callable[[Vocabulary, Any], tuple[Any, ...] | None]


TABLES: tuple[TidyTable, ...] = (
    TidyTable(
        "evaluations", "One row per evaluation.", EVALUATION_COLUMNS, evaluations, evaluation_row
    ),
    TidyTable(
        "ratings",
        "One row per graded standard of an evaluation (the grade and its evidence); the marks of"
        " the examples under a judgement are in prompt_marks.",
        (
            column("rating_id", "text", "The rating's id"),
            column("evaluation_id", "text", "The evaluation"),
            column("template_id", "text", "The evaluation's template"),
            column("standard_id", "text", "The standard (template item id)"),
            column("standard", "text", "The standard as the template words it"),
            column("section", "text", "The template section it is in"),
            column("grade", "text", "The grade id (not_applicable for not applicable)"),
            column("grade_label", "text", "The grade as people read it"),
            column("grade_rank", "int", "Its rank on the scale (higher is better; empty for N/A)"),
            column("good_or_better", "bool", "Whether the grade counts as good or better"),
            column("na_reason", "text", "Why not applicable, if it is"),
            column("evidence", "text", "The evidence, in the auditor's words"),
        ),
        ratings,
        rating_row,
    ),
    TidyTable(
        "prompt_marks",
        "One row per example looked for under a judgement (seen, not seen or not applicable);"
        " marks, not grades.",
        (
            column("mark_id", "text", "The mark's id"),
            column("evaluation_id", "text", "The evaluation"),
            column("template_id", "text", "The evaluation's template"),
            column("prompt_id", "text", "The example (template prompt id)"),
            column("prompt", "text", "The example as the template words it"),
            column("standard_id", "text", "The judgement it is an example of (template item id)"),
            column("mark", "text", "seen, not_seen or not_applicable"),
            column("mark_label", "text", "The mark as people read it"),
            column("evidence", "text", "The evidence, in the auditor's words"),
        ),
        ratings,
        prompt_mark_row,
    ),
    TidyTable(
        "answers",
        "One row per yes/no or text answer of an evaluation.",
        (
            column("answer_id", "text", "The answer's id"),
            column("evaluation_id", "text", "The evaluation"),
            column("template_id", "text", "The evaluation's template"),
            column("item_id", "text", "The template item"),
            column("question", "text", "The item as the template words it"),
            column("answer", "bool", "Yes or no, for a yes/no item"),
            column("text", "text", "The text (the reason, or the answer)"),
        ),
        answers,
        answer_row,
    ),
    TidyTable(
        "sos_entries",
        "One row per Signs of Safety entry (what is working well, worries, what needs to happen).",
        (
            column("entry_id", "text", "The entry's id"),
            column("evaluation_id", "text", "The evaluation"),
            column("template_id", "text", "The evaluation's template"),
            column("item_id", "text", "The list it belongs to (template item id)"),
            column("list", "text", "The list as the template words it"),
            column("position", "float", "Its place in the list"),
            column("text", "text", "The entry"),
        ),
        entries,
        entry_row,
    ),
    TidyTable(
        "scaling",
        "One row per participant's scale on a scaling question.",
        (
            column("scale_id", "text", "The scale's id"),
            column("evaluation_id", "text", "The evaluation"),
            column("template_id", "text", "The evaluation's template"),
            column("item_id", "text", "The scaling question (template item id)"),
            column("question", "text", "The question as the template words it"),
            column("participant_id", "text", "Who gave it (joins participants)"),
            column("participant_name", "text", "Their name"),
            column("participant_role", "text", "Their role"),
            column("score", "int", "The scale, 0 to 10 (empty if not yet given)"),
            column("rationale", "text", "Their rationale"),
        ),
        scales,
        scale_row,
    ),
    TidyTable(
        "feedback",
        "One row per piece of feedback from the child or family, or where the record shows it.",
        (
            column("feedback_id", "text", "The feedback's id"),
            column("evaluation_id", "text", "The evaluation"),
            column("item_id", "text", "The template item"),
            column("source", "text", "direct, or where in the record it was found"),
            column("given_by", "text", "Who gave it (direct feedback)"),
            column("text", "text", "What they said, or what the record shows"),
        ),
        simple(models.Feedback, "id", "evaluation_id", "item_id", "source", "given_by", "text"),
        plain_row,
    ),
    TidyTable(
        "actions",
        "One row per action agreed.",
        (
            column("action_id", "text", "The action's id"),
            column("evaluation_id", "text", "The evaluation it was agreed in"),
            column("description", "text", "What is to be done"),
            column("owner", "text", "Who owns it"),
            column("opened_on", "date", "The day it was recorded"),
            column("due_date", "date", "By when"),
            column(
                "status",
                "text",
                "open, in_progress, done or cancelled (no longer needed): its latest progress "
                "update's, else the status it was agreed with",
            ),
            column("completed_on", "date", "The day it was done (its 'done' update's date)"),
            column("progress", "text", "The latest progress note"),
        ),
        actions,
        plain_row,
    ),
    TidyTable(
        "action_updates",
        "One row per dated progress update on an action (its status from that day, a note).",
        (
            column("update_id", "text", "The update's id"),
            column("action_id", "text", "The action"),
            column("evaluation_id", "text", "The evaluation the action was agreed in"),
            column("status", "text", "open, in_progress, done or cancelled, from this day"),
            column("note", "text", "What was done, or why"),
            column("updated_on", "date", "The day of the update"),
            column("recorded_by", "text", "Who recorded it"),
        ),
        simple(
            models.ActionUpdate,
            "id",
            "action_id",
            "evaluation_id",
            "status",
            "note",
            "updated_on",
            "created_by",
        ),
        plain_row,
    ),
    TidyTable(
        "concerns",
        "One row per evaluation that raised an immediate concern.",
        (
            column("evaluation_id", "text", "The evaluation"),
            column("evaluation_date", "date", "The evaluation's date"),
            column("evaluation_status", "text", "The evaluation's status"),
            column("description", "text", "The concern, in the auditor's words"),
            column(
                "recipients_shared", "int", "How many of the four recipients the notice reached"
            ),
            column(
                "status",
                "text",
                "not_shared, partly_shared, shared (with all four), acknowledged or closed",
            ),
        ),
        concerns,
        plain_row,
    ),
    TidyTable(
        "concern_shares",
        "One row per recipient the written notice of a concern was shared with.",
        (
            column("share_id", "text", "The share's id"),
            column("evaluation_id", "text", "The evaluation"),
            column(
                "recipient_role",
                "text",
                "practitioner, team_manager, service_manager or director_social_care",
            ),
            column("recipient_name", "text", "Who"),
            column("shared_on", "date", "When"),
            column("method", "text", "How (email, letter, case_record)"),
        ),
        simple(
            models.ConcernShare,
            "id",
            "evaluation_id",
            "recipient_role",
            "recipient_name",
            "shared_on",
            "method",
        ),
        plain_row,
    ),
    TidyTable(
        "concern_events",
        "One row per acknowledgement or closing of an immediate concern.",
        (
            column("event_id", "text", "The event's id"),
            column("evaluation_id", "text", "The evaluation that raised the concern"),
            column("kind", "text", "acknowledged or closed"),
            column("person_role", "text", "The role of who acknowledged it"),
            column("person_name", "text", "Who"),
            column("happened_on", "date", "When"),
            column("note", "text", "The outcome, or a note"),
        ),
        simple(
            models.ConcernEvent,
            "id",
            "evaluation_id",
            "kind",
            "person_role",
            "person_name",
            "happened_on",
            "note",
        ),
        plain_row,
    ),
    TidyTable(
        "moderations",
        "One row per moderation of an evaluation.",
        (
            column("moderation_id", "text", "The moderation's id"),
            column("evaluation_id", "text", "The evaluation moderated"),
            column("moderator", "text", "Who moderated"),
            column("moderator_role", "text", "Their role"),
            column("moderated_on", "date", "When"),
            column("group_name", "text", "The moderation group"),
            column("learning_points", "text", "The group's learning points"),
        ),
        simple(
            models.Moderation,
            "id",
            "evaluation_id",
            "moderator",
            "moderator_role",
            "moderated_on",
            "group_name",
            "learning_points",
        ),
        plain_row,
    ),
    TidyTable(
        "moderation_judgements",
        "One row per item a moderation graded (the overall judgement included).",
        (
            column("judgement_id", "text", "The judgement's id"),
            column("moderation_id", "text", "The moderation (joins moderations)"),
            column("evaluation_id", "text", "The evaluation"),
            column("item_id", "text", "The standard (template item id), or overall"),
            column("standard", "text", "The standard as the template words it"),
            column("auditor_grade", "text", "The auditor's grade"),
            column("moderated_grade", "text", "The moderated grade"),
            column("agreement", "text", "agree, higher, lower or different (N/A on one side)"),
            column("rationale", "text", "The moderator's rationale"),
        ),
        judgements,
        judgement_row,
    ),
    TidyTable(
        "participants",
        "One row per person who took part in an evaluation.",
        (
            column("participant_id", "text", "The participant's id"),
            column("evaluation_id", "text", "The evaluation"),
            column("name", "text", "Their name"),
            column("role", "text", "Their role"),
        ),
        simple(models.Participant, "id", "evaluation_id", "name", "role"),
        plain_row,
    ),
    TidyTable(
        "teams",
        "One row per team the QA team keeps on the central database.",
        (
            column("team_id", "text", "The team's id"),
            column("name", "text", "The team"),
            column("service_area", "text", "Its service area"),
            column("retired", "bool", "Whether it is retired"),
        ),
        teams,
        plain_row,
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
