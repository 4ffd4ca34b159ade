"""The ``qa-tui`` command: bare, it opens the app; subcommands run headless.

Every failure the user can act on ends with exit status 1 and one line on stderr; heavy modules
(the TUI, sync, reports, crypto) are imported only by the commands that need them.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import click

from qa_tui.cli.common import AppContext, QaGroup, db_option
from qa_tui.errors import QaError

# Every subcommand and the module of qa_tui.cli that makes it (its ``COMMANDS``): a command's
# module is imported when that command runs (or is listed, for help), never the others — a
# headless command pays for one module, bare ``qa-tui`` for none (reports, sync, planning…:
# a tenth of a second of start-up). tests/unit/test_cli_commands.py keeps this in step with
# the modules.
COMMAND_MODULES: dict[str, str] = {
    "demo": "core",
    "list": "core",
    "template": "core",
    "keys": "sync",
    "central": "sync",
    "export": "sync",
    "merge": "sync",
    "sync": "sync",
    "conflicts": "sync",
    "purge": "sync",
    "report": "report",
    "data": "report",
    "moderation": "moderation",
    "actions": "followup",
    "concerns": "followup",
    "summary": "followup",
    "notice": "followup",
    "cases": "cases",
    "sample": "cases",
    "plan": "plan",
    "thematic": "plan",
    "expectation": "expectation",
    "board": "board",
}


class _Main(QaGroup):
    """The top-level group: a subcommand's module is imported when it is asked for (or
    listed), not before (:data:`COMMAND_MODULES`)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMAND_MODULES})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in COMMAND_MODULES:
            module = importlib.import_module(f"qa_tui.cli.{COMMAND_MODULES[cmd_name]}")
            for command in module.COMMANDS:
                self.add_command(command)
            found = super().get_command(ctx, cmd_name)
        return found


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


def run(argv: list[str] | None = None) -> Any:
    """Entry point that turns any :class:`QaError` escaping click into exit status 1."""
    try:
        return main.main(args=argv, standalone_mode=True)
    except QaError as exc:  # pragma: no cover - QaGroup already handles these
        click.echo(f"qa-tui: {exc}", err=True)
        sys.exit(1)


__all__ = ["db_option", "main", "run"]
