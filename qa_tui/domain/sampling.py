"""Choosing what a moderation session looks at: a filtered list, or a random sample with a seed.

A sample is drawn so that anyone can reproduce and explain it later ("12 of 143 completed
evaluations dated October 2026, seed 4711"): the pool is every completed evaluation matching
the filter, in order of id; each, in that order, takes the next number of Python's Mersenne
Twister seeded with the seed (``random.Random(seed).random()``, whose sequence Python
guarantees across versions); the ``size`` with the smallest numbers are drawn. The filter, the
seed, the pool's size and the ids drawn are kept with the session.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import asdict, dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from qa_tui.domain.record_writes import set_fields
from qa_tui.domain.sessions import add_evaluation, open_session
from qa_tui.errors import ValidationError
from qa_tui.store import models
from qa_tui.store.history import Actor, dumps

MAX_SAMPLE = 500


@dataclass(frozen=True)
class EvaluationFilter:
    """Which completed evaluations: dated from ``start`` to ``end`` (both included), of a
    service area, team, template, or overall grade (empty: any)."""

    start: dt.date | None = None
    end: dt.date | None = None
    service_area: str = ""
    team: str = ""
    template_id: str = ""
    grade: str = ""
    period_label: str = ""  # how the dates were written ("October 2026"), for the description

    def describe(self) -> str:
        """The filter in words: "dated October 2026, team Locality North"."""
        parts = []
        if self.period_label:
            parts.append(f"dated {self.period_label}")
        elif self.start or self.end:
            start = self.start.isoformat() if self.start else "the start"
            end = self.end.isoformat() if self.end else "today"
            parts.append(f"dated {start} to {end}")
        for label, value in (
            ("service area", self.service_area),
            ("team", self.team),
            ("template", self.template_id),
            ("overall grade", self.grade),
        ):
            if value:
                parts.append(f"{label} {value}")
        return ", ".join(parts) or "any"


def _query(flt: EvaluationFilter) -> Select[str]:
    e = models.Evaluation
    query = select(e.id).where(~e.deleted, e.status == "completed")
    if flt.start is not None:
        query = query.where(e.evaluation_date >= flt.start)
    if flt.end is not None:
        query = query.where(e.evaluation_date <= flt.end)
    for column, value in (
        (e.service_area, flt.service_area),
        (e.team, flt.team),
        (e.template_id, flt.template_id),
        (e.overall_grade, flt.grade),
    ):
        if value:
            query = query.where(column == value)
    return query.order_by(e.id)


def pool(session: Session, flt: EvaluationFilter) -> list[str]:
    """Every completed evaluation matching the filter, in order of id."""
    return list(session.scalars(_query(flt)))


def draw(candidates: list[str], size: int, seed: int) -> list[str]:
    """``size`` of ``candidates`` drawn at random with ``seed`` (see the module's docstring)."""
    rng = random.Random(seed)
    keyed = sorted((rng.random(), candidate) for candidate in sorted(candidates))
    return [candidate for _key, candidate in keyed[:size]]


@dataclass(frozen=True)
class SampleRecord:
    """How a sample was drawn: kept with the session, so it can be reproduced."""

    seed: int
    size: int
    pool: int
    filter: str  # the filter in words
    drawn: list[str]
    start: str = ""
    end: str = ""
    service_area: str = ""
    team: str = ""
    template_id: str = ""
    grade: str = ""

    def describe(self) -> str:
        drawn = f"{self.size:,} of {self.pool:,} completed evaluations"
        return f"{drawn} ({self.filter}), seed {self.seed}"


def draw_sample(
    session: Session,
    actor: Actor,
    session_id: str,
    flt: EvaluationFilter,
    size: int,
    seed: int,
) -> SampleRecord:
    """Draw ``size`` completed evaluations matching ``flt`` at random with ``seed``, add them
    to the session and record how they were drawn. Evaluations already on the session's
    agenda are not drawn again."""
    found = open_session(session, session_id)
    if not 1 <= size <= MAX_SAMPLE:
        raise ValidationError(f"Sample size: from 1 to {MAX_SAMPLE}", field="size")
    if not 0 <= seed < 2**63:
        raise ValidationError("Seed: a whole number from 0", field="seed")
    already = set(
        session.scalars(
            select(models.Moderation.evaluation_id).where(
                models.Moderation.session_id == session_id, ~models.Moderation.deleted
            )
        )
    )
    candidates = [c for c in pool(session, flt) if c not in already]
    if size > len(candidates):
        extra = " not already in this session" if already else ""
        left = len(candidates)
        noun, verb = ("evaluation", "matches") if left == 1 else ("evaluations", "match")
        raise ValidationError(
            f"Sample: {size:,} asked for, but only {left:,} completed {noun}"
            f"{extra} {verb} ({flt.describe()})",
            field="size",
        )
    chosen = draw(candidates, size, seed)
    for evaluation_id in chosen:
        add_evaluation(session, actor, session_id, evaluation_id)
    record = SampleRecord(
        seed,
        size,
        len(candidates),
        flt.describe(),
        chosen,
        flt.start.isoformat() if flt.start else "",
        flt.end.isoformat() if flt.end else "",
        flt.service_area,
        flt.team,
        flt.template_id,
        flt.grade,
    )
    draws = [*samples_of(found), record]
    set_fields(
        session,
        actor,
        "moderation_session",
        session_id,
        {"sample": dumps([asdict(d) for d in draws])},
    )
    return record


def samples_of(found: models.ModerationSession) -> list[SampleRecord]:
    """The samples drawn for a session, oldest first (none for a hand-picked one)."""
    if not found.sample:
        return []
    try:
        raw = json.loads(found.sample)
        return [SampleRecord(**item) for item in raw]
    except (ValueError, TypeError):
        return []  # written by a newer qa-tui in a shape this one does not know
