"""The moderation report: how consistently "what good looks like" is judged.

For the period (and a team or service area if asked): the share of judgements the moderation
group agreed with, the direction of disagreement in grade steps, "not applicable" counted apart,
weighted Cohen's kappa (auditor against agreed grade) and Krippendorff's alpha (among the
moderators' blind grades), each with its n, 95 % interval and a reading in plain words; then
the same by month (a trend), team, service area, item and session, and every pair the figures
rest on (in CSV, JSON and XLSX), so that anyone can recompute them. The numbers come from
:mod:`qa_tui.reports.moderation_data`; methods are in :mod:`qa_tui.domain.agreement`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, overload

from qa_tui.domain.agreement import (
    BOOTSTRAP_UP_TO,
    MIN_CLUSTERS,
    MIN_PAIRS,
    REPLICATES,
    SEED,
    Estimate,
)
from qa_tui.reports.kinds import ReportBody
from qa_tui.reports.model import (
    Cell,
    Chart,
    Column,
    Figure,
    Paragraph,
    ReportQuery,
    Section,
    Series,
    Table,
)
from qa_tui.reports.moderation_data import (
    NONE,
    Agreement,
    AgreementFilter,
    Figures,
    agreement,
    collector_paused,
)
from qa_tui.reports.moderation_units import moderator_names
from qa_tui.store.blind_units import SEP

if TYPE_CHECKING:
    from sqlalchemy import Connection
    from sqlalchemy.orm import Session

TITLE = "Moderation: how consistently good is judged"
METHOD = (
    "Agreement is measured on the grading scale's order. Weighted kappa compares each "
    "auditor's grade with the grade the moderation group agreed, with linear weights (two "
    "grades apart counts twice one grade apart; quadratic weights would hide the usual one-step "
    "disagreement). Krippendorff's alpha (ordinal) compares the moderators' own grades, given "
    "blind before the auditor's grade was shown, on items two or more moderators graded. "
    "Intervals (95 %) resample evaluations, not single judgements: up to "
    f"{BOOTSTRAP_UP_TO} evaluations, {REPLICATES:,} bootstrap resamples (seed {SEED}), 2.5th to "
    "97.5th percentile; above that, the value ± 1.96 jackknife standard errors (leaving out one "
    f"evaluation at a time); none with fewer than {MIN_CLUSTERS} evaluations. Fewer than "
    f"{MIN_PAIRS} pairs, "
    "or every grade the same, is reported as not enough data. 'Not applicable' is counted "
    "apart, never as a grade. Kappa reading: Landis and Koch (1977); alpha: Krippendorff (2004)."
)
GROUP_COLUMNS = (
    Column("judgements", "Judgements", "int"),
    Column("pairs", "Pairs on the scale", "int"),
    Column("share_agreed", "Agreed", "percent"),
    Column("auditor_higher", "Auditor higher", "int"),
    Column("auditor_lower", "Auditor lower", "int"),
    Column("not_applicable", "N/A (apart)", "int"),
    Column("kappa", "Kappa", "float"),
    Column("kappa_low", "Kappa 95% from", "float"),
    Column("kappa_high", "Kappa 95% to", "float"),
    Column("alpha", "Alpha", "float"),
    Column("alpha_low", "Alpha 95% from", "float"),
    Column("alpha_high", "Alpha 95% to", "float"),
    Column("alpha_n", "Items graded blind", "int"),
    Column("reading", "Reading"),
)


def _share(f: Figures) -> float | None:
    return f.direction.share_agreed


def _group_row(f: Figures) -> tuple[Cell, ...]:
    return (
        f.label,
        f.judgements,
        f.pairs,
        _share(f),
        sum(f.direction.auditor_higher.values()),
        sum(f.direction.auditor_lower.values()),
        f.not_applicable,
        f.kappa.value,
        f.kappa.low,
        f.kappa.high,
        f.alpha.value,
        f.alpha.low,
        f.alpha.high,
        f.alpha.n,
        f.summary(),
    )


def group_table(name: str, title: str, first: str, groups: list[Figures]) -> Table:
    """One breakdown (by month, team, …) as a table."""
    columns = (Column(name, first), *GROUP_COLUMNS)
    return Table(
        name=f"by_{name}", title=title, columns=columns, rows=tuple(map(_group_row, groups))
    )


def _estimate_figure(label: str, estimate: Estimate) -> Figure:
    note = estimate.reading() if estimate.value is not None else ""
    return Figure(label, estimate.text, estimate.value, estimate.n, note)


def headline(result: Agreement) -> tuple[Figure | Paragraph, ...]:
    """The figures of the whole selection."""
    f = result.overall
    share = _share(f)
    return (
        Paragraph(f.summary().capitalize() + "."),
        Figure("Judgements moderated", f"{f.judgements:,}", f.judgements, f.judgements),
        Figure(
            "Agreed with the auditor",
            "—" if share is None else f"{share:.0%}",
            share,
            f.pairs,
            "of the judgements with both grades on the scale",
        ),
        Figure(
            "Direction of disagreement", f.direction.words(), f.direction.disagreements, f.pairs
        ),
        Figure(
            "Not applicable (counted apart)",
            f"{f.not_applicable:,}",
            f.not_applicable,
            f.judgements,
        ),
        _estimate_figure("Weighted kappa, auditor against agreed grade", f.kappa),
        _estimate_figure("Krippendorff's alpha, moderators' blind grades", f.alpha),
    )


def _trend(result: Agreement) -> Chart:
    """Share agreed by month; the series is named as the table's column, so spreadsheets draw
    it from the table."""
    months = result.by["month"]
    shares = tuple(None if (x := _share(m)) is None else round(100 * x, 1) for m in months)
    return Chart(
        title="Share of judgements agreed, by month",
        kind="line",
        categories=tuple(m.label for m in months),
        series=(Series("Agreed", shares),),
        unit="%",
        table="by_month",
    )


class Rows(Sequence[tuple[Cell, ...]]):
    """A table's rows made when first read, column by column: Markdown and HTML only count
    the pairs, CSV and JSON read them (a year at scale is tens of thousands)."""

    def __init__(self, count: int, columns: Callable[[], list[list[Cell]]]) -> None:
        self._count, self._make = count, columns
        self._columns: list[list[Cell]] | None = None

    def columns(self) -> list[list[Cell]]:
        if self._columns is None:
            self._columns = self._make()
        return self._columns

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> tuple[Cell, ...]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[Cell, ...]]: ...
    def __getitem__(self, index: int | slice) -> tuple[Cell, ...] | list[tuple[Cell, ...]]:
        if isinstance(index, slice):
            return list(zip(*(c[index] for c in self.columns()), strict=True))
        return tuple(c[index] for c in self.columns())

    def __iter__(self) -> Iterator[tuple[Cell, ...]]:
        return zip(*self.columns(), strict=True)


def _pair_columns(width: int) -> tuple[Column, ...]:
    return (
        Column("session_id", "Session"),
        Column("date", "Date", "date"),
        Column("evaluation_id", "Evaluation"),
        Column("team", "Team"),
        Column("service_area", "Service area"),
        Column("template_id", "Template"),
        Column("item_id", "Item"),
        Column("auditor_grade", "Auditor's grade"),
        Column("agreed_grade", "Agreed grade"),
        Column("auditor_position", "Auditor's position", "int"),
        Column("agreed_position", "Agreed position", "int"),
        Column("blind_by", "Blind grades by"),
        *(Column(f"blind_{i + 1}", f"Blind grade {i + 1}") for i in range(width)),
    )


class _Pairs:
    """Makes the pairs table's columns, in order of date, session, evaluation and item."""

    def __init__(self, result: Agreement, names: dict[str, str]) -> None:
        self.result, self.names, self.width = result, names, result.blind_width

    def order(self) -> list[int]:
        """Date, session, evaluation, item (the keys made in C, not by a function per row)."""
        u = self.result.units
        keys = list(zip(u.day, u.session, u.evaluation, u.item, strict=True))
        return sorted(range(len(keys)), key=keys.__getitem__)

    def blind(self, raws: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """Each distinct unit's blind grades as read (``raws``) → who gave them, by name and
        joined, then the grades in order of name, padded to the table's width. A year has
        tens of thousands of distinct ones (moderator ids differ by session) but few once
        each "moderator id:grade" is read as (name, grade): when every unit has as many grades
        as the widest (nearly always), each distinct set of those is ordered once, the loops
        over the units in C; otherwise each unit one by one."""
        distinct = dict.fromkeys(raws)
        texts = [raw for raw in distinct if raw]
        every = SEP.join(texts).split(SEP) if texts else []
        part = {}  # "moderator id:grade" → (name, grade): a few, in many units
        for text in dict.fromkeys(every):
            who, _colon, grade = text.partition(":")
            part[text] = (self.names.get(who, who), grade)
        width = self.width
        if len(every) != len(texts) * width or not all(g for _n, g in part.values()):
            return {raw: self._one(raw, part) for raw in distinct}
        read = [iter(map(part.__getitem__, every))] * width
        keys = list(zip(*read, strict=True))  # each unit's (name, grade) pairs, as read
        made = {key: self._made(key) for key in dict.fromkeys(keys)}
        out = dict(zip(texts, map(made.__getitem__, keys), strict=True))
        if "" in distinct:
            out[""] = self._one("", part)
        return out

    def _made(self, pairs: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
        """The names joined, then the grades, in order of name (and grade)."""
        ordered = sorted(pairs)
        return ("; ".join(name for name, _grade in ordered), *(g for _n, g in ordered))

    def _one(self, raw: str, part: dict[str, tuple[str, str]]) -> tuple[str, ...]:
        """One unit's :meth:`blind` (a grade that is empty is left out)."""
        pairs = sorted(map(part.__getitem__, raw.split(SEP))) if raw else []
        given = [pair for pair in pairs if pair[1]]
        names, grades = zip(*given, strict=True) if given else ((), ())
        return ("; ".join(names), *(*grades, *("",) * self.width)[: self.width])

    def columns(self) -> list[list[Cell]]:
        if not self.result.units.who:  # a report made for Markdown or HTML (ReportQuery.rows)
            raise ValueError("the pairs' blind graders were not read: no rows to write")
        with collector_paused():  # tens of thousands of tuples, no cycle among them
            return self._columns()

    def _columns(self) -> list[list[Cell]]:
        u, order = self.result.units, self.order()

        def take(column: Sequence[Cell]) -> list[Cell]:
            return list(map(column.__getitem__, order))

        def blank_as_none(values: list[Any], blank: Any) -> list[Cell]:
            none = {blank: None}.get  # each value but ``blank`` as it is, in C
            return list(map(none, values, values))

        raws = list(map(u.blind.__getitem__, order))
        parsed = self.blind(raws)
        found = zip(*map(parsed.__getitem__, raws), strict=True)  # by, then each blind grade
        blind = [list(column) for column in found] or [[] for _ in range(1 + self.width)]
        return [
            take(u.session),
            blank_as_none(take(u.day), ""),
            *map(take, (u.evaluation, u.team, u.area, u.template, u.item, u.auditor, u.agreed)),
            blank_as_none(take(self.result.scale.auditor.tolist()), NONE),
            blank_as_none(take(self.result.scale.agreed.tolist()), NONE),
            *blind,
        ]


def pairs_table(result: Agreement, names: dict[str, str]) -> Table:
    """Every unit a figure rests on, with the grades as ids and as positions on the scale, in
    order of date, session, evaluation and item (``names``: each moderator's, by id)."""
    pairs = _Pairs(result, names)
    return Table(
        name="pairs",
        title="The pairs the figures rest on",
        columns=_pair_columns(pairs.width),
        rows=Rows(len(result.units), pairs.columns),
        note="Positions: 0 is the lowest grade (see the scale table). A pair counts for kappa "
        "when both positions are given; alpha uses the blind grades of units with two or more.",
        data_only=True,
    )


def scale_table(result: Agreement) -> Table:
    grades = result.scale.grades
    return Table(
        name="scale",
        title="The grading scale, lowest first",
        columns=(
            Column("position", "Position", "int"),
            Column("grade", "Grade"),
            Column("label", "Label"),
        ),
        rows=tuple((i, g, result.scale.labels.get(g, g)) for i, g in enumerate(grades)),
    )


def build(session: Session | Connection, query: ReportQuery) -> ReportBody:
    """The moderation report for ``query`` (read through a Core connection by
    :func:`qa_tui.reports.kinds.build`: no ORM needed)."""
    period = query.period
    flt = AgreementFilter(period.start, period.end, query.team, query.service_area)
    result = agreement(session, flt, who=query.rows)
    notes = []
    if not len(result.units):
        notes.append(f"No evaluations were moderated in {period.label}: no judgements to compare.")
    if result.scale.other_scale:
        notes.append(
            f"{result.scale.other_scale:,} judgements on templates with another grading scale "
            "are left out of the figures (they are in the pairs table)."
        )
    by = result.by
    sections = (
        Section("Agreement", headline(result)),
        Section(
            "Trend by month",
            (_trend(result), group_table("month", "By month", "Month", by["month"])),
        ),
        Section("By team", (group_table("team", "By team", "Team", by["team"]),)),
        Section(
            "By service area",
            (group_table("service_area", "By service area", "Service area", by["service_area"]),),
        ),
        Section("By item", (group_table("item", "By template item", "Item", by["item"]),)),
        Section("By session", (group_table("session", "By session", "Session", by["session"]),)),
        Section(
            "Method and data",
            (Paragraph(METHOD), scale_table(result), pairs_table(result, moderator_names(session))),
        ),
    )
    return ReportBody(TITLE, sections, tuple(notes))
