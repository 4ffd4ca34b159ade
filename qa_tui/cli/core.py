"""Headless commands over the local store: demo data, the list, templates."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click

from qa_tui.cli.common import db_option, get_app

if TYPE_CHECKING:
    from qa_tui.framework.loader import TemplateRegistry
    from qa_tui.store.rows import EvaluationRow

# One output row: a column's name and its value.
Row = dict[str, object]

LIST_COLUMNS = (
    "id",
    "case_reference",
    "service_area",
    "team",
    "practitioner",
    "auditor",
    "evaluation_type",
    "template_id",
    "status",
    "overall_grade",
    "open_actions",
    "immediate_concern",
    "demo",
    "created_at",
    "completed_at",
)


@click.command()
@db_option()
@click.option(
    "--evaluations", "count", type=click.IntRange(1, 100_000), default=40, show_default=True
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--remove",
    is_flag=True,
    help="Remove every demo evaluation (and the demo teams) instead; real work is untouched.",
)
@click.pass_context
def demo(ctx: click.Context, db_url: str | None, count: int, seed: int, remove: bool) -> None:
    """Fill a database with fictional, realistic evaluations (deterministic per seed; the
    database is created if it does not exist), marked as demo wherever they show and never
    handed over unless asked; --remove takes them all away again."""
    if remove:
        from qa_tui.demo import remove_demo

        ws = get_app(ctx).workspace(db_url)
        try:
            with ws.store.session() as session:
                removed = remove_demo(session)
        finally:
            ws.close()
        click.echo(f"{removed.summary().capitalize()} from {ws.store.url}")
        return
    import sys

    from qa_tui.demo import generate

    ws = get_app(ctx).workspace(db_url, create="any")
    try:
        if sys.stderr.isatty():  # a bar on a terminal; nothing when piped or logged
            with click.progressbar(
                length=count, label="Demo evaluations", file=sys.stderr, show_pos=True
            ) as bar:
                made = generate(ws, count, seed, bar.update)
        else:
            made = generate(ws, count, seed)
    finally:
        ws.close()
    click.echo(
        f"Added {made} demo evaluations to {ws.store.url} (marked as demo; "
        "'qa-tui demo --remove' takes them away)"
    )


def demo_note(count: int) -> str:
    """What every list that includes demo evaluations says."""
    noun = "evaluation" if count == 1 else "evaluations"
    return (
        f"includes {count} demo {noun} (fictional data from 'qa-tui demo'; "
        "'qa-tui demo --remove' removes them)"
    )


def _rows_for_output(rows: list[EvaluationRow]) -> list[Row]:
    out = []
    for row in rows:
        data = asdict(row)
        out.append({k: data[k] for k in LIST_COLUMNS})
    return out


def _table(rows: list[Row]) -> str:
    from qa_tui.textsafe import printable

    headers = LIST_COLUMNS  # the same columns as csv and json, in the same order
    # Each cell made printable on one line first, so the columns line up as printed.
    cells = [[printable(str(r[h]), keep_breaks=False) for h in headers] for r in rows]
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    ]
    return "\n".join(lines)


def csv_text(rows: list[Row]) -> str:
    """The rows as CSV, every cell written by :func:`qa_tui.textsafe.cell` (control
    characters made visible, formulas neutralised)."""
    from qa_tui.textsafe import cell

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: cell(v) for k, v in row.items()} for row in rows)
    return buffer.getvalue()


@click.command(name="list")
@db_option()
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.pass_context
def list_command(ctx: click.Context, db_url: str | None, fmt: str) -> None:
    """The evaluations, one a row (the home screen, headless); never creates a database."""
    from qa_tui.store.queries import list_evaluations

    ws = get_app(ctx).workspace(db_url)
    try:
        found = ws.read(list_evaluations)
    finally:
        ws.close()
    rows = _rows_for_output(found)
    demo_count = sum(1 for row in found if row.demo)
    if demo_count:  # on stderr, so the csv and json on stdout stay data
        click.echo(f"note: {demo_note(demo_count)}", err=True)
    if fmt == "json":
        from qa_tui.textsafe import json_text

        click.echo(json_text(rows))
    elif fmt == "csv":
        click.echo(csv_text(rows), nl=False)
    else:
        click.echo(_table(rows))


@click.group()
def template() -> None:
    """List, show and validate evaluation templates."""


def _registry(ctx: click.Context, db_url: str | None) -> TemplateRegistry:
    """Built-in and custom templates, plus those the QA team published (copied by sync) when
    the database exists (``--db``, or this laptop's own); never creates a database."""
    from qa_tui.config import default_db_url
    from qa_tui.store.migrate import current_revision, open_store
    from qa_tui.store.quicklist import sqlite_file
    from qa_tui.store.revisions import head_revision
    from qa_tui.workspace import add_published, load_registry

    app = get_app(ctx)
    settings = app.settings()
    registry = load_registry(settings)
    url = db_url or app.db_url or default_db_url(settings.data_dir)
    path = sqlite_file(url)
    if path is None or path.exists():
        store = open_store(url, create=False, migrate=False)
        try:
            with store.reader() as session:
                current = current_revision(session.connection())
            if current == head_revision():
                add_published(store, registry)
            else:
                registry.errors.append(
                    f"{url}: published templates not read (schema {current}, this qa-tui "
                    f"{head_revision()}); open the database with this qa-tui once to upgrade it"
                )
        finally:
            store.dispose()
    return registry


@template.command(name="list")
@db_option()
@click.pass_context
def template_list(ctx: click.Context, db_url: str | None) -> None:
    """The templates this device can use (built-in, custom and published)."""
    registry = _registry(ctx, db_url)
    for t in registry.all():
        kind = "built-in" if t.builtin else t.path
        click.echo(f"{t.id}\t{t.version}\t{t.name}\t{kind}")
    for t in registry.previous():
        click.echo(f"{t.id}\t{t.version}\t{t.name}\tbuilt-in, previous: opens older evaluations")
    for error in registry.errors:
        click.echo(f"warning: {error}", err=True)


@template.command(name="show")
@click.argument("template_id")
@click.option("--version", "version", default=None, help="A particular version.")
@db_option()
@click.pass_context
def template_show(
    ctx: click.Context, template_id: str, version: str | None, db_url: str | None
) -> None:
    """Print a template: its sections, items, grading scale and rules."""
    from qa_tui.errors import TemplateError
    from qa_tui.framework.describe import describe_template

    found = _registry(ctx, db_url).get(template_id, version)
    if found is None:
        raise TemplateError(f"no template with id {template_id!r} (see: qa-tui template list)")
    click.echo(describe_template(found))


@template.command(name="validate")
@click.argument("path", type=click.Path(path_type=Path))
def template_validate(path: Path) -> None:
    """Check a template file; errors name the file, line and key."""
    from qa_tui.framework.loader import load_template_file

    loaded = load_template_file(path)
    items = sum(len(s.items) for s in loaded.sections)
    click.echo(
        f"{path}: valid — {loaded.id} version {loaded.version}, "
        f"{len(loaded.sections)} sections, {items} items"
    )


COMMANDS = [demo, list_command, template]
