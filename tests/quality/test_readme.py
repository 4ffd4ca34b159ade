"""The README's two set-up commands are the ones CI runs and the package provides."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```(?:sh|bash|shell)?\n(.*?)```", text, re.S)
    assert block, "README.md opens with a code block of set-up commands"
    return [
        line.strip()
        for line in block.group(1).splitlines()
        if line.strip() and not line.startswith("#")
    ]


def test_readme_opens_with_two_commands() -> None:
    commands = _commands()
    assert len(commands) == 2
    assert commands[0].endswith("qa-tui")
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"README_TEST_COMMAND='{_commands()[1]}'" in ci


def test_console_script_exists() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["qa-tui"] == "qa_tui.cli:main"
    assert any(dep.startswith("textual==") for dep in project["dependencies"])
