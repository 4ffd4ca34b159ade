"""``qa-tui moderation``: moderation sessions headless — list, prepare, sample, show.

The same operations as the moderation screens (:mod:`qa_tui.services.moderation`), for the QA
desk's scripts: a session prepared here reaches the moderators' laptops at their next sync.
"""

from __future__ import annotations

import click

from qa_tui.cli.common import db_option, get_app


def _text(value: str) -> str:
    from qa_tui.textsafe import printable

    return printable(value, keep_breaks=False)


@click.group(name="moderation")
def moderation() -> None:
    """Moderation sessions: list, prepare, sample (the figures: qa-tui report moderation)."""


@moderation.command(name="list")
@db_option()
@click.pass_context
def list_sessions(ctx: click.Context, db_url: str | None) -> None:
    """The moderation sessions, newest first: id, date, status, evaluations, title."""
    from qa_tui.services.moderation import SessionService

    ws = get_app(ctx).workspace(db_url)
    try:
        rows = SessionService(ws).sessions()
    finally:
        ws.close()
    for r in rows:
        when = r.held_on.isoformat() if r.held_on else "no date"
        click.echo(f"{r.id}  {when}  {r.status:<6}  {r.evaluations:>3}  {_text(r.title)}")


@moderation.command(name="new")
@db_option()
@click.option("--date", "held_on", required=True, help="When the group meets (YYYY-MM-DD).")
@click.option("--title", default="", help="The session's title (default: from the date).")
@click.option(
    "--moderator",
    "moderators",
    multiple=True,
    required=True,
    help='A moderator present, "Name, Role" (repeat for each).',
)
@click.option("--no-blind", is_flag=True, help="No blind first pass.")
@click.pass_context
def new_session(
    ctx: click.Context,
    db_url: str | None,
    held_on: str,
    title: str,
    moderators: tuple[str, ...],
    no_blind: bool,
) -> None:
    """Prepare a moderation session; prints its id."""
    from qa_tui.services.moderation import SessionService

    people = [(n.strip(), r.strip()) for n, _c, r in (m.partition(",") for m in moderators)]
    ws = get_app(ctx).workspace(db_url, create="default")
    try:
        click.echo(SessionService(ws).create(held_on, title, people, not no_blind))
    finally:
        ws.close()


@moderation.command(name="sample")
@db_option()
@click.argument("session_id")
@click.option("--size", type=int, required=True, help="How many evaluations to draw.")
@click.option("--seed", type=int, required=True, help="The seed (keep it to reproduce).")
@click.option("--period", default="", help="2026, 2026-Q3, 2026-10 or 2026-01-01..2026-06-30.")
@click.option("--service-area", default="")
@click.option("--team", default="")
@click.option("--template", "template_id", default="")
@click.option("--grade", default="", help="Overall grade id, e.g. good.")
@click.pass_context
def sample(
    ctx: click.Context,
    db_url: str | None,
    session_id: str,
    size: int,
    seed: int,
    period: str,
    service_area: str,
    team: str,
    template_id: str,
    grade: str,
) -> None:
    """Draw a random sample of completed evaluations onto a session, with a recorded seed."""
    from qa_tui.domain.sampling import EvaluationFilter
    from qa_tui.reports.period import parse_period
    from qa_tui.services.moderation import SessionService

    found = parse_period(period) if period.strip() else None
    flt = EvaluationFilter(
        found.start if found else None,
        found.end if found else None,
        service_area.strip(),
        team.strip(),
        template_id.strip(),
        grade.strip(),
        found.label if found else "",
    )
    ws = get_app(ctx).workspace(db_url, create="default")
    try:
        drawn = SessionService(ws).sample(session_id, flt, size, seed)
    finally:
        ws.close()
    click.echo(f"Drew {_text(drawn.describe())}")
    for evaluation_id in drawn.drawn:
        click.echo(evaluation_id)


COMMANDS = [moderation]
