"""Keystroke → screen latency in a long evidence field, with autosave running.

Not collected by pytest (the file name does not start with ``test_``). Run:

    PYTHONPATH=. python tests/benchmarks/bench_typing.py [--evaluations 2000] [--keys 400]

A demo database of ``--evaluations`` evaluations is made (kept in the temp folder and reused),
an evaluation is opened in the real app, and ``--keys`` keystrokes are typed at the end of a
long evidence text (about 20 KB), at a brisk typing pace with a pause now and then so autosave
writes while typing continues. Each keystroke's latency is the time from the key event being
sent to the first screen update after it (including turning the update into terminal output),
measured the same way in a bare ``App`` holding just a ``TextArea`` with the same text.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App, ComposeResult
from textual.widgets import TextArea

from qa_tui.tui.messages import OpenEvaluation

SIZE = (120, 40)
LONG_TEXT = (
    "Evidence from the record: the plan was reviewed with the family and the network. " * 6 + "\n"
) * 40
TYPED = "the child said she feels safer at home now; nan visits every day. "


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


class Probe:
    """Timestamps of screen updates, with the update turned into terminal output (as a real
    terminal would need) so that headless runs pay the same cost."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.updated = asyncio.Event()
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)
            self.updated.set()

        app._display = display

    async def keystroke(self, char: str) -> float:
        """Milliseconds from sending ``char`` to the next screen update."""
        self.updated.clear()
        driver = self.app._driver
        assert driver is not None
        started = time.perf_counter()
        driver.send_message(events.Key(char if char != " " else "space", char))
        await asyncio.wait_for(self.updated.wait(), timeout=2)
        return (time.perf_counter() - started) * 1000


async def type_into(app: App[Any], area: TextArea, keys: int) -> list[float]:
    probe = Probe(app)
    area.focus()
    area.move_cursor(area.document.end)
    await asyncio.sleep(0.2)
    latencies: list[float] = []
    for n in range(keys):
        latencies.append(await probe.keystroke(TYPED[n % len(TYPED)]))
        # About 12 keys a second, and a pause every 50 keys so that autosave writes.
        await asyncio.sleep(1.0 if n % 50 == 49 else 0.08)
    return latencies


class Bare(App[None]):
    """Just a TextArea, the size of the editor's evidence field (so both redraw alike)."""

    CSS = "TextArea { height: 16; width: 90; }"

    def compose(self) -> ComposeResult:
        yield TextArea(LONG_TEXT, soft_wrap=True)


async def bare_run(keys: int) -> list[float]:
    app = Bare()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(0.3)
        return await type_into(app, app.query_one(TextArea), keys)


def demo_workspace(count: int) -> Any:
    from qa_tui.config import load_settings
    from qa_tui.demo import generate
    from qa_tui.workspace import open_workspace

    home = Path(tempfile.gettempdir()) / f"qa_tui_bench_{count}"
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")
    os.environ["XDG_DATA_HOME"] = str(home / "data")
    db = home / "bench.db"
    fresh = not db.exists()
    settings = load_settings().with_changes(auditor_name="Bench Auditor")
    ws = open_workspace(settings, f"sqlite:///{db.as_posix()}")
    if fresh:
        started = time.perf_counter()
        generate(ws, count, 1)
        print(f"demo database: {count} evaluations in {time.perf_counter() - started:.0f}s")
    return ws


def long_evaluation(ws: Any) -> tuple[str, str, str]:
    """A new draft with a long evidence text: (evaluation id, section id, item id)."""
    from qa_tui.domain import evaluation as core
    from qa_tui.framework.model import ItemKind

    template = ws.templates.get("quality_of_practice_audit") or ws.templates.latest()[0]
    item = template.items(ItemKind.GRADE)[0]
    with ws.store.session() as session:
        evaluation_id = core.create_evaluation(
            session,
            ws.actor,
            template,
            core.CaseDetails("BEN-123456"),
            ws.settings.case_reference_pattern,
        )
        core.set_response(session, ws.actor, template, evaluation_id, item.id, evidence=LONG_TEXT)
    section = template.section_of(item.id)
    assert section is not None
    return evaluation_id, section.id, item.id


async def app_run(ws: Any, keys: int) -> tuple[list[float], str]:
    from qa_tui.tui.app import make_app
    from qa_tui.tui.screens.evaluation import EvaluationScreen

    evaluation_id, section, item_id = long_evaluation(ws)
    app = make_app(ws.settings, workspace_factory=lambda: ws)
    async with app.run_test(size=SIZE) as pilot:
        while app.workspace is None:
            await pilot.pause(0.05)
        app.post_message(OpenEvaluation(evaluation_id, "draft"))
        while not isinstance(app.screen, EvaluationScreen) or not app.screen.section_key:
            await pilot.pause(0.05)
        screen = app.screen
        screen.show_section(section)
        while screen.section_key != section:
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        area = screen.query_one(f"#f-{item_id}-evidence", TextArea)
        latencies = await type_into(app, area, keys)
        await pilot.pause(1.2)
        saved = str(screen.query_one("#save-indicator").render())
    return latencies, saved


def report(name: str, values: list[float]) -> tuple[float, float]:
    p50, p95 = statistics.median(values), percentile(values, 95)
    print(
        f"{name:<28} n={len(values):<5} p50 {p50:6.2f} ms   p95 {p95:6.2f} ms   "
        f"max {max(values):6.2f} ms"
    )
    return p50, p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluations", type=int, default=2000)
    parser.add_argument("--keys", type=int, default=400)
    args = parser.parse_args()
    ws = demo_workspace(args.evaluations)
    try:
        app_latencies, saved = asyncio.run(app_run(ws, args.keys))
    finally:
        ws.close()
    bare_latencies = asyncio.run(bare_run(args.keys))
    print(f"evidence text: {len(LONG_TEXT):,} characters; autosave indicator at the end: {saved}")
    a50, a95 = report("qa-tui evaluation editor", app_latencies)
    b50, b95 = report("bare App + TextArea", bare_latencies)
    print(f"ratio editor / bare:         p50 {a50 / b50:4.2f}x        p95 {a95 / b95:4.2f}x")
    print(f"target p95 ≤ 30 ms: {'met' if a95 <= 30 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
