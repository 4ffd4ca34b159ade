"""Regenerate the README's screenshots (``screenshots/*.svg``) from the demo data.

The scenes are the ones the SVG snapshot tests take (``tests/tui/screens_setup.py``): same
data, same clock, same keys, so the pictures never go stale. Run from the repository root after
``pip install -e ".[test]"``::

    python scripts/export_screenshots.py            # writes screenshots/*.svg and *.png
    python scripts/export_screenshots.py --out DIR  # somewhere else

The written notice and the feedback summary of the same demo evaluation are rendered as HTML
and photographed in headless Chromium (``chromium`` on PATH, e.g. Debian's package), as
``notice_html.png`` and ``summary_html.png``; without Chromium they are skipped with a note.

Nothing of the user's is read or written: settings and data go to a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # `tests` is a package of the repository, not installed

from tests.tui.screens_setup import (  # noqa: E402
    FROZEN_NOW,
    capture,
    frozen_clock,
    isolate_environment,
    prepare_db,
    scene_settings,
)

SIZE = (160, 40)
# file name -> (scene, theme)
SHOTS: dict[str, tuple[str, str]] = {
    "home.svg": ("home", "dark"),
    "evaluation.svg": ("editor_lists", "dark"),
    "review.svg": ("review", "dark"),
    "summary.svg": ("summary", "dark"),
    "moderation.svg": ("summary_moderation", "dark"),
    "new_evaluation.svg": ("new_evaluation", "dark"),
    "high_contrast.svg": ("editor_grade", "high-contrast"),
    "actions.svg": ("actions_overdue", "dark"),
    "concerns.svg": ("concerns", "dark"),
    "concern_notice.svg": ("concern_notice", "dark"),
    "share_findings.svg": ("share_findings", "dark"),
}
# Documents photographed in Chromium: file name -> (document, window size)
DOCUMENTS = {
    "notice_html.png": ("notice", "1000,1414"),
    "summary_html.png": ("summary", "1000,2600"),
}


async def export(out: Path, work: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for index, (file_name, (scene, theme)) in enumerate(SHOTS.items()):
        folder = work / f"{index:02d}-{scene}"
        isolate_environment(folder / "home")  # each scene starts as on a fresh laptop
        svg = await capture(scene, folder, SIZE, theme)
        (out / file_name).write_text(svg, encoding="utf-8")
        print(f"{out / file_name}: {scene} ({theme}, {SIZE[0]}×{SIZE[1]})")


def export_documents(out: Path, work: Path) -> None:
    """The demo's concern notice and feedback summary as HTML, photographed in Chromium."""
    from qa_tui.documents.produce import read_notice, read_summary_doc, render
    from qa_tui.workspace import open_workspace

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        print("notice_html.png, summary_html.png: skipped (no chromium on PATH)")
        return
    folder = work / "documents"
    isolate_environment(folder / "home")
    settings = scene_settings()
    url, ids = prepare_db(folder, settings, demo=True)
    assert ids is not None
    ws = open_workspace(settings, url, clock=frozen_clock)
    try:
        today = FROZEN_NOW.date()
        docs = {
            "notice": read_notice(ws, ids.concern, today),
            "summary": read_summary_doc(ws, ids.concern, today),
        }
    finally:
        ws.close()
    for file_name, (kind, size) in DOCUMENTS.items():
        page = folder / f"{kind}.html"
        page.write_bytes(render(docs[kind], "html"))
        command = [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={out / file_name}",
            f"--window-size={size}",
            page.as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
        print(f"{out / file_name}: the {kind} as HTML, in Chromium")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="output folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qa-tui-screenshots-") as work:
        asyncio.run(export(args.out, Path(work)))
        export_documents(args.out, Path(work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
