"""The thematic report: a thematic evaluation's board paper (seed 000 §5.5, §5.7).

For one plan (``ReportQuery.plan``) or every thematic evaluation of the period: its terms of
reference, its cases and how far their evaluations have got, the grades of its completed
evaluations per standard, its findings record, the board's systemic actions linked to it,
and — said plainly — what is not yet complete.

Which evaluations a thematic evaluation counts: those started from its cases (the
allocations' evaluations), not deleted; grades come from the completed ones. A plan is in a
period when its dates overlap it; a plan with no date yet is listed in every period.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from qa_tui.domain.board import BoardActionRow, board_actions
from qa_tui.domain.plan_views import PROGRESS, progress_of
from qa_tui.domain.plans import FINDINGS, STATUSES, TERMS, allocations, get_plan
from qa_tui.errors import ValidationError
from qa_tui.reports import measures as m
from qa_tui.reports.kinds import ReportBody
from qa_tui.reports.model import (
    Block,
    Chart,
    Column,
    Figure,
    Paragraph,
    ReportQuery,
    Section,
    Series,
    Table,
)
from qa_tui.reports.period import Period
from qa_tui.reports.standards import Vocabulary, vocabulary
from qa_tui.store import models
from qa_tui.vocab import ACTION_STATUSES

E = models.Evaluation
P = models.Plan
NOT_WRITTEN = "(not yet written)"
NOT_RECORDED = "(not yet recorded)"
WHICH_RULE = (
    "The evaluations counted are those started from the thematic evaluation's cases; its "
    "grades are those of the completed ones (n graded leaves out 'not applicable')."
)


def plans_in(session: Session, query: ReportQuery) -> list[models.Plan]:
    """The thematic plans the report is about: the one asked for, or those of the period
    (in the service area asked for), by date then title."""
    if query.plan:
        found = get_plan(session, query.plan)
        if found.kind != "thematic":
            raise ValidationError(
                f"plan {found.title!r} is not a thematic evaluation (it is a "
                f"{found.kind.replace('_', ' ')})",
                field="plan",
            )
        return [found]
    span = query.period
    last = P.ends_on
    overlaps = (P.starts_on <= span.end) & or_(
        last >= span.start, last.is_(None) & (P.starts_on >= span.start)
    )
    where = [~P.deleted, P.kind == "thematic", or_(P.starts_on.is_(None), overlaps)]
    if query.service_area:
        where.append(P.service_area == query.service_area)
    far = dt.date(9999, 12, 31)
    rows = list(session.scalars(select(P).where(*where)))
    return sorted(rows, key=lambda p: (p.starts_on or far, p.title, p.id))


def plan_period(session: Session, plan_id: str, today: dt.date) -> Period:
    """The span of one plan's dates (for the report's heading); the year of ``today`` when
    it has none."""
    plan = get_plan(session, plan_id)
    if plan.starts_on is None:
        return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31), str(today.year))
    end = max(plan.ends_on or plan.starts_on, plan.starts_on)
    label = plan.starts_on.isoformat() + ("" if end == plan.starts_on else f" to {end}")
    return Period(plan.starts_on, end, label)


@dataclass
class Case:
    reference: str
    reviewer: str
    progress: str
    evaluation_id: str
    overall: str = ""  # the overall judgement's label, once completed


def _cases(session: Session, plan: models.Plan, vocab: Vocabulary) -> list[Case]:
    rows = allocations(session, plan.id)
    states = progress_of(session, rows)
    out = [Case(a.case_reference, a.reviewer, states[a.id], a.started_evaluation_id) for a in rows]
    ids = [c.evaluation_id for c in out if c.evaluation_id]
    overall: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        query = select(E.id, E.template_id, E.overall_grade).where(
            E.id.in_(chunk), ~E.deleted, E.status == "completed"
        )
        for eid, template_id, grade in session.execute(query):
            info = vocab.grade(template_id, grade) if grade else None
            overall[eid] = info.label if info else grade
    for case in out:
        case.overall = overall.get(case.evaluation_id, "")
    return out


def build(session: Session, query: ReportQuery) -> ReportBody:
    """The board paper of one thematic evaluation, or of every one in the period."""
    plans = plans_in(session, query)
    if not plans:
        return ReportBody(
            "Thematic evaluations",
            (Section("What this report covers", (Paragraph(WHICH_RULE),)),),
            (f"No thematic evaluation is planned in {query.period.label}.",),
            0,
        )
    vocab = vocabulary(session)
    actions = board_actions(session, query.today)
    sections: list[Section] = []
    notes: list[str] = []
    overview = []
    counted: set[str] = set()
    for index, plan in enumerate(plans, start=1):
        suffix = "" if len(plans) == 1 else f"_{index}"
        cases = _cases(session, plan, vocab)
        counted.update(c.evaluation_id for c in cases if c.evaluation_id)
        linked = [a for a in actions if a.plan_id == plan.id]
        sections += plan_sections(session, vocab, plan, cases, linked, suffix, len(plans) > 1)
        recorded = [name for name in FINDINGS if getattr(plan, name).strip()]
        if not recorded:
            notes.append(f"{plan.title}: no findings recorded yet.")
        done = sum(1 for c in cases if c.progress in ("completed", "shared"))
        overview.append((plan.title, _when(plan), _status(plan), len(cases), done, len(recorded)))
    if len(plans) > 1:
        sections.insert(0, _overview(overview))
    title = f"Thematic evaluation: {plans[0].title}" if len(plans) == 1 else "Thematic evaluations"
    return ReportBody(title, tuple(sections), tuple(notes), _demo(session, counted))


def _demo(session: Session, ids: set[str]) -> int:
    """How many of the evaluations counted are fictional demo data."""
    found = sorted(ids)
    return sum(
        len(session.scalars(select(E.id).where(E.id.in_(found[i : i + 500]), E.demo)).all())
        for i in range(0, len(found), 500)
    )


def _when(plan: models.Plan) -> str:
    if plan.starts_on is None:
        return "no date yet"
    if plan.ends_on and plan.ends_on != plan.starts_on:
        return f"{plan.starts_on.isoformat()} to {plan.ends_on.isoformat()}"
    return plan.starts_on.isoformat()


def _status(plan: models.Plan) -> str:
    return STATUSES.get(plan.status, plan.status)


def _overview(rows: list[tuple[str, str, str, int, int, int]]) -> Section:
    table = Table(
        "thematic_evaluations",
        "The thematic evaluations in the period",
        (
            Column("title", "Thematic evaluation"),
            Column("dates", "Dates"),
            Column("status", "Status"),
            Column("cases", "Cases", "int"),
            Column("completed", "Evaluations completed", "int"),
            Column("findings_recorded", f"Findings recorded (of {len(FINDINGS)})", "int"),
        ),
        tuple(rows),
    )
    return Section("The thematic programme", (Paragraph(WHICH_RULE), table))


def plan_sections(
    session: Session,
    vocab: Vocabulary,
    plan: models.Plan,
    cases: list[Case],
    linked: list[BoardActionRow],
    suffix: str,
    named: bool,
) -> list[Section]:
    """The sections of one thematic evaluation (``named``: their titles name it)."""
    head = f"{plan.title}: " if named else ""
    return [
        Section(f"{head}Terms of reference", _terms(plan, suffix, named)),
        Section(f"{head}Cases and evaluations", _progress(cases, suffix)),
        Section(f"{head}Grades", _grades(session, vocab, cases, suffix)),
        Section(f"{head}Findings", _findings(plan, suffix)),
        Section(f"{head}Systemic actions for the board", _actions(linked, suffix)),
        Section(f"{head}Not yet complete", _incomplete(plan, cases, linked)),
    ]


def _terms(plan: models.Plan, suffix: str, named: bool) -> tuple[Block, ...]:
    about = f"{_when(plan)} · {_status(plan)}"
    if plan.service_area:
        about += f" · {plan.service_area}"
    rows = tuple(
        (label, getattr(plan, name).strip() or NOT_WRITTEN) for name, label in TERMS.items()
    )
    table = Table(
        f"terms_of_reference{suffix}",
        "Terms of reference (seed 000 §5.5)",
        (Column("term", "Term"), Column("text", "What was agreed")),
        rows,
    )
    blocks: list[Block] = [Paragraph(about if not named else f"{plan.title}: {about}"), table]
    if plan.notes.strip():
        blocks.append(Paragraph(f"Notes: {plan.notes.strip()}"))
    return tuple(blocks)


def _progress(cases: list[Case], suffix: str) -> tuple[Block, ...]:
    counts = Counter(c.progress for c in cases)
    n = len(cases)
    allocated = n - counts["unallocated"]
    started = counts["started"] + counts["completed"] + counts["shared"]
    done = counts["completed"] + counts["shared"]
    figures = (
        Figure("Cases", f"{n:,}", n, n),
        Figure("Allocated to a reviewer", f"{allocated:,}", allocated, n),
        Figure("Evaluations started", f"{started:,}", started, n),
        Figure("Evaluations completed", f"{done:,}", done, n, "completed or shared"),
    )
    by_state = Table(
        f"progress{suffix}",
        "The cases by how far their evaluation has got",
        (Column("progress", "Progress"), Column("cases", "Cases", "int")),
        tuple((label, counts.get(key, 0)) for key, label in PROGRESS.items()),
        f"n = {n:,} cases.",
    )
    listing = Table(
        f"cases{suffix}",
        "Each case",
        (
            Column("case_reference", "Case"),
            Column("reviewer", "Reviewer"),
            Column("progress", "Progress"),
            Column("overall_judgement", "Overall judgement"),
            Column("evaluation_id", "Evaluation id", reading=False),
        ),
        tuple(
            (c.reference, c.reviewer, PROGRESS[c.progress], c.overall, c.evaluation_id)
            for c in cases
        ),
    )
    return (*figures, by_state, listing)


def _grades(
    session: Session, vocab: Vocabulary, cases: list[Case], suffix: str
) -> tuple[Block, ...]:
    ids = sorted({c.evaluation_id for c in cases if c.evaluation_id})
    where = [E.id.in_(ids), ~E.deleted, E.status == "completed"]
    per_standard = m.grades_by_standard(session, vocab, where) if ids else {}
    overall = m.overall_grades(session, vocab, where) if ids else m.Grades()
    if not per_standard and not overall.counts:
        return (Paragraph("No evaluation of this thematic evaluation is completed yet."),)
    order = vocab.grade_order()
    columns = (
        Column("template", "Template"),
        Column("standard_id", "Standard id", reading=False),
        Column("standard", "Standard"),
        *(Column(f"n_{gid}", label, "int") for gid, label in order),
        Column("n_graded", "n graded", "int"),
        Column("share_good_or_better", "Good or better", "percent"),
    )
    keys = sorted(per_standard, key=lambda k: (vocab.standard(*k).template_name, k))
    rows = [("", "overall", "Overall judgement", overall)] + [
        (vocab.standard(*k).template_name, k[1], vocab.standard(*k).label, per_standard[k])
        for k in keys
    ]
    table = Table(
        f"grades_by_standard{suffix}",
        "The grades of its completed evaluations, by standard",
        columns,
        tuple(
            (t, sid, label, *(g.counts.get(gid, 0) for gid, _ in order), g.graded, g.share_good)
            for t, sid, label, g in rows
        ),
        "n graded leaves out 'not applicable'.",
    )
    good = Figure(
        "Overall judgement good or better",
        m.pct(overall.share_good),
        m.round_or_none(overall.share_good, 4),
        overall.graded,
    )
    shown = [(gid, label) for gid, label in order if overall.counts.get(gid)]
    chart = Chart(
        "Overall judgements",
        "bar",
        tuple(label for _, label in shown),
        (Series("Evaluations", tuple(float(overall.counts[gid]) for gid, _ in shown)),),
        "evaluations",
        table.name,
    )
    return (good, chart, table)


def _findings(plan: models.Plan, suffix: str) -> tuple[Block, ...]:
    rows: list[tuple[str, str]] = []
    for name, label in FINDINGS.items():
        lines = [" ".join(x.split()) for x in getattr(plan, name).splitlines() if x.strip()]
        rows += [(label, text) for text in lines] or [(label, NOT_RECORDED)]
    table = Table(
        f"findings{suffix}",
        "The findings record",
        (Column("heading", "Finding"), Column("text", "What was found")),
        tuple(rows),
        "One row a line of the record.",
    )
    if all(not getattr(plan, name).strip() for name in FINDINGS):
        return (Paragraph("No findings have been recorded yet."), table)
    return (table,)


def _actions(linked: list[BoardActionRow], suffix: str) -> tuple[Block, ...]:
    if not linked:
        return (Paragraph("No systemic action of the board is linked to this evaluation yet."),)
    table = Table(
        f"board_actions{suffix}",
        "Systemic actions the board commissioned from it (§6.13)",
        (
            Column("action", "Action"),
            Column("owner", "Owner"),
            Column("due", "Due", "date"),
            Column("status", "Status"),
            Column("overdue", "Overdue"),
            Column("last_update", "Latest progress"),
            Column("evidence", "Evidence that it made a difference"),
        ),
        tuple(
            (
                a.description,
                a.owner,
                a.due_on.isoformat() if a.due_on else None,
                ACTION_STATUSES.get(a.status, a.status),
                "yes" if a.overdue else "no",
                a.last_update,
                a.evidence,
            )
            for a in linked
        ),
    )
    return (table,)


def _incomplete(
    plan: models.Plan, cases: list[Case], linked: list[BoardActionRow]
) -> tuple[Block, ...]:
    counts = Counter(c.progress for c in cases)
    gaps = []
    missing = [label for name, label in TERMS.items() if not getattr(plan, name).strip()]
    if missing:
        gaps.append(f"Terms of reference not written: {', '.join(missing)}.")
    if not cases:
        gaps.append("No case has been put on it yet.")
    left = len(cases) - counts["completed"] - counts["shared"]
    if left:
        parts = [
            f"{counts[k]} {PROGRESS[k].lower()}"
            for k in ("unallocated", "allocated", "started")
            if counts[k]
        ]
        gaps.append(f"{left} of {len(cases)} evaluations not completed ({', '.join(parts)}).")
    empty = [label for name, label in FINDINGS.items() if not getattr(plan, name).strip()]
    if empty:
        gaps.append(f"Findings not recorded: {', '.join(empty)}.")
    still = [a for a in linked if a.status in ("open", "in_progress")]
    if still:
        gaps.append(f"{len(still)} of {len(linked)} systemic actions still open.")
    if plan.status != "closed":
        gaps.append(f"The thematic evaluation is {_status(plan).lower()}, not closed.")
    if not gaps:
        return (Paragraph("Nothing: every case is evaluated, the findings are recorded."),)
    return tuple(Paragraph(g) for g in gaps)
