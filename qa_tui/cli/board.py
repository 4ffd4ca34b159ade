"""``qa-tui board``: the board's programme headless — its meetings for the year with their
reporting deadlines, the thematic programme, and the systemic actions it commissioned
(:mod:`qa_tui.services.board`, as the board's screen)."""

from __future__ import annotations

import click

from qa_tui.cli.common import db_option, get_app


def _text(value: object) -> str:
    from qa_tui.textsafe import printable

    return printable(str(value), keep_breaks=False)


@click.group(name="board", invoke_without_command=True)
@db_option()
@click.option("--year", type=int, default=None, help="The year (default: this one).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def board(ctx: click.Context, db_url: str | None, year: int | None, fmt: str) -> None:
    """The board's programme: meetings and reporting deadlines, thematic evaluations, and
    the systemic actions it commissioned ('board meeting', 'board action', 'board update')."""
    if ctx.invoked_subcommand is not None:
        return
    from qa_tui.services.board import BoardService
    from qa_tui.textsafe import json_text

    ws = get_app(ctx).workspace(db_url)
    try:
        found = BoardService(ws).programme(year)
    finally:
        ws.close()
    if fmt == "json":
        click.echo(json_text(_json(found)))
        return
    click.echo(f"The board's programme, {found.year}")
    click.echo("Meetings (reports due):")
    for m in found.meetings:
        due = m.report_deadline.isoformat() if m.report_deadline else "-"
        when = m.held_on.isoformat() if m.held_on else "-"
        click.echo(f"  {when}  (reports {due})  {_text(m.title)}")
    click.echo("Thematic evaluations:")
    for p in found.thematic:
        when = p.starts_on.isoformat() if p.starts_on else "no date"
        click.echo(f"  {when}  {p.status_label:<9}  {_text(p.title)}")
    click.echo("Systemic actions:")
    for a in found.actions:
        due = a.due_on.isoformat() if a.due_on else "no date"
        late = " OVERDUE" if a.overdue else ""
        click.echo(
            f"  {a.id}  {due}{late}  {a.status:<11}  {_text(a.owner)}: {_text(a.description)}"
        )


def _json(found: object) -> dict[str, object]:
    from dataclasses import asdict

    from qa_tui.services.board import Programme

    assert isinstance(found, Programme)

    def day(value: object) -> object:
        return value.isoformat() if hasattr(value, "isoformat") else value

    return {
        "year": found.year,
        "meetings": [
            {
                "id": m.id,
                "held_on": day(m.held_on),
                "title": m.title,
                "report_deadline": day(m.report_deadline),
            }
            for m in found.meetings
        ],
        "thematic": [
            {"id": p.id, "starts_on": day(p.starts_on), "title": p.title, "status": p.status}
            for p in found.thematic
        ],
        "actions": [{k: day(v) for k, v in asdict(a).items()} for a in found.actions],
    }


@board.command(name="meeting")
@db_option()
@click.option("--date", "held_on", required=True, help="When the board meets (YYYY-MM-DD).")
@click.option("--title", default="")
@click.option("--reports-due", "deadline", default=None, help="Default: two weeks before.")
@click.pass_context
def meeting(
    ctx: click.Context, db_url: str | None, held_on: str, title: str, deadline: str | None
) -> None:
    """Schedule a board meeting with its reporting deadline; prints its id."""
    from qa_tui.services.board import BoardService

    ws = get_app(ctx).workspace(db_url)
    try:
        click.echo(BoardService(ws).add_meeting(held_on, title, deadline))
    finally:
        ws.close()


@board.command(name="action")
@db_option()
@click.option("--description", required=True, help="What is to change.")
@click.option("--owner", required=True)
@click.option("--due", default=None, help="YYYY-MM-DD")
@click.option("--plan", "plan_id", default="", help="The thematic evaluation it came from.")
@click.pass_context
def action(
    ctx: click.Context,
    db_url: str | None,
    description: str,
    owner: str,
    due: str | None,
    plan_id: str,
) -> None:
    """Record a systemic action the board commissioned; prints its id."""
    from qa_tui.services.board import BoardService

    ws = get_app(ctx).workspace(db_url)
    try:
        click.echo(BoardService(ws).add_action(description, owner, due, plan_id))
    finally:
        ws.close()


@board.command(name="update")
@db_option()
@click.argument("action_id")
@click.option(
    "--status", type=click.Choice(["open", "in_progress", "done", "cancelled"]), required=True
)
@click.option("--note", required=True, help="What has happened.")
@click.option("--evidence", default=None, help="The evidence that the change made a difference.")
@click.pass_context
def update(
    ctx: click.Context,
    db_url: str | None,
    action_id: str,
    status: str,
    note: str,
    evidence: str | None,
) -> None:
    """Record progress on a systemic action (and the evidence of its difference)."""
    from qa_tui.services.board import BoardService

    ws = get_app(ctx).workspace(db_url)
    try:
        BoardService(ws).update_action(action_id, status, note, evidence)
    finally:
        ws.close()
    click.echo("Recorded.")


COMMANDS = [board]
