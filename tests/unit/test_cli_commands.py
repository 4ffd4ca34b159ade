"""The top-level command imports a subcommand's module only when that command is asked for
(:data:`qa_tui.cli.COMMAND_MODULES`): the map must name every command each module makes, and
help must still list them all."""

from __future__ import annotations

import importlib

from click.testing import CliRunner

from qa_tui.cli import COMMAND_MODULES, main


def test_the_map_names_every_command_of_every_module() -> None:
    made: dict[str, str] = {}
    for module in sorted(set(COMMAND_MODULES.values())):
        for command in importlib.import_module(f"qa_tui.cli.{module}").COMMANDS:
            assert command.name not in made, f"{command.name} made by {made[command.name]} too"
            made[command.name] = module
    assert made == COMMAND_MODULES


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0, result.output
    listed = result.output.split("Commands:", 1)[1].split()
    for name in COMMAND_MODULES:
        assert name in listed, name


def test_an_unknown_command_is_still_refused() -> None:
    result = CliRunner().invoke(main, ["no-such-command"])
    assert result.exit_code == 2
    assert "No such command 'no-such-command'" in result.output
