"""``qa-tui plan`` and ``qa-tui thematic``: practice days, dip samples and thematic
evaluations planned, allocated and followed, headless — the same operations as the plan
screen (:mod:`qa_tui.services.planning`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from qa_tui.cli.common import db_option, get_app, plain

# --- plans ---------------------------------------------------------------------------------


@click.group(name="plan")
def plan() -> None:
    """Practice days, dip samples and thematic evaluations: plan, allocate, follow."""


@plan.command(name="new")
@db_option()
@click.option(
    "--kind", type=click.Choice(["practice_day", "dip_sample", "thematic"]), required=True
)
@click.option("--title", required=True)
@click.option("--date", "starts_on", default="", help="The (first) day, YYYY-MM-DD.")
@click.option("--until", "ends_on", default="", help="The last day (a practice fortnight).")
@click.option("--service-area", default="")
@click.option("--hypothesis", default="", help="What a dip sample tests.")
@click.option("--template", "template_id", default="", help="Template of its evaluations.")
@click.pass_context
def new_plan(ctx: click.Context, /, db_url: str | None, **values: Any) -> None:
    """Plan a practice day, a dip sample or a thematic evaluation; prints its id."""
    from qa_tui.services.planning import PlanningService

    kind, title = values.pop("kind"), values.pop("title")
    starts_on, ends_on = values.pop("starts_on") or None, values.pop("ends_on") or None
    ws = get_app(ctx).workspace(db_url, create="default")
    try:
        click.echo(PlanningService(ws).create(kind, title, starts_on, ends_on, **values))
    finally:
        ws.close()


@plan.command(name="edit")
@db_option()
@click.argument("plan_id")
@click.option("--title", default=None)
@click.option("--date", "starts_on", default=None, help="The (first) day, YYYY-MM-DD.")
@click.option(
    "--end", "--until", "ends_on", default=None, help='The last day ("" for a single day).'
)
@click.option("--service-area", default=None)
@click.option("--hypothesis", default=None, help="What a dip sample tests.")
@click.option("--notes", default=None)
@click.pass_context
def edit_plan(ctx: click.Context, /, db_url: str | None, plan_id: str, **given: Any) -> None:
    """Change a plan's title, dates, service area, hypothesis or notes (only those given);
    the cases due on its day follow the day."""
    values = {k: v for k, v in given.items() if v is not None}
    if not values:
        from qa_tui.errors import ValidationError

        raise ValidationError("plan edit: give --title, --date, --end or another field to change")
    from qa_tui.services.planning import PlanningService

    ws = get_app(ctx).workspace(db_url)
    try:
        changed = PlanningService(ws).update(plan_id, **values)  # "" clears the end date
    finally:
        ws.close()
    click.echo(f"{changed} field(s) changed")


@plan.command(name="list")
@db_option()
@click.pass_context
def list_plans(ctx: click.Context, db_url: str | None) -> None:
    """The plans, newest first: id, date, kind, status, cases done of cases, title."""
    from qa_tui.services.planning import PlanningService

    ws = get_app(ctx).workspace(db_url)
    try:
        rows = PlanningService(ws).plans()
    finally:
        ws.close()
    for r in rows:
        when = r.starts_on.isoformat() if r.starts_on else "no date"
        click.echo(
            f"{r.id}  {when}  {r.kind:<12}  {r.status:<9}  {r.done:>3}/{r.cases:<3}  "
            f"{plain(r.title)}"
        )


@plan.command(name="members")
@db_option()
@click.argument("plan_id")
@click.option(
    "--manager",
    "managers",
    multiple=True,
    required=True,
    metavar="NAME|TEAM|SUPERVISES",
    help='A manager of the review group: "Name|Own team|Worker A,Worker B" (repeat).',
)
@click.pass_context
def plan_members(
    ctx: click.Context, db_url: str | None, plan_id: str, managers: tuple[str, ...]
) -> None:
    """Name the review group: each manager, their own team and whom they supervise."""
    from qa_tui.domain.plans import MemberInput
    from qa_tui.services.planning import PlanningService

    people = []
    for spec in managers:
        name, _s, rest = spec.partition("|")
        team, _s, supervised = rest.partition("|")
        workers = tuple(w.strip() for w in supervised.split(",") if w.strip())
        people.append(MemberInput(name.strip(), team=team.strip(), supervises=workers))
    ws = get_app(ctx).workspace(db_url)
    try:
        click.echo(f"{PlanningService(ws).put_members(plan_id, people)} manager(s) in the group")
    finally:
        ws.close()


@plan.command(name="add-cases")
@db_option()
@click.argument("plan_id")
@click.argument("references", nargs=-1, required=True)
@click.pass_context
def add_cases(
    ctx: click.Context, db_url: str | None, plan_id: str, references: tuple[str, ...]
) -> None:
    """Put cases on a plan by reference (details come from the imported case list)."""
    from qa_tui.domain.dip_sample import DipSample, Unit
    from qa_tui.services.planning import PlanningService

    ws = get_app(ctx).workspace(db_url)
    try:
        service = PlanningService(ws)
        chosen = DipSample("cases", 0, 0, 0, "", {}, "", drawn=[Unit(r, r) for r in references])
        ids = service.add_cases(plan_id, service.planned_cases(chosen))
    finally:
        ws.close()
    click.echo(f"{len(ids)} case(s) on the plan")


@plan.command(name="allocate")
@db_option()
@click.argument("plan_id")
@click.option("--allow-supervised", is_flag=True, help="Managers may take their supervisees.")
@click.option("--no-outside-line", is_flag=True, help="No case outside own line needed.")
@click.option("--unbalanced", is_flag=True, help="No balance bound.")
@click.option("--extra", type=int, default=0, help="Loosen the balance bound by N cases.")
@click.pass_context
def allocate(
    ctx: click.Context,
    db_url: str | None,
    plan_id: str,
    allow_supervised: bool,
    no_outside_line: bool,
    unbalanced: bool,
    extra: int,
) -> None:
    """Allocate the plan's cases to its review group (balanced, one case outside each
    manager's own line, none they supervise); says which rule fails and what would work."""
    from qa_tui.domain.allocation import Rules
    from qa_tui.services.planning import PlanningService

    rules = Rules(not unbalanced, not no_outside_line, not allow_supervised, extra)
    ws = get_app(ctx).workspace(db_url)
    try:
        changed = PlanningService(ws).allocate(plan_id, rules)
    finally:
        ws.close()
    click.echo(f"Allocated ({rules.describe()}); {changed} allocation(s) changed")


