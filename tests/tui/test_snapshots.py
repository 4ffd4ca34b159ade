"""SVG snapshots of every screen and dialog (pytest-textual-snapshot), on the demo data.

Each screen at 80×24 and 200×50 in the dark theme and at 200×50 in high contrast, plus the
home list in the light theme. The scenes (data, keys, waits) are in ``screens_setup``, shared
with ``scripts/export_screenshots.py``. Update after a deliberate change with
``pytest tests/tui/test_snapshots.py --snapshot-update`` and look at the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.tui.screens_setup import LARGE, SCENES, SMALL, build_scene

VARIANTS = {
    "80x24-dark": (SMALL, "dark"),
    "200x50-dark": (LARGE, "dark"),
    "200x50-high-contrast": (LARGE, "high-contrast"),
}
CASES = [
    pytest.param(scene, variant, id=f"{scene}-{variant}")
    for scene in SCENES
    for variant in VARIANTS
]


@pytest.mark.parametrize(("scene", "variant"), CASES)
def test_screen(scene: str, variant: str, snap_compare: Any, tmp_path: Path) -> None:
    size, theme = VARIANTS[variant]
    app, run_before = build_scene(scene, tmp_path / "db", theme)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_home_light_theme(snap_compare: Any, tmp_path: Path) -> None:
    app, run_before = build_scene("home", tmp_path / "db", "light")
    assert snap_compare(app, terminal_size=LARGE, run_before=run_before)
