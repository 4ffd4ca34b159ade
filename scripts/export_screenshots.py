"""Regenerate the README's screenshots (``screenshots/*.svg``) from the demo data.

The scenes are the ones the SVG snapshot tests take (``tests/tui/screens_setup.py``): same
data, same clock, same keys, so the pictures never go stale. Run from the repository root after
``pip install -e ".[test]"``::

    python scripts/export_screenshots.py            # writes screenshots/*.svg
    python scripts/export_screenshots.py --out DIR  # somewhere else

Nothing of the user's is read or written: settings and data go to a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests` is a package of the repository, not installed

from tests.tui.screens_setup import capture, isolate_environment  # noqa: E402

SIZE = (160, 40)
# file name -> (scene, theme)
SHOTS: dict[str, tuple[str, str]] = {
    "home.svg": ("home", "dark"),
    "evaluation.svg": ("editor_lists", "dark"),
    "review.svg": ("review", "dark"),
    "summary.svg": ("summary", "dark"),
    "moderation.svg": ("summary_moderation", "dark"),
    "side_by_side.svg": ("side_by_side_agreed", "dark"),
    "agreement.svg": ("agreement", "dark"),
    "new_evaluation.svg": ("new_evaluation", "dark"),
    "high_contrast.svg": ("editor_grade", "high-contrast"),
}


async def export(out: Path, work: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for index, (file_name, (scene, theme)) in enumerate(SHOTS.items()):
        folder = work / f"{index:02d}-{scene}"
        isolate_environment(folder / "home")  # each scene starts as on a fresh laptop
        svg = await capture(scene, folder, SIZE, theme)
        (out / file_name).write_text(svg, encoding="utf-8")
        print(f"{out / file_name}: {scene} ({theme}, {SIZE[0]}×{SIZE[1]})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="output folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qa-tui-screenshots-") as work:
        asyncio.run(export(args.out, Path(work)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
