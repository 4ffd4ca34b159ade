"""The ``qa-tui`` command: bare, it opens the app; subcommands run headless.

Every failure the user can act on ends with exit status 1 and one line on stderr; heavy modules
(the TUI, sync, reports, crypto) are imported only by the commands that need them.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qa_tui.cli.common import AppContext, QaGroup, db_option
from qa_tui.errors import QaError


class _Main(QaGroup):
    """The top-level group: its subcommands are imported when one is asked for (or listed),
    not before the app starts — bare ``qa-tui`` pays nothing for the headless commands'
    modules (reports, sync, planning…: a tenth of a second of start-up)."""

    registered = False

    def _register_once(self) -> None:
        if not _Main.registered:
            _Main.registered = True
            _register()

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._register_once()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        self._register_once()
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Main, invoke_without_command=True)
@click.option(
    "--db", "db_url", metavar="URL", help="Database URL (default: the local SQLite file)."
)
@click.option(
    "--config",
    "config_path",
    # A plain path: what is there is checked by load_settings, so a directory, FIFO or device
    # is one line "…: is a directory, not a settings file", not click's usage text.
    type=click.Path(path_type=Path),
    help="Settings file (default: config.toml in the user config directory).",
)
@click.version_option(package_name="qa-tui")
@click.pass_context
def main(ctx: click.Context, db_url: str | None, config_path: Path | None) -> None:
    """Practice evaluation for children's social care (Signs of Safety)."""
    ctx.obj = AppContext(config_path=config_path, db_url=db_url)
    if ctx.invoked_subcommand is None:
        from qa_tui.tui.run import run_app

        run_app(ctx.obj.config_path, ctx.obj.db_url)


def _register() -> None:
    from qa_tui.cli import core

    for command in core.COMMANDS:
        main.add_command(command)
    from qa_tui.cli import moderation, report, sync

    for command in (*sync.COMMANDS, *report.COMMANDS, *moderation.COMMANDS):
        main.add_command(command)
    from qa_tui.cli import followup

    for command in followup.COMMANDS:
        main.add_command(command)
    from qa_tui.cli import cases, expectation, plan

    for command in (*cases.COMMANDS, *plan.COMMANDS, *expectation.COMMANDS):
        main.add_command(command)
    from qa_tui.cli import board

    for command in board.COMMANDS:
        main.add_command(command)


def run(argv: list[str] | None = None) -> Any:
    """Entry point that turns any :class:`QaError` escaping click into exit status 1."""
    try:
        return main.main(args=argv, standalone_mode=True)
    except QaError as exc:  # pragma: no cover - QaGroup already handles these
        click.echo(f"qa-tui: {exc}", err=True)
        sys.exit(1)


__all__ = ["db_option", "main", "run"]
