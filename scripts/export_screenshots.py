"""Regenerate the README's screenshots (``screenshots/*.svg``, ``*.png``) from the demo data.

The scenes are the ones the SVG snapshot tests take (``tests/tui/screens_setup.py``): same
data, same clock, same keys, so the pictures never go stale. Run from the repository root after
``pip install -e ".[test]"``::

    python scripts/export_screenshots.py            # writes screenshots/*.svg
    python scripts/export_screenshots.py --out DIR  # somewhere else

Nothing of the user's is read or written: settings and data go to a temporary folder.

Two PNGs need headless Chromium (``chromium`` on the PATH; skipped with a message otherwise):
the dashboard (the SVG drawn to a picture) and the first page of the HTML monthly board
report, printed to PDF as a reader would print it (``pdftoppm`` from poppler turns the page
into the PNG; without it, a screenshot of the page at A4 size is taken instead).
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
    "audit.svg": ("editor_prompts", "dark"),
    "review.svg": ("review", "dark"),
    "summary.svg": ("summary", "dark"),
    "moderation.svg": ("summary_moderation", "dark"),
    "side_by_side.svg": ("side_by_side_agreed", "dark"),
    "agreement.svg": ("agreement", "dark"),
    "new_evaluation.svg": ("new_evaluation", "dark"),
    "high_contrast.svg": ("editor_grade", "high-contrast"),
    "dashboard.svg": ("dashboard", "dark"),
    "reports.svg": ("reports_made", "dark"),
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
PNG_OF_SVG = {"dashboard.png": "dashboard.svg"}


async def export(out: Path, work: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for index, (file_name, (scene, theme)) in enumerate(SHOTS.items()):
        folder = work / f"{index:02d}-{scene}"
        isolate_environment(folder / "home")  # each scene starts as on a fresh laptop
        svg = await capture(scene, folder, SIZE, theme)
        (out / file_name).write_text(svg, encoding="utf-8")
        print(f"{out / file_name}: {scene} ({theme}, {SIZE[0]}×{SIZE[1]})")


def _chromium() -> str | None:
    return next(
        (
            found
            for name in ("chromium", "chromium-browser", "google-chrome")
            if (found := shutil.which(name))
        ),
        None,
    )


def _shoot(browser: str, page: Path, png: Path, size: str) -> None:
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            f"--screenshot={png}",
            f"--window-size={size}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def monthly_report_png(out: Path, work: Path, browser: str) -> None:
    """The first page of the HTML monthly report on the QA desk's demo data, as printed."""
    import datetime as dt

    from qa_tui.reports.kinds import build
    from qa_tui.reports.model import ReportQuery
    from qa_tui.reports.period import parse_period
    from qa_tui.reports.render import write_report
    from qa_tui.store.migrate import open_store

    folder = work / "report"
    isolate_environment(folder / "home")
    url, _ids = prepare_db(folder, scene_settings(), demo=True, desk=True)
    store = open_store(url, create=False)
    try:
        query = ReportQuery(parse_period("2026-10"), today=dt.date(2026, 11, 20))
        made = build(store, "monthly", query, now=dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC))
    finally:
        store.dispose()
    html = folder / "monthly.html"
    write_report(made, "html", html)
    png = out / "monthly_report.png"
    pdf = folder / "monthly.pdf"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    if shutil.which("pdftoppm"):
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                str(pdf),
                str(png.with_suffix("")),
            ],
            check=True,
            timeout=120,
        )
    else:
        _shoot(browser, html, png, "794,1123")
    print(f"{png}: the monthly board report, first page")


def export_documents(out: Path, work: Path, browser: str) -> None:
    """The demo's concern notice and feedback summary as HTML, photographed in Chromium."""
    from qa_tui.documents.produce import read_notice, read_summary_doc, render
    from qa_tui.workspace import open_workspace

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
        _shoot(browser, page, out / file_name, size)
        print(f"{out / file_name}: the {kind} as HTML, in Chromium")


def pngs(out: Path, work: Path) -> None:
    browser = _chromium()
    if browser is None:
        print("PNGs skipped: no chromium on the PATH")
        return
    for png, svg in PNG_OF_SVG.items():
        _shoot(browser, out / svg, out / png, "1400,900")
        print(f"{out / png}: {svg} as a picture")
    monthly_report_png(out, work, browser)
    export_documents(out, work, browser)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots", help="output folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qa-tui-screenshots-") as work:
        asyncio.run(export(args.out, Path(work)))
        pngs(args.out, Path(work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
