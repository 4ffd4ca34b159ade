"""``qa-tui central team …`` and ``qa-tui central template …``: the reference data the QA team
keeps on the central database and sync copies to laptops."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from qa_tui.cli.common import database_session, db_option, echo_records, format_option

_FILE = click.Path(dir_okay=False, exists=True, path_type=Path)


@click.group(name="team")
def team() -> None:
    """The teams laptops offer when a new evaluation is started."""


@team.command(name="add")
@db_option(required=True)
@click.option("--name", required=True, help="The team's name, as evaluations will show it.")
@click.option("--service-area", default="", help="The service area it belongs to.")
def team_add(db_url: str, name: str, service_area: str) -> None:
    """Add a team (a retired team of the same name comes back)."""
    from qa_tui.sync.reference_data import add_team

    with database_session(db_url, write=True) as session:
        row = add_team(session, name, service_area)
        shown = f"{row.name} ({row.service_area})" if row.service_area else row.name
    click.echo(f"team {shown} added; laptops get it at their next sync")


@team.command(name="retire")
@db_option(required=True)
@click.option("--name", required=True, help="The team to stop offering.")
def team_retire(db_url: str, name: str) -> None:
    """Stop offering a team for new evaluations (existing evaluations keep it)."""
    from qa_tui.sync.reference_data import retire_team

    with database_session(db_url, write=True) as session:
        row = retire_team(session, name)
        shown = row.name
    click.echo(f"team {shown} retired")


@team.command(name="list")
@db_option(required=True)
@click.option("--all", "everything", is_flag=True, help="Include retired teams.")
@format_option
def team_list(db_url: str, everything: bool, fmt: str) -> None:
    """The teams, by name."""
    from qa_tui.store.queries import list_teams

    with database_session(db_url, write=False) as session:
        rows = [
            {"name": t.name, "service_area": t.service_area, "retired": t.retired}
            for t in list_teams(session, everything)
        ]
    echo_records(rows, fmt, _team_line)


def _team_line(team: Mapping[str, Any]) -> str:
    area = f"  {team['service_area']}" if team["service_area"] else ""
    return f"{team['name']}{area}{'  (retired)' if team['retired'] else ''}"


@click.group(name="template")
def central_template() -> None:
    """Templates the QA team publishes to every laptop."""


@central_template.command(name="publish")
@db_option(required=True)
@click.argument("path", type=_FILE)
def template_publish(db_url: str, path: Path) -> None:
    """Validate a template file and publish it; laptops can use it after their next sync."""
    from qa_tui.framework.loader import load_template_file
    from qa_tui.sync.reference_data import publish_template

    template = load_template_file(path)
    with database_session(db_url, write=True) as session:
        snap = publish_template(session, template)
        when = snap.published_at
    click.echo(f"published {template.id} version {template.version} ({when})")


@central_template.command(name="list")
@db_option(required=True)
@format_option
def template_published(db_url: str, fmt: str) -> None:
    """The published templates, oldest first."""
    from qa_tui.sync.reference_data import published_templates

    with database_session(db_url, write=False) as session:
        rows = [
            {"id": s.template_id, "version": s.version, "published_at": s.published_at}
            for s in published_templates(session)
        ]
    echo_records(
        rows, fmt, lambda t: f"{t['id']}  version {t['version']}  published {t['published_at']}"
    )


COMMANDS = [team, central_template]
