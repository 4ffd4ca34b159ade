"""Reading moderation sessions: the list, one session, and one evaluation side by side.

Pure reads over the current state. The side-by-side view is two aligned columns of the same
items: on the left what the auditor recorded (grade, evidence, Signs of Safety lists,
scaling), on the right what the moderation group made of it (each moderator's blind grade,
the agreed grade, agreement and rationale) — or, to compare two evaluations of one case, a
second auditor's record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qa_tui.domain.moderation import OVERALL, agreement, judgement_id
from qa_tui.domain.sessions import get_session, moderators, session_moderation_id
from qa_tui.errors import NotFoundError
from qa_tui.framework.model import GradingScale, Item, ItemKind, Template
from qa_tui.store import models
from qa_tui.store.moderation_views import SessionEvaluation, read_session_evaluation
from qa_tui.store.queries import get_evaluation
from qa_tui.store.views import EvaluationView, load_view

HIDDEN = "hidden until the group reveals the auditor's grades"


@dataclass(frozen=True)
class SessionRow:
    """One session in the list."""

    id: str
    held_on: dt.date | None
    title: str
    status: str
    blind_first: bool
    moderators: int
    evaluations: int


def list_sessions(session: Session) -> list[SessionRow]:
    """Every moderation session, newest first."""
    s, m, sm = models.ModerationSession, models.Moderation, models.SessionModerator
    members = (
        select(m.session_id, func.count().label("n"))
        .where(~m.deleted, m.session_id != "")
        .group_by(m.session_id)
        .subquery()
    )
    people = (
        select(sm.session_id, func.count().label("n"))
        .where(~sm.deleted)
        .group_by(sm.session_id)
        .subquery()
    )
    query = (
        select(s, func.coalesce(members.c.n, 0), func.coalesce(people.c.n, 0))
        .outerjoin(members, members.c.session_id == s.id)
        .outerjoin(people, people.c.session_id == s.id)
        .where(~s.deleted)
        .order_by(s.held_on.desc(), s.created_at.desc(), s.id)
    )
    return [
        SessionRow(row.id, row.held_on, row.title, row.status, row.blind_first, int(p), int(n))
        for row, n, p in session.execute(query)
    ]


@dataclass(frozen=True)
class Member:
    """One evaluation on a session's agenda, and how far the group has got with it."""

    evaluation_id: str
    case_reference: str
    team: str
    service_area: str
    auditor: str
    template_id: str
    evaluation_date: dt.date | None
    revealed: bool
    blind_grades: int
    agreed: int
    overall: str  # the agreed overall grade ("" if none yet)


@dataclass
class SessionDetail:
    """One session: its record, moderators and agenda."""

    session: models.ModerationSession
    moderators: list[models.SessionModerator]
    members: list[Member] = field(default_factory=list)


def load_session(session: Session, session_id: str) -> SessionDetail:
    """A session with its moderators and the evaluations on its agenda (by case reference)."""
    found = get_session(session, session_id)
    detail = SessionDetail(found, moderators(session, session_id))
    e, m, j, b = (
        models.Evaluation,
        models.Moderation,
        models.ModerationJudgement,
        models.BlindGrade,
    )
    agreed = dict(
        session.execute(
            select(j.moderation_id, func.count())
            .join(m, m.id == j.moderation_id)
            .where(m.session_id == session_id, ~j.deleted, j.moderated_grade != "")
            .group_by(j.moderation_id)
        ).all()
    )
    blind = dict(
        session.execute(
            select(b.target_evaluation_id, func.count())
            .where(b.session_id == session_id, ~b.deleted, b.grade != "")
            .group_by(b.target_evaluation_id)
        ).all()
    )
    rows = session.execute(
        select(e, m)
        .join(m, m.evaluation_id == e.id)
        .where(m.session_id == session_id, ~m.deleted)
        .order_by(e.case_reference, e.evaluation_date, e.id)
    )
    for ev, mod in rows:
        overall = session.get(j, judgement_id(mod.id, OVERALL))
        detail.members.append(
            Member(
                ev.id,
                ev.case_reference,
                ev.team,
                ev.service_area,
                ev.auditor,
                ev.template_id,
                ev.evaluation_date,
                mod.revealed,
                int(blind.get(ev.id, 0)),
                int(agreed.get(mod.id, 0)),
                overall.moderated_grade if overall is not None and not overall.deleted else "",
            )
        )
    return detail


