"""One evaluation of a moderation session as the side-by-side view shows it, in a few queries.

The view opens while the screen mounts its widgets; its read runs in a worker thread, and each
query's round trip hands Python's lock to the screen and waits to get it back (up to the
interpreter's switch interval, 5 ms, while the screen is busy). On PostgreSQL the twenty
queries of :func:`~qa_tui.store.views.load_view` and the session's reads cost the view a
tenth of a second that way. So: one transaction, one query per table — the session, the
moderation, the evaluation and the moderators in one — and only the parts of the evaluation
the view shows (no actions, concerns or shares).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.store import models
from qa_tui.store.views import EvaluationView, _creation_order


@dataclass
class SessionEvaluation:
    """What the side by side shows of one evaluation in one session, current state only.

    ``view`` holds the evaluation's responses, list entries, scales and feedback, and of its
    participants those who gave a scale (the scales name them): not its actions, concern
    events, shares or conflicts."""

    moderation_session: models.ModerationSession
    moderation: models.Moderation
    moderators: list[models.SessionModerator]  # by name
    view: EvaluationView
    blind: dict[tuple[str, str], str] = field(default_factory=dict)  # (moderator, item) → grade
    judgements: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # item → (auditor's grade, agreed grade, rationale)


def read_session_evaluation(
    session: Session, session_id: str, moderation_id: str, evaluation_id: str
) -> SessionEvaluation | None:
    """The session, its moderation ``moderation_id`` of the evaluation, and the evaluation's
    records the side by side shows; None when the session, the moderation or the evaluation
    is missing or deleted (the caller says which)."""
    s, m, e, who = (
        models.ModerationSession,
        models.Moderation,
        models.Evaluation,
        models.SessionModerator,
    )
    rows = session.execute(
        select(s, m, e, who)
        .select_from(s)
        .join(m, m.id == moderation_id)
        .join(e, e.id == evaluation_id)
        .outerjoin(who, (who.session_id == s.id) & ~who.deleted)
        .where(s.id == session_id, ~s.deleted, ~m.deleted, ~e.deleted)
        .order_by(who.name)
    ).all()
    if not rows:
        return None
    found, moderation, evaluation = rows[0][0], rows[0][1], rows[0][2]
    people = [row[3] for row in rows if row[3] is not None]
    out = SessionEvaluation(found, moderation, people, _view(session, evaluation))
    b = models.BlindGrade
    out.blind = {
        (moderator, item): grade
        for moderator, item, grade in session.execute(
            select(b.moderator_id, b.item_id, b.grade).where(
                b.session_id == session_id,
                b.target_evaluation_id == moderation.evaluation_id,
                ~b.deleted,
            )
        )
    }
    j = models.ModerationJudgement
    out.judgements = {
        item: (auditor, agreed, rationale)
        for item, auditor, agreed, rationale in session.execute(
            select(j.item_id, j.auditor_grade, j.moderated_grade, j.rationale).where(
                j.moderation_id == moderation.id, ~j.deleted
            )
        )
    }
    return out


def _alive(session: Session, model: Any, evaluation_id: str) -> list[Any]:
    return list(
        session.scalars(select(model).where(model.evaluation_id == evaluation_id, ~model.deleted))
    )


def _view(session: Session, evaluation: models.Evaluation) -> EvaluationView:
    """The parts of :func:`~qa_tui.store.views.load_view` the side by side shows, in the same
    order: responses, entries (by position), scales (in the order their participants were
    added) with the participants who gave them, feedback (in the order it was made)."""
    eid = evaluation.id
    view = EvaluationView(evaluation)
    view.responses = {r.item_id: r for r in _alive(session, models.Response, eid)}
    for entry in sorted(_alive(session, models.Entry, eid), key=lambda e: (e.position, e.id)):
        view.entries[entry.item_id].append(entry)
    sc, p = models.Scale, models.Participant
    named: dict[str, models.Participant] = {}
    given: list[tuple[models.Scale, models.Participant | None]] = []
    for scale, participant in session.execute(
        select(sc, p)
        .outerjoin(p, (p.id == sc.participant_id) & (p.evaluation_id == eid) & ~p.deleted)
        .where(sc.evaluation_id == eid, ~sc.deleted)
    ):
        given.append((scale, participant))
        if participant is not None:
            named[participant.id] = participant
    # An item's scales in the order their participants were added, as the summary lists them.
    for scale, _participant in sorted(
        given,
        key=lambda g: (
            (g[1].created_at, g[1].id) if g[1] is not None else ("~", ""),
            g[0].created_at,
            g[0].id,
        ),
    ):
        view.scales[scale.item_id].append(scale)
    view.participants = sorted(named.values(), key=lambda x: (x.created_at, x.id))
    feedback = _alive(session, models.Feedback, eid)
    # In the order it was made: by time, then by the counter of its creation (read only when
    # two were made in the same millisecond: it is a query of the change log).
    made: dict[str, int] = {}
    if any(n > 1 for n in Counter(f.created_at for f in feedback).values()):
        made = _creation_order(session, eid)
    for item in sorted(feedback, key=lambda f: (f.created_at, made.get(f.id, 0), f.id)):
        view.feedback[item.item_id].append(item)
    return view
