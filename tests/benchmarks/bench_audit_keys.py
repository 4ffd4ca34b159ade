"""Keystrokes to complete the quality-of-practice audit: version 2.0 against 1.0, one case.

Not collected by pytest. Run:

    PYTHONPATH=. python tests/benchmarks/bench_audit_keys.py [--size 80x24]

A first-time user completes the audit with keys alone, from the home list (n, the case
details) to completed (ctrl+r, ctrl+s), driven by ``tests/tui/audit_driver.py`` through the
real app headless on a database filled with the demo data: the same case and the same answers
for both versions, every key pressed counted (a character typed is one key). The baseline is
the 1.0 audit (each of the 51 statements of Appendix 1 a graded item with its own required
evidence, a stage not reached "not applicable" with a reason statement by statement), run in
the same process on the same data.

The answers: each stage graded with one sentence of evidence; each statement seen, or (every
fourth) not seen; the case has not reached review. 1.0 records a note for every statement (its
required evidence); 2.0 records the stage's evidence, a key for each example and — in the
"notes on what was not seen" run — a note on each example not seen. Everything outside the
stages (Signs of Safety, scaling, feedback, the four questions, an action, no immediate
concern, the overall judgement and summary) is the same in every run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from dataclasses import replace
from pathlib import Path


def run(version: str, notes: bool, size: tuple[int, int], folder: Path) -> tuple[int, float]:
    """Complete the audit on ``version`` once; (keys pressed, seconds)."""
    from qa_tui.config import load_settings
    from qa_tui.demo import generate
    from qa_tui.framework.loader import TemplateRegistry, builtin_templates, previous_templates
    from qa_tui.tui.app import make_app
    from qa_tui.workspace import open_workspace
    from tests.tui.audit_driver import CaseAnswers, Keys, complete_audit
    from tests.tui.screens_setup import frozen_clock, home_loaded

    settings = load_settings().with_changes(
        auditor_name="Alex Auditor", auditor_role="Team manager", auditor_team="CIN Team"
    )
    ws = open_workspace(settings, f"sqlite:///{(folder / 'qa.db').as_posix()}", frozen_clock)
    generate(ws, 40, 14)  # the demo data: teams, other evaluations
    if version == "1.0":  # the 1.0 audit offered for new work, as before the upgrade
        old = next(t for t in previous_templates() if t.id == "quality_of_practice_audit")
        others = [t for t in builtin_templates() if t.id != old.id]
        ws.templates = TemplateRegistry(builtins=[*others, old])
    template = ws.templates.get("quality_of_practice_audit")
    assert template is not None and template.version == version
    answers = replace(CaseAnswers(), notes_on_examples=notes)
    app = make_app(settings, workspace_factory=lambda: ws, clock=frozen_clock)

    async def journey() -> int:
        async with app.run_test(size=size) as pilot:
            await home_loaded(pilot)
            keys = Keys(pilot)
            await complete_audit(keys, answers, template, template_index=1)
            return keys.count

    started = time.monotonic()
    count = asyncio.run(journey())
    ws.close()
    return count, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="80x24", help="terminal size, e.g. 80x24")
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))
    runs = [
        ("1.0 (baseline): 51 graded statements", "1.0", False),
        ("2.0: judgements + a key per example", "2.0", False),
        ("2.0: + notes on what was not seen", "2.0", True),
    ]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, (label, version, notes) in enumerate(runs):
            home = Path(tmp) / f"run{number}"
            for var, sub in (("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data")):
                os.environ[var] = str(home / sub)
            os.environ["HOME"] = str(home)
            folder = home / "db"
            folder.mkdir(parents=True)
            count, seconds = run(version, notes, (width, height), folder)
            results.append((label, count, seconds))
    baseline = results[0][1]
    print(f"Keys to complete the quality-of-practice audit, one case, {args.size}")
    for label, count, seconds in results:
        print(f"  {label:<40} {count:>5} keys  {count / baseline:>5.0%} of 1.0  ({seconds:.0f} s)")


if __name__ == "__main__":
    main()
