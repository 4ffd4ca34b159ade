"""Follow-through, headless: the actions tracker, immediate concerns, the written notice and
the feedback summary (issue 12). Every error is one line on stderr and exit status 1."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from qa_tui.cli.common import db_option, get_app

ACTION_COLUMNS = (
    "id",
    "case_reference",
    "team",
    "service_area",
    "description",
    "owner",
    "due_date",
    "status",
    "status_on",
    "status_note",
    "overdue",
    "evaluation_id",
)
CONCERN_COLUMNS = (
    "evaluation_id",
    "case_reference",
    "team",
    "service_area",
    "auditor",
    "raised_on",
    "age_days",
    "stage",
    "shared_roles",
    "acknowledged",
)


def _today(ws: Any) -> dt.date:
    return ws.clock().astimezone().date()


def _cells(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _output(rows: list[dict[str, Any]], columns: tuple[str, ...], fmt: str) -> None:
    from qa_tui.textsafe import cell, json_text, printable

    rows = [_cells({k: r[k] for k in columns}) for r in rows]
    if fmt == "json":
        click.echo(json_text(rows))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: cell(v) for k, v in r.items()} for r in rows)
        click.echo(buffer.getvalue(), nl=False)
        return
    shown = [c for c in columns if c not in ("id", "evaluation_id")]
    cells = [[printable(_plain(r[c]), keep_breaks=False)[:60] for c in shown] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(shown)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(shown, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    click.echo("\n".join(lines))


# --- actions ---------------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@db_option()
@click.option("--owner", default="", help="Owner's name contains this.")
@click.option("--team", default="", help="Team contains this.")
@click.option("--service-area", default="", help="Service area contains this.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["open", "in_progress", "done", "cancelled"]),
    help="Only these statuses (repeat for several; cancelled = no longer needed).",
)
@click.option("--overdue", is_flag=True, help="Only open or in-progress actions past their date.")
@click.option("--due-before", default=None, help="Due on or before this date (YYYY-MM-DD).")
@click.option("--evaluation", default="", help="An evaluation id, or part of a case reference.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.pass_context
def actions(ctx: click.Context, /, db_url: str | None, fmt: str, **filters: Any) -> None:
    """Every action across evaluations, by due date; 'actions update ID' records progress."""
    if ctx.invoked_subcommand is not None:
        return  # 'actions update': its own command reads --db from here too
    from qa_tui.domain.input_checks import parse_date
    from qa_tui.store.followup_queries import ActionFilter, list_actions

    ws = get_app(ctx).workspace(db_url)
    try:
        flt = ActionFilter(
            owner=filters["owner"],
            team=filters["team"],
            service_area=filters["service_area"],
            statuses=tuple(filters["statuses"]),
            overdue=filters["overdue"],
            due_before=parse_date(filters["due_before"], "--due-before", "due_before"),
            evaluation=filters["evaluation"],
            today=_today(ws),
        )
        rows = ws.read(list_actions, flt, None, None)
    finally:
        ws.close()
    _output([asdict(r) for r in rows], ACTION_COLUMNS, fmt)


@actions.command(name="update")
@click.argument("action_id")
@click.option(
    "--status",
    required=True,
    type=click.Choice(["open", "in_progress", "done", "cancelled"]),
    help="The action's status from this update on.",
)
@click.option("--note", default="", help="What happened (the progress note).")
@click.option("--on", "on", default=None, help="The date of the update (default: today).")
@db_option()
@click.pass_context
def actions_update(
    ctx: click.Context,
    action_id: str,
    status: str,
    note: str,
    on: str | None,
    db_url: str | None,
) -> None:
    """Record a dated progress update on an action (allowed on completed evaluations)."""
    from qa_tui.domain.followup import record_action_update

    parent = ctx.parent.params.get("db_url") if ctx.parent else None
    ws = get_app(ctx).workspace(db_url or parent, create="default")
    try:
        ws.write(record_action_update, action_id, status, note, on)
    finally:
        ws.close()
    click.echo(f"Recorded: action {action_id} is {status.replace('_', ' ')}")


# --- immediate concerns --------------------------------------------------------------------------


@click.group(invoke_without_command=True)
@db_option()
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.pass_context
def concerns(ctx: click.Context, db_url: str | None, fmt: str) -> None:
    """Every open immediate concern: not yet shared with all four first, then oldest first."""
    if ctx.invoked_subcommand is not None:
        return
    from qa_tui.domain.followup import concern_stage
    from qa_tui.store.followup_concerns import list_open_concerns

    ws = get_app(ctx).workspace(db_url)
    try:
        found = ws.read(list_open_concerns, 0, None)
        today = _today(ws)
    finally:
        ws.close()
    rows = []
    for c in found:
        row = asdict(c)
        row["age_days"] = c.age_days(today)
        row["stage"] = concern_stage(True, c.shared_roles, c.acknowledged, False)
        rows.append(row)
    _output(rows, CONCERN_COLUMNS, fmt)


def _concern_ws(ctx: click.Context, db_url: str | None) -> Any:
    parent = ctx.parent.params.get("db_url") if ctx.parent else None
    return get_app(ctx).workspace(db_url or parent, create="default")


def _recipients(values: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for value in values:
        role, _eq, name = value.partition("=")
        out.append((role.strip(), name.strip()))
    return out


@concerns.command(name="share")
@click.argument("evaluation_id")
@click.option(
    "--with",
    "recipients",
    multiple=True,
    required=True,
    metavar="ROLE[=NAME]",
    help="practitioner, team_manager, service_manager or director_social_care (repeat).",
)
@click.option("--method", default="email", show_default=True, help="email, letter, case_record…")
@click.option("--on", "on", default=None, help="When it was shared (default: today).")
@db_option()
@click.pass_context
def concerns_share(
    ctx: click.Context,
    evaluation_id: str,
    recipients: tuple[str, ...],
    method: str,
    on: str | None,
    db_url: str | None,
) -> None:
    """Record that the written notice was shared with these recipients (one step)."""
    from qa_tui.domain.followup import record_concern_shares

    ws = _concern_ws(ctx, db_url)
    try:
        ids = ws.write(record_concern_shares, evaluation_id, _recipients(recipients), on, method)
    finally:
        ws.close()
    click.echo(f"Recorded: the notice was shared with {len(ids)} recipient(s)")


@concerns.command(name="acknowledge")
@click.argument("evaluation_id")
@click.option("--role", required=True, help="Who acknowledged: a recipient's role.")
@click.option("--name", default="", help="Their name.")
@click.option("--on", "on", default=None, help="When (default: today).")
@db_option()
@click.pass_context
def concerns_acknowledge(
    ctx: click.Context, evaluation_id: str, role: str, name: str, on: str | None, db_url: str | None
) -> None:
    """Record that a recipient acknowledged the notice."""
    from qa_tui.domain.followup import acknowledge_concern

    ws = _concern_ws(ctx, db_url)
    try:
        ws.write(acknowledge_concern, evaluation_id, role, name, on)
    finally:
        ws.close()
    click.echo("Recorded: the concern was acknowledged")


@concerns.command(name="close")
@click.argument("evaluation_id")
@click.option("--outcome", required=True, help="What was done about the concern.")
@click.option("--on", "on", default=None, help="When (default: today).")
@db_option()
@click.pass_context
def concerns_close(
    ctx: click.Context, evaluation_id: str, outcome: str, on: str | None, db_url: str | None
) -> None:
    """Close the concern with its outcome."""
    from qa_tui.domain.followup import close_concern

    ws = _concern_ws(ctx, db_url)
    try:
        ws.write(close_concern, evaluation_id, outcome, on)
    finally:
        ws.close()
    click.echo("Recorded: the concern is closed")


# --- documents ----------------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> None:
    from qa_tui.documents.files import write_document

    write_document(path, data)
    click.echo(f"Saved to {path}")


@click.command()
@click.argument("evaluation_id")
@db_option()
@click.option("--format", "fmt", type=click.Choice(["html", "docx", "md"]), required=True)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The file to write.")
@click.pass_context
def summary(
    ctx: click.Context, evaluation_id: str, db_url: str | None, fmt: str, out: Path
) -> None:
    """A completed evaluation's feedback summary for the child's record and the managers."""
    from qa_tui.documents.produce import read_summary_doc, render

    ws = get_app(ctx).workspace(db_url)
    try:
        doc = read_summary_doc(ws, evaluation_id, _today(ws))
    finally:
        ws.close()
    _write(out, render(doc, fmt))


@click.command()
@click.argument("evaluation_id")
@db_option()
@click.option("--format", "fmt", type=click.Choice(["html", "docx", "md", "eml"]), required=True)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="The file to write.")
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="[NAME=]ADDRESS",
    help="A recipient of the email draft (eml; repeat).",
)
@click.pass_context
def notice(
    ctx: click.Context,
    evaluation_id: str,
    db_url: str | None,
    fmt: str,
    out: Path,
    to: tuple[str, ...],
) -> None:
    """The written notice of an immediate concern; eml is a draft for your own mail client
    (qa-tui never sends mail)."""
    from qa_tui.documents.produce import read_notice, render

    ws = get_app(ctx).workspace(db_url)
    try:
        doc = read_notice(ws, evaluation_id, _today(ws))
    finally:
        ws.close()
    if fmt == "eml":
        from qa_tui.documents.render_eml import notice_eml

        pairs = [(n, a) if a else ("", n) for n, _eq, a in (t.partition("=") for t in to)]
        _write(out, notice_eml(doc, pairs))
    else:
        _write(out, render(doc, fmt))


COMMANDS = [actions, concerns, summary, notice]
