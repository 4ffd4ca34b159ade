"""``qa-tui cases``, ``qa-tui sample``, ``qa-tui plan`` and ``qa-tui thematic``: planning the
programme headless — the same operations as the planning screens
(:mod:`qa_tui.services.planning`)."""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from qa_tui.cli.common import db_option, get_app


def _text(value: object) -> str:
    from qa_tui.textsafe import printable

    return printable(str(value), keep_breaks=False)


# --- cases ---------------------------------------------------------------------------------


@click.group(name="cases")
def cases() -> None:
    """The case list imported from the case-management system (case references, never names)."""


@cases.command(name="import")
@db_option()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--map", "pairs", multiple=True, metavar="COLUMN=FIELD", help="Map a column.")
@click.option("--dry-run", is_flag=True, help="Check and preview; import nothing.")
@click.option("--skip-bad-lines", is_flag=True, help="Import the clean lines, leave the bad out.")
@click.pass_context
def import_cases(
    ctx: click.Context,
    db_url: str | None,
    file: Path,
    pairs: tuple[str, ...],
    dry_run: bool,
    skip_bad_lines: bool,
) -> None:
    """Check a CSV export of cases, preview what is wrong by line, and import it (the import
    replaces the case list). Fields: reference, service_area, team, worker, category,
    opened_on, closed_on (or ignore)."""
    from qa_tui.domain.case_import import parse_mapping
    from qa_tui.services.planning import PlanningService, read_file

    checked = read_file(file, parse_mapping(pairs))
    _preview(checked)
    if dry_run:
        click.echo("Dry run: nothing imported.")
        return
    ws = get_app(ctx).workspace(db_url, create="default")
    try:
        total = len(checked.rows)
        if sys.stderr.isatty():
            with click.progressbar(length=total, label="Importing", file=sys.stderr) as bar:
                seen = [0]

                def step(done: int) -> None:
                    bar.update(done - seen[0])
                    seen[0] = done

                written = PlanningService(ws).import_cases(checked, skip_bad_lines, step)
        else:
            written = PlanningService(ws).import_cases(checked, skip_bad_lines)
    finally:
        ws.close()
    left = f"; {checked.bad_rows} bad line(s) left out" if checked.bad_rows else ""
    click.echo(f"Imported {written:,} cases{left}.")


def _preview(checked: Any) -> None:
    for text in checked.preview():
        click.echo(_text(text))


# --- sample --------------------------------------------------------------------------------


def _where(pairs: tuple[str, ...]) -> dict[str, str]:
    from qa_tui.errors import ValidationError

    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise ValidationError(f"--where {pair!r}: write FIELD=VALUE")
        out[name.strip()] = value.strip()
    return out


@click.command(name="sample")
@db_option()
@click.option("--frame", type=click.Choice(["cases", "evaluations"]), required=True)
@click.option("--size", type=int, required=True, help="How many to draw.")
@click.option("--strata", default="", help="Stratify by this field (e.g. team, category).")
@click.option("--where", "where", multiple=True, metavar="FIELD=VALUE", help="Filter the frame.")
@click.option("--seed", type=int, required=True, help="The seed (keep it to reproduce).")
@click.option("--hypothesis", default="", help="What the sample tests.")
@click.option("--plan", "plan_id", default="", help="Put the drawn cases on this plan.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.pass_context
def sample(
    ctx: click.Context,
    db_url: str | None,
    frame: str,
    size: int,
    strata: str,
    where: tuple[str, ...],
    seed: int,
    hypothesis: str,
    plan_id: str,
    fmt: str,
) -> None:
    """Draw a simple or stratified random sample of imported cases or completed evaluations,
    with a recorded seed, the frame's size and the strata (the same seed draws it again)."""
    from qa_tui.services.planning import PlanningService
    from qa_tui.textsafe import cell, json_text

    ws = get_app(ctx).workspace(db_url)
    try:
        service = PlanningService(ws)
        drawn = service.sample(frame, size, seed, strata.strip(), _where(where), hypothesis)
        if plan_id:
            service.add_sample(plan_id, drawn)
    finally:
        ws.close()
    if fmt == "json":
        click.echo(json_text({**drawn.to_json(), "describe": drawn.describe()}))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["key", "case_reference", "stratum"])
        writer.writerows(
            [cell(u.key), cell(u.case_reference), cell(u.stratum)] for u in drawn.drawn
        )
        click.echo(buffer.getvalue(), nl=False)
        return
    click.echo(f"Drew {_text(drawn.describe())} (frame {drawn.fingerprint})")
    for value, (in_frame, taken) in drawn.strata.items():
        click.echo(f"  {_text(value) or '(blank)'}: {taken} of {in_frame:,}")
    for unit in drawn.drawn:
        click.echo(f"{_text(unit.case_reference)}  {_text(unit.stratum)}".rstrip())


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
            f"{_text(r.title)}"
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
    click.echo(f"{_text(p.title)} ({p.kind}, {p.status})")
    counts = ", ".join(f"{k} {v}" for k, v in sorted(detail.counts.items()))
    click.echo(f"{len(rows)} case(s): {counts or 'none'}")
    if detail.frame_change:
        click.echo(_text(detail.frame_change))
    for a in detail.allocations:
        click.echo(f"{_text(a.case_reference):<14} {_text(a.reviewer or '-'):<24} {a.progress}")


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
        click.echo(f"{r.id}  {_text(r.case_reference):<14} {r.progress:<9} {_text(r.describe())}")


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


# --- the monthly expectation ----------------------------------------------------------------


@click.command(name="expectation")
@db_option()
@click.option("--month", default="", help="YYYY-MM (default: this month).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.option(
    "--eml",
    "eml",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Also write a reminder email draft (.eml) for those not done; never sent.",
)
@click.pass_context
def expectation(
    ctx: click.Context, db_url: str | None, month: str, fmt: str, eml: Path | None
) -> None:
    """Who has completed their collaborative evaluation this month and who has not, by
    service and team (the managers named in plans' review groups)."""
    from qa_tui.documents.files import write_document
    from qa_tui.documents.reminder import reminder_eml
    from qa_tui.domain.expectation import parse_month
    from qa_tui.services.planning import PlanningService
    from qa_tui.textsafe import cell, json_text

    ws = get_app(ctx).workspace(db_url)
    try:
        found, rows = PlanningService(ws).expectation(parse_month(month) if month else None)
    finally:
        ws.close()
    records = [
        {
            "service_area": r.service_area,
            "team": r.team,
            "name": r.name,
            "completed": r.completed,
            "met": r.met,
        }
        for r in rows
    ]
    if fmt == "json":
        click.echo(json_text({"month": f"{found.first:%Y-%m}", "managers": records}))
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=list(records[0]) if records else ["name"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows({k: cell(v) for k, v in r.items()} for r in records)
        click.echo(buffer.getvalue(), nl=False)
    else:
        waiting = sum(1 for r in rows if not r.met)
        click.echo(
            f"{found.label}: {len(rows) - waiting} of {len(rows)} managers have completed theirs"
        )
        for r in rows:
            mark = "done" if r.met else "not yet"
            click.echo(
                f"  {_text(r.service_area):<20} {_text(r.team):<22} {_text(r.name):<24} {mark}"
            )
    if eml is not None:
        written = write_document(eml, reminder_eml(found, rows))
        click.echo(f"Reminder draft written to {written} (qa-tui never sends it)", err=True)


COMMANDS = [cases, sample, plan, thematic, expectation]
