"""Planning the programme, the operations the app and the CLI share: importing a case list,
drawing a dip sample, planning and allocating, starting an allocated evaluation.

Each write is one domain operation in one transaction (:meth:`Workspace.write`); reads run
in :meth:`Workspace.read`. Nothing here prints or draws.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.domain import plans as pl
from qa_tui.domain.allocation import Rules
from qa_tui.domain.case_import import CaseList, read_case_list
from qa_tui.domain.dip_sample import STRATA_FIELDS, DipSample, Unit, draw_sample, fingerprint
from qa_tui.domain.expectation import Expected, Month, month_of, monthly_expectation
from qa_tui.domain.plan_views import (
    MyAllocation,
    PlanDetail,
    PlanRow,
    list_plans,
    load_plan,
    my_allocations,
)
from qa_tui.errors import ValidationError
from qa_tui.framework.model import Template
from qa_tui.store import models
from qa_tui.store.case_list import case_count, case_units, cases_by_reference, replace_cases
from qa_tui.vocab import USUAL_TEMPLATE
from qa_tui.workspace import Workspace


@dataclass(frozen=True)
class ImportOutcome:
    """What an import did (or, dry, would do)."""

    checked: CaseList
    imported: int
    dry_run: bool


def read_file(path: Path, mapping: dict[str, str] | None = None) -> CaseList:
    """Read and check a case-list file (one-line errors for a file that cannot be read)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        return read_case_list(data, mapping)
    except ValidationError as exc:
        raise ValidationError(f"{path.name}: {exc}") from None


def _units_of_evaluations(session: Session, where: dict[str, str], strata: str) -> list[Unit]:
    e = models.Evaluation
    query = select(e).where(~e.deleted, e.status == "completed", ~e.demo)
    for name, value in where.items():
        if name not in STRATA_FIELDS["evaluations"]:
            known = ", ".join(STRATA_FIELDS["evaluations"])
            raise ValidationError(f"--where {name}: not one of {known}", field="where")
        query = query.where(getattr(e, name) == value)
    return [
        Unit(row.id, row.case_reference, str(getattr(row, strata)) if strata else "")
        for row in session.scalars(query)
    ]


def _units_of_cases(session: Session, where: dict[str, str], strata: str) -> list[Unit]:
    for name in where:
        if name not in STRATA_FIELDS["cases"]:
            known = ", ".join(STRATA_FIELDS["cases"])
            raise ValidationError(f"--where {name}: not one of {known}", field="where")
    return [Unit(ref, ref, value) for ref, value in case_units(session, where, strata)]


