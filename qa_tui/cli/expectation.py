"""``qa-tui expectation``: the monthly expectation (one collaborative evaluation a manager a
month, seed 000 §3.2) and its reminder draft, headless — as the Expectation screen shows it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import click

from qa_tui.cli.common import db_option, get_app, plain

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
                f"  {plain(r.service_area):<20} {plain(r.team):<22} {plain(r.name):<24} {mark}"
            )
    if eml is not None:
        written = write_document(eml, reminder_eml(found, rows))
        click.echo(f"Reminder draft written to {written} (qa-tui never sends it)", err=True)


COMMANDS = [expectation]
