"""``qa-tui cases`` and ``qa-tui sample``: the case list imported from the case-management
system and dip samples drawn from it (or from completed evaluations), headless — the same
operations as the planning screens (:mod:`qa_tui.services.planning`)."""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Any

import click

from qa_tui.cli.common import db_option, get_app, plain

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
        click.echo(plain(text))


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
    click.echo(f"Drew {plain(drawn.describe())} (frame {drawn.fingerprint})")
    for value, (in_frame, taken) in drawn.strata.items():
        click.echo(f"  {plain(value) or '(blank)'}: {taken} of {in_frame:,}")
    for unit in drawn.drawn:
        click.echo(f"{plain(unit.case_reference)}  {plain(unit.stratum)}".rstrip())


COMMANDS = [cases, sample]