@plan.command(name="show")
@db_option()
@click.argument("plan_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def show(ctx: click.Context, db_url: str | None, plan_id: str, fmt: str) -> None:
    """A plan's allocations and their progress (allocated, started, completed, shared)."""
    from qa_tui.services.planning import PlanningService
    from qa_tui.textsafe import json_text

    ws = get_app(ctx).workspace(db_url)
    try:
        detail = PlanningService(ws).detail(plan_id)
    finally:
        ws.close()
    rows = [asdict(a) for a in detail.allocations]
    if fmt == "json":
        for row in rows:
            row["due_on"] = row["due_on"].isoformat() if row["due_on"] else ""
        click.echo(json_text({"plan": detail.plan.title, "allocations": rows}))
        return
    p = detail.plan
    click.echo(f"{plain(p.title)} ({p.kind}, {p.status})")
    counts = ", ".join(f"{k} {v}" for k, v in sorted(detail.counts.items()))
    click.echo(f"{len(rows)} case(s): {counts or 'none'}")
    if detail.frame_change:
        click.echo(plain(detail.frame_change))
    for a in detail.allocations:
        click.echo(f"{plain(a.case_reference):<14} {plain(a.reviewer or '-'):<24} {a.progress}")


for _name, _doc, _op in (
    (
        "start",
        "Mark a plan under way (a thematic evaluation needs its terms of reference).",
        "start",
    ),
    ("close", "Close a plan (the record of what happened).", "close"),
):

    def _make(op: str, doc: str) -> Any:
        @db_option()
        @click.argument("plan_id")
        @click.pass_context
        def command(ctx: click.Context, db_url: str | None, plan_id: str) -> None:
            from qa_tui.services.planning import PlanningService

            ws = get_app(ctx).workspace(db_url)
            try:
                getattr(PlanningService(ws), op)(plan_id)
            finally:
                ws.close()
            click.echo("Done.")

        command.__doc__ = doc
        return command

    plan.command(name=_name)(_make(_op, _doc))


@plan.command(name="mine")
@db_option()
@click.pass_context
def mine(ctx: click.Context, db_url: str | None) -> None:
    """The cases allocated to you (the settings' author) and not yet completed."""
    from qa_tui.services.planning import PlanningService

    ws = get_app(ctx).workspace(db_url)
    try:
        rows = PlanningService(ws).mine()
    finally:
        ws.close()
    for r in rows:
        click.echo(f"{r.id}  {plain(r.case_reference):<14} {r.progress:<9} {plain(r.describe())}")


@plan.command(name="begin")
@db_option()
@click.argument("allocation_id")
@click.option("--template", "template_id", default="", help="Template (default: the plan's).")
@click.pass_context
def begin(ctx: click.Context, db_url: str | None, allocation_id: str, template_id: str) -> None:
    """Start the evaluation of a case allocated to you, its details filled in; prints its id."""
    from qa_tui.services.planning import PlanningService

    ws = get_app(ctx).workspace(db_url)
    try:
        click.echo(PlanningService(ws).start_allocated(allocation_id, template_id))
    finally:
        ws.close()


# --- thematic ------------------------------------------------------------------------------


@click.group(name="thematic")
def thematic() -> None:
    """A thematic evaluation's terms of reference and findings (plan new --kind thematic)."""


@thematic.command(name="terms")
@db_option()
@click.argument("plan_id")
@click.option("--why", "tor_why", default=None, help="Why commissioned, and why now.")
@click.option("--scope", "tor_scope", default=None)
@click.option("--criteria", "tor_criteria", default=None, help="Legislation, policy, feedback…")
@click.option("--who", "tor_who", default=None, help="Who will undertake it.")
@click.option("--methods", "tor_methods", default=None, help="Interviews, focus groups, …")
@click.option("--timescale", "tor_timescale", default=None, help="Completion and reporting.")
@click.pass_context
def terms(ctx: click.Context, /, db_url: str | None, plan_id: str, **given: str | None) -> None:
    """Record (or change) the terms of reference of a thematic evaluation."""
    _update(ctx, db_url, plan_id, given)


@thematic.command(name="findings")
@db_option()
@click.argument("plan_id")
@click.option("--strengths", "findings_strengths", default=None)
@click.option("--barriers", "findings_barriers", default=None)
@click.option("--good-practice", "findings_good_practice", default=None)
@click.option("--weaknesses", "findings_weaknesses", default=None, help="Weaknesses and risks.")
@click.option("--board-actions", "findings_board_actions", default=None)
@click.pass_context
def findings(ctx: click.Context, /, db_url: str | None, plan_id: str, **given: str | None) -> None:
    """Record (or change) a thematic evaluation's findings."""
    _update(ctx, db_url, plan_id, given)


def _update(ctx: click.Context, db_url: str | None, plan_id: str, given: dict[str, Any]) -> None:
    from qa_tui.services.planning import PlanningService

    values = {k: v for k, v in given.items() if v is not None}
    ws = get_app(ctx).workspace(db_url)
    try:
        changed = PlanningService(ws).update(plan_id, **values)
    finally:
        ws.close()
    click.echo(f"{changed} field(s) changed")


COMMANDS = [plan, thematic]