# --- one evaluation, item by item ----------------------------------------------------------


@dataclass(frozen=True)
class AuditorItem:
    """One item as the auditor recorded it, as lines of plain text."""

    item_id: str
    section: str
    prompt: str
    graded: bool
    grade: str  # the grade's id ("" when hidden or not given)
    grade_text: str  # what to show for the grade ("Good", "not given", HIDDEN)
    lines: tuple[str, ...]


def _grade_text(scale: GradingScale, grade: str, hidden: bool) -> str:
    if hidden:
        return HIDDEN
    return scale.label(grade) or "not given"


def _item_lines(view: EvaluationView, item: Item, hidden: bool) -> tuple[str, ...]:
    response = view.responses.get(item.id)
    if item.kind is ItemKind.GRADE:
        out = []
        if response and response.na_reason.strip() and not hidden:
            out.append(f"Why not applicable: {response.na_reason}")
        if response and response.evidence.strip():
            out.append(response.evidence)
        return tuple(out) or ("No evidence recorded",)
    if item.kind is ItemKind.LIST:
        entries = [f"• {e.text}" for e in view.entries[item.id] if e.text.strip()]
        return tuple(entries) or ("None recorded",)
    if item.kind is ItemKind.SCALING:
        names = {p.id: p.name for p in view.participants}
        scales = [
            f"{names.get(s.participant_id, 'someone')}: "
            f"{'—' if s.score is None else f'{s.score}/10'} {s.rationale}".rstrip()
            for s in view.scales[item.id]
        ]
        return (f"0 = {item.scale_low} · 10 = {item.scale_high}", *scales)
    if item.kind is ItemKind.FEEDBACK:
        rows = [
            f"• {f.given_by + ': ' if f.given_by else ''}{f.text}" for f in view.feedback[item.id]
        ]
        return tuple(rows) or ("No feedback recorded",)
    if item.kind is ItemKind.YES_NO:
        answer = (
            "not answered"
            if response is None or response.answer is None
            else ("Yes" if response.answer else "No")
        )
        return (f"{answer}. {response.text if response else ''}".strip(),)
    return ((response.text if response and response.text.strip() else "Not answered"),)


def auditor_items(view: EvaluationView, template: Template, hidden: bool) -> list[AuditorItem]:
    """Every item of the template, then the overall judgement; with ``hidden`` the grades are
    withheld (the blind pass)."""
    out = []
    for section in template.sections:
        for item in section.items:
            graded = item.kind is ItemKind.GRADE
            response = view.responses.get(item.id)
            grade = response.grade if response and graded else ""
            out.append(
                AuditorItem(
                    item.id,
                    section.title,
                    item.prompt,
                    graded,
                    "" if hidden else grade,
                    _grade_text(template.scale, grade, hidden) if graded else "",
                    _item_lines(view, item, hidden),
                )
            )
    ev = view.evaluation
    summary = [f"Strengths: {ev.summary_strengths or '—'}"]
    summary.append(f"Areas for development: {ev.summary_development or '—'}")
    if ev.overall_na_reason.strip() and not hidden:
        summary.insert(0, f"Why not applicable: {ev.overall_na_reason}")
    out.append(
        AuditorItem(
            OVERALL,
            "Overall",
            "Overall judgement",
            True,
            "" if hidden else ev.overall_grade,
            _grade_text(template.scale, ev.overall_grade, hidden),
            tuple(summary),
        )
    )
    return out


@dataclass(frozen=True)
class BlindCell:
    moderator_id: str
    name: str
    grade: str  # "" = not given yet


@dataclass(frozen=True)
class ModerationItem:
    """What the group made of one graded item."""

    item_id: str
    blind: tuple[BlindCell, ...]
    auditor_grade: str
    agreed: str
    agreement: str  # agree, higher, lower, different, or "" (not agreed yet)
    steps: int  # how many grades the agreed one is above (+) or below (-) the auditor's
    rationale: str


def steps_between(scale: GradingScale, auditor: str, agreed: str) -> int:
    """Grades between the auditor's and the agreed grade (+: the group graded higher); 0 when
    either is missing or not applicable."""
    a, b = scale.get(auditor), scale.get(agreed)
    if a is None or b is None:
        return 0
    ranks = sorted({g.rank for g in scale.grades})
    return ranks.index(b.rank) - ranks.index(a.rank)


