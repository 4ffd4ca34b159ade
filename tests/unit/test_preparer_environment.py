"""The process preparing a big merge's rows runs the merge's own qa_tui: its folder goes first
on PYTHONPATH — unless it is a folder of installed packages, which the interpreter searches
anyway and which, first, would come before the standard library."""

from __future__ import annotations

import os
import site
from pathlib import Path

import pytest

from qa_tui.sync.preparer import child_environment


def test_a_source_tree_goes_first_on_the_path(tmp_path: Path) -> None:
    root = tmp_path / "tree"
    assert child_environment({"HOME": "h"}, root) == {"HOME": "h", "PYTHONPATH": str(root)}
    given = {"PYTHONPATH": os.pathsep.join(["a", "b"])}
    assert child_environment(given, root)["PYTHONPATH"] == os.pathsep.join([str(root), "a", "b"])
    assert given == {"PYTHONPATH": os.pathsep.join(["a", "b"])}  # the merge's own is untouched


@pytest.mark.parametrize("where", ["system", "user"])
def test_installed_packages_are_left_where_the_interpreter_puts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    installed = tmp_path / "site-packages"
    installed.mkdir()
    system = [str(installed)] if where == "system" else []
    monkeypatch.setattr(site, "getsitepackages", lambda: system)
    monkeypatch.setattr(site, "getusersitepackages", lambda: "" if system else str(installed))
    given = {"HOME": "h", "PYTHONPATH": "a"}
    assert child_environment(given, installed) == given
