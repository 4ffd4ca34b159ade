"""The TUI shows text that is not its own through one place (``qa_tui.tui.text``).

A static check of the source, so a new screen cannot forget: no raw ``Input``/``TextArea``
(their safe forms keep the cursor aligned), no ``Static``/``Label`` given anything but a
string written in the code (other text goes through ``Shown``/``literal``), no
``markup=False`` shortcut, no file-output escaping (``printable``) on screen, and no raw
``DataTable`` (``Table`` draws its header at the widths of the rows it shows).
"""

from __future__ import annotations

import ast
from pathlib import Path

import qa_tui

TUI = Path(qa_tui.__file__).parent / "tui"
SAFE_HOME = TUI / "text.py"


def _calls(tree: ast.AST) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)]


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else ""


# Text the code itself composes: help's key list (binding descriptions) and literal().
OURS = {"literal", "keys_content"}


def _ours(node: ast.expr) -> bool:
    """A string written in the code, an f-string interpolating only numbers (``NUMBERS``), a
    CONSTANT, or a call in ``OURS``."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return all(
            isinstance(part.value, ast.Name) and part.value.id in NUMBERS
            for part in node.values
            if isinstance(part, ast.FormattedValue)
        )
    if isinstance(node, ast.Name):
        return node.id.isupper()
    return isinstance(node, ast.Call) and _name(node) in OURS


# Names an f-string in a Static may interpolate: counts and settings numbers, never text.
NUMBERS = {"days", "count", "total"}


def _problems() -> list[str]:
    found = []
    for path in sorted(TUI.rglob("*.py")):
        if path == SAFE_HOME:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(TUI.parent.parent)
        for call in _calls(tree):
            name = _name(call)
            line = f"{where}:{call.lineno}"
            if name in ("Input", "TextArea"):
                found.append(f"{line}: raw {name}( (use Safe{name} from qa_tui.tui.text)")
            if name == "DataTable":
                found.append(f"{line}: raw DataTable( (use Table: its header follows its rows)")
            if name in ("Static", "Label") and call.args and not _ours(call.args[0]):
                found.append(f"{line}: {name}( of computed text (use Shown or literal)")
            if any(k.arg == "markup" for k in call.keywords) and name != "notify":
                found.append(f"{line}: markup= (use Shown, ShownLabel or literal)")
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "qa_tui.textsafe":
                names = {alias.name for alias in node.names} - {"shown", "is_shown_safe"}
                if names:
                    found.append(
                        f"{where}:{node.lineno}: {sorted(names)} are for files, not screens"
                    )
    return found


def test_every_screen_shows_outside_text_through_one_place() -> None:
    problems = _problems()
    assert not problems, "\n".join(problems)