@dataclass
class SideBySide:
    """One evaluation in a session: the auditor's items and the group's moderation of them."""

    session_id: str
    evaluation: models.Evaluation
    template: Template
    moderation: models.Moderation
    blind_first: bool
    session_open: bool
    moderators: list[models.SessionModerator]
    left: list[AuditorItem]
    right: dict[str, ModerationItem]

    @property
    def hidden(self) -> bool:
        """The auditor's grades are still withheld (blind pass on, not yet revealed)."""
        return self.blind_first and not self.moderation.revealed


def side_by_side(
    session: Session,
    template: Template | Callable[[models.Evaluation], Template],
    session_id: str,
    evaluation_id: str,
) -> SideBySide:
    """One evaluation of a session, item by item, for the two-pane screen (``template``: the
    evaluation's, or how to find it from the evaluation, read in the same transaction)."""
    moderation_id = session_moderation_id(session_id, evaluation_id)
    read = read_session_evaluation(session, session_id, moderation_id, evaluation_id)
    if read is None:  # say what is missing, in the order it matters
        get_session(session, session_id)
        moderation = session.get(models.Moderation, moderation_id)
        if moderation is None or moderation.deleted:
            raise NotFoundError(f"Evaluation {evaluation_id} is not in this moderation session")
        get_evaluation(session, evaluation_id)
        read = read_session_evaluation(session, session_id, moderation_id, evaluation_id)
        if read is None:  # made or removed in between: read as a whole or not at all
            raise NotFoundError(f"Evaluation {evaluation_id} is not in this moderation session")
    found, moderation, view = read.moderation_session, read.moderation, read.view
    if not isinstance(template, Template):
        template = template(view.evaluation)
    hidden = found.blind_first and not moderation.revealed
    return SideBySide(
        session_id,
        view.evaluation,
        template,
        moderation,
        found.blind_first,
        found.status != "closed",
        read.moderators,
        auditor_items(view, template, hidden),
        _moderation_items(template, read),
    )


def _moderation_items(template: Template, read: SessionEvaluation) -> dict[str, ModerationItem]:
    out = {}
    graded = [i.id for i in template.items(ItemKind.GRADE)] + [OVERALL]
    for item_id in graded:
        auditor, agreed, rationale = read.judgements.get(item_id, ("", "", ""))
        out[item_id] = ModerationItem(
            item_id,
            tuple(
                BlindCell(p.id, p.name, read.blind.get((p.id, item_id), ""))
                for p in read.moderators
            ),
            auditor,
            agreed,
            agreement(template.scale, auditor, agreed),
            steps_between(template.scale, auditor, agreed),
            rationale,
        )
    return out


# --- two evaluations of one case ----------------------------------------------------------


@dataclass(frozen=True)
class CaseEvaluation:
    id: str
    case_reference: str
    evaluation_date: dt.date | None
    auditor: str
    template_id: str
    status: str


def evaluations_of_case(session: Session, case_reference: str) -> list[CaseEvaluation]:
    """Every evaluation of one case (by its reference), oldest first."""
    e = models.Evaluation
    rows = session.scalars(
        select(e)
        .where(~e.deleted, e.case_reference == case_reference)
        .order_by(e.evaluation_date, e.created_at, e.id)
    )
    return [
        CaseEvaluation(
            r.id, r.case_reference, r.evaluation_date, r.auditor, r.template_id, r.status
        )
        for r in rows
    ]


@dataclass
class Comparison:
    """Two evaluations of one case, aligned by item: ``rows`` pairs the items (None where an
    item is in one template only)."""

    first: models.Evaluation
    second: models.Evaluation
    rows: list[tuple[AuditorItem | None, AuditorItem | None]]


def compare(
    session: Session, first: tuple[str, Template], second: tuple[str, Template]
) -> Comparison:
    """Two evaluations side by side, item by item (in the first one's order)."""
    a_view, b_view = load_view(session, first[0]), load_view(session, second[0])
    a_items = auditor_items(a_view, first[1], hidden=False)
    b_items = {i.item_id: i for i in auditor_items(b_view, second[1], hidden=False)}
    rows: list[tuple[AuditorItem | None, AuditorItem | None]] = []
    for item in a_items:
        rows.append((item, b_items.pop(item.item_id, None)))
    rows.extend((None, item) for item in b_items.values())
    return Comparison(a_view.evaluation, b_view.evaluation, rows)