class PlanningService:
    """Planning on one workspace."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws

    # --- the case list -------------------------------------------------------------------

    def import_cases(
        self,
        checked: CaseList,
        skip_bad: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Replace the case list with the clean rows of ``checked``, in one transaction.
        Refused while the file has problems, unless ``skip_bad`` (then the bad lines are
        left out)."""
        if checked.fatal:
            raise ValidationError(
                f"the file cannot be imported: {checked.problems[0].describe()}", field="file"
            )
        if checked.problem_count and not skip_bad:
            first = checked.problems[0].describe()
            raise ValidationError(
                f"{checked.problem_count} problem(s) on {checked.bad_rows} line(s), first "
                f"{first}; nothing imported — fix the file or skip the bad lines",
                field="file",
            )
        stamp = self.ws.actor.timestamp()
        with self.ws.store.session() as session:
            return replace_cases(session, checked.rows, stamp, progress)

    def case_count(self) -> int:
        return self.ws.read(case_count)

    # --- sampling ------------------------------------------------------------------------

    def sample(
        self,
        frame: str,
        size: int,
        seed: int,
        strata: str = "",
        where: dict[str, str] | None = None,
        hypothesis: str = "",
    ) -> DipSample:
        """Draw a simple or stratified random sample (nothing is written)."""
        where = dict(where or {})
        if frame not in STRATA_FIELDS:
            raise ValidationError(f"--frame: cases or evaluations, not {frame!r}", field="frame")
        if strata and strata not in STRATA_FIELDS[frame]:
            known = ", ".join(STRATA_FIELDS[frame])
            raise ValidationError(f"--strata {strata}: not one of {known}", field="strata")
        reader = _units_of_cases if frame == "cases" else _units_of_evaluations
        units = self.ws.read(reader, where, strata)
        return draw_sample(frame, units, size, seed, strata, where, hypothesis)

    def frame_change(self, plan_id: str) -> str:
        """Whether the frame a plan's sample was drawn from has changed since ("" if not, or
        if its cases were chosen by hand): drawing again with the seed would then differ."""
        recorded = pl.sample_of(self.ws.read(pl.get_plan, plan_id))
        if not recorded or recorded.get("frame") not in STRATA_FIELDS:
            return ""
        frame, strata = str(recorded["frame"]), str(recorded.get("strata_field") or "")
        where = {str(k): str(v) for k, v in dict(recorded.get("where") or {}).items()}
        reader = _units_of_cases if frame == "cases" else _units_of_evaluations
        units = self.ws.read(reader, where, strata)
        if fingerprint(units) == recorded.get("fingerprint"):
            return ""
        return (
            f"The frame has changed since the sample was drawn ({recorded.get('frame_size')} "
            f"then, {len(units)} now): the same seed would now draw a different sample"
        )

    def planned_cases(self, sample: DipSample) -> list[pl.PlannedCase]:
        """The drawn units as cases for a plan, with what the case list knows of them."""
        refs = [u.case_reference for u in sample.drawn]
        known = self.ws.read(cases_by_reference, refs)
        out = []
        for ref in dict.fromkeys(refs):
            c = known.get(ref)
            if c is None:
                out.append(pl.PlannedCase(ref))
            else:
                out.append(pl.PlannedCase(ref, c.service_area, c.team, c.worker, c.category))
        return out

    # --- plans ---------------------------------------------------------------------------

    def create(
        self,
        kind: str,
        title: str,
        starts_on: dt.date | str | None,
        ends_on: dt.date | str | None = None,
        **values: Any,
    ) -> str:
        with self.ws.store.session() as session:
            return pl.create_plan(session, self.ws.actor, kind, title, starts_on, ends_on, **values)

    def update(self, plan_id: str, **values: Any) -> int:
        with self.ws.store.session() as session:
            return pl.update_plan(session, self.ws.actor, plan_id, **values)

    def start(self, plan_id: str) -> None:
        self.ws.write(pl.start_plan, plan_id)

    def close(self, plan_id: str) -> None:
        self.ws.write(pl.close_plan, plan_id)

    def put_members(self, plan_id: str, people: Sequence[pl.MemberInput]) -> int:
        """Add or change several managers of the review group in one transaction."""
        with self.ws.store.session() as session:
            for person in people:
                pl.put_member(session, self.ws.actor, plan_id, person)
        return len(people)

    def add_cases(self, plan_id: str, cases: Sequence[pl.PlannedCase]) -> list[str]:
        pattern = self.ws.settings.case_reference_pattern
        return self.ws.write(pl.add_cases, plan_id, cases, pattern)

    def add_sample(self, plan_id: str, sample: DipSample) -> list[str]:
        """Put a drawn sample's cases on a plan and keep how they were drawn."""
        cases = self.planned_cases(sample)
        pattern = self.ws.settings.case_reference_pattern
        return self.ws.write(pl.record_sample, plan_id, sample, cases, pattern)

    def allocate(self, plan_id: str, rules: Rules | None = None) -> int:
        return self.ws.write(pl.allocate_plan, plan_id, rules)

    def set_reviewer(self, allocation_id: str, reviewer: str) -> None:
        self.ws.write(pl.set_reviewer, allocation_id, reviewer)

    def start_allocated(self, allocation_id: str, template_id: str = "") -> str:
        """Start (or reopen) the evaluation of an allocated case; returns its id."""
        with self.ws.store.reader() as session:
            row = session.get(models.Allocation, allocation_id)
            plan = session.get(models.Plan, row.plan_id) if row is not None else None
            wanted = template_id or (plan.template_id if plan is not None else "")
        template = self._template(wanted, plan.kind if plan is not None else "")
        pattern = self.ws.settings.case_reference_pattern
        return self.ws.write(pl.start_from_allocation, template, allocation_id, pattern)

    def _template(self, template_id: str, kind: str) -> Template:
        """The plan's template, or the one its evaluation type usually uses (newest)."""
        evaluation_type = pl.EVALUATION_TYPE.get(kind, "")
        return self.ws.templates.require(template_id or USUAL_TEMPLATE.get(evaluation_type, ""))

    # --- reads ---------------------------------------------------------------------------

    def plans(self, kind: str = "") -> list[PlanRow]:
        return self.ws.read(list_plans, kind)

    def detail(self, plan_id: str) -> PlanDetail:
        found = self.ws.read(load_plan, plan_id)
        found.frame_change = self.frame_change(plan_id)
        return found

    def mine(self) -> list[MyAllocation]:
        return self.ws.read(my_allocations, self.ws.settings.author)

    def expectation(self, month: Month | None = None) -> tuple[Month, list[Expected]]:
        """The month (default: this one) and each manager's completed evaluations in it."""
        month = month or month_of(self.ws.clock().astimezone().date())
        return month, self.ws.read(monthly_expectation, month)
