"""``qa-tui report KIND``: a report on the database, in any of five formats, headless."""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import os
from pathlib import Path

import click

from qa_tui.cli.common import db_option, get_app
from qa_tui.reports.period import FORMS
from qa_tui.reports.render import FORMATS, writes_rows


@click.command(name="report")
@click.argument("kind")
@db_option()
@click.option("--period", "period_text", metavar="P", help=f"{FORMS} (default: last month).")
@click.option("--service-area", default="", help="Only this service area.")
@click.option("--team", default="", help="Only this team.")
@click.option(
    "--plan",
    "plan_id",
    default="",
    metavar="PLAN_ID",
    help="thematic: this thematic evaluation only (default: every one in the period).",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="File to write.")
@click.pass_context
def report(
    ctx: click.Context,
    kind: str,
    db_url: str | None,
    period_text: str | None,
    service_area: str,
    team: str,
    plan_id: str,
    fmt: str,
    out: Path,
) -> None:
    """Write report KIND for a period; reads the database, never creates one.

    KIND: monthly, team, quarterly, actions, coverage, moderation, thematic."""
    # numpy's BLAS (OpenBLAS) would run each product on a thread per core, the helpers
    # spinning while they wait for work: a report's products are small (a thousand resamples
    # of ten numbers), so they spun for a tenth of a second of the process's CPU a year's
    # moderation report and finished no sooner. Read when numpy is first imported (the report
    # kinds import it); a setting of the user's own is kept.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # What is imported next (SQLAlchemy, numpy, the kind's modules) is tens of thousands of
    # objects that live as long as the process: the cycle collector walked them a hundred
    # times (a fortieth of a second of a report) to free nothing.
    from qa_tui.reports.collector import collector_paused

    with collector_paused():
        from qa_tui.errors import ValidationError
        from qa_tui.reports.kinds import KINDS, build, kind_names
        from qa_tui.reports.model import ReportQuery
        from qa_tui.reports.period import default_period, parse_period
        from qa_tui.reports.render import write_report

        if kind not in KINDS:
            raise ValidationError(f"report {kind!r}: the kinds are {kind_names()}", field="kind")
        KINDS[kind].load()
    if plan_id and kind != "thematic":
        raise ValidationError("--plan: only the thematic report is about one plan", field="plan")
    today = dt.date.today()
    period = parse_period(period_text) if period_text else default_period(today)
    store = get_app(ctx).store(db_url)
    try:
        if plan_id and not period_text:
            from qa_tui.reports.thematic import plan_period

            with store.reader() as session:
                period = plan_period(session, plan_id.strip(), today)
        query = ReportQuery(
            period, service_area.strip(), team.strip(), today, plan_id.strip(), writes_rows(fmt)
        )
        made = build(store, kind, query)
    finally:
        store.dispose()
    write_report(made, fmt, out)
    # The command's process ends here, and its last collection would walk everything still
    # alive (the report's rows, every module) to free what the exit frees anyway: 90 ms of a
    # year's moderation report as JSON. Frozen at exit, they are left to it.
    atexit.register(gc.freeze)
    click.echo(f"{made.title}, {made.period.label}: written to {out}")


@click.command(name="data")
@db_option()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "parquet"]),
    required=True,
    help="csv and parquet: a folder, one file a table; xlsx: one workbook.",
)
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder or file.")
@click.pass_context
def data(ctx: click.Context, db_url: str | None, fmt: str, out: Path) -> None:
    """Every table as tidy data (docs/data.md) for your own analysis; never creates a
    database."""
    from qa_tui.reports.data_files import write_data
    from qa_tui.reports.kinds import CENTRAL_SCOPE, scope_of

    store = get_app(ctx).store(db_url)
    try:
        counts = write_data(store, fmt, out)
        with store.reader() as session:
            scope = scope_of(session)
    finally:
        store.dispose()
    total = sum(counts.values())
    where = "" if scope == CENTRAL_SCOPE else " (this laptop only, not the whole service)"
    click.echo(f"{len(counts)} tables, {total:,} rows: written to {out}{where}")


COMMANDS = [report, data]
