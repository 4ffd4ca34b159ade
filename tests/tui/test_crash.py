"""A crash test on the real process: typing survives SIGKILL, the database stays sound.

``python -m qa_tui`` runs on a pseudo-terminal (120×40, xterm-256color) and is driven with
keys and a click, as a user would. Evidence is typed into the first grade item, the user
pauses, types on without pausing, and the process is killed with SIGKILL mid-typing, at three
different moments. Then:

* the SQLite file passes ``PRAGMA integrity_check`` (and ``foreign_key_check``);
* the evidence holds everything typed before the pause, is exactly a prefix of what was typed,
  and holds everything typed more than :data:`LOSS_LIMIT` before the kill ("a laptop that dies
  mid-sentence loses at most the last second", plus slack for a loaded machine);
* the history of changes agrees with the stored records;
* the app starts again on the same database, and reopening the evaluation returns to the
  section where the user was, showing what was saved.

POSIX only (the :mod:`pty` harness); the product itself is cross-platform.
"""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qa_tui.config import Settings, data_dir, save_settings
from qa_tui.domain.evaluation import CaseDetails, create_evaluation
from qa_tui.framework.loader import builtin_templates
from qa_tui.framework.model import ItemKind
from qa_tui.positions import FILE_NAME, Positions
from qa_tui.store.history import check_consistency
from qa_tui.store.views import load_view
from qa_tui.workspace import open_workspace
from tests.tui.pty_driver import PtyApp, qa_tui_argv

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.name != "posix",
        reason="the crash test drives the app through a POSIX pseudo-terminal (pty); "
        "the product is cross-platform, this harness is not",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
COLUMNS, ROWS = 120, 40
CASE = "AB-12345"
FIRST = "Seen at home; Sam spoke freely. "  # typed, then a pause
SECOND = "Mum says school is going better since the plan began and she"  # typed without pause
KEY_DELAY = 0.04  # seconds between keystrokes: a quick typist
PAUSE = 2.5  # the pause after the first chunk (autosave promises ≤ 1 s)
LOSS_LIMIT = 1.5  # the promise (1 s) plus slack for the keys to reach a loaded app


def load_position(evaluation_id: str) -> tuple[str, str]:
    """Where the app remembers the user was (the settings' data folder, isolated per test)."""
    return Positions(data_dir() / FILE_NAME).load(evaluation_id)


# --- setting up -------------------------------------------------------------------------------


def _first_grade_section() -> tuple[Any, Any]:
    """A built-in template whose first section starts with a grade item, and that section."""
    for template in builtin_templates():
        section = template.sections[0]
        if section.items and section.items[0].kind is ItemKind.GRADE:
            return template, section
    raise AssertionError("no built-in template starts with a grade item")


def _make_db(settings: Settings, db_url: str, template: Any) -> str:
    """One draft evaluation, made headlessly through the core."""
    ws = open_workspace(settings, db_url)
    try:
        with ws.store.session() as session:
            return create_evaluation(
                session, ws.actor, template, CaseDetails(CASE), settings.case_reference_pattern
            )
    finally:
        ws.close()


def _app_env() -> dict[str, str]:
    """This test's environment (its own XDG directories, from conftest) for a plain terminal."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env.update(TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


@pytest.fixture
def start_app(tmp_path: Path) -> Iterator[Any]:
    """Start ``qa-tui --db URL`` on a pty; every app started is stopped at the end."""
    started: list[PtyApp] = []

    def start(db_url: str) -> PtyApp:
        log = tmp_path / f"screen-{len(started) + 1}.log"
        app = PtyApp(
            qa_tui_argv("--db", db_url),
            env=_app_env(),
            cwd=ROOT,
            columns=COLUMNS,
            rows=ROWS,
            log_path=log,
        )
        started.append(app)
        return app

    yield start
    for app in started:
        app.close()


# --- driving the app --------------------------------------------------------------------------


def _open_evaluation(app: PtyApp) -> None:
    """From the home list, open the (only) evaluation in the editor with Enter.

    The list can be drawn from the file before the database is open; Enter does nothing
    until then, so it is pressed again (only while the editor has not appeared).
    """
    app.wait_for(CASE, timeout=30, what=f"the home list showing {CASE}")
    editor = re.compile(rf"{CASE} · Draft|Loading the evaluation")
    for _ in range(20):
        app.press("enter", pause=0)
        try:
            app.wait_for(lambda s: bool(editor.search(s)), timeout=1.0)
            break
        except AssertionError:
            continue
    app.wait_for(lambda s: bool(editor.search(s)), timeout=15, what="the evaluation editor")


def _heading(title: str) -> str:
    """The section's heading in the form (right of the section map's border)."""
    return f"▕ {title}"


def _click_evidence(app: PtyApp) -> None:
    """Put the cursor in the evidence box by clicking it, and check the cursor is there."""
    screen = app.wait_for("Evidence", what="the evidence field")
    lines = screen.splitlines()
    row = next(i for i, line in enumerate(lines) if re.search(r"▕ Evidence\b", line))
    column = lines[row].index("Evidence") + 4
    app.click(column, row + 2)  # the label, the box's top border, then its first line
    deadline = time.monotonic() + 10
    while app.cursor()[1] != row + 2:
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the cursor is not in the evidence box (row {row + 2}) but at {app.cursor()};"
                f" last screen:\n{app.text()}"
            )
        time.sleep(0.05)


# --- the test ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kill_after", [0.4, 1.2, 2.2], ids=["early", "middle", "late"])
def test_sigkill_mid_typing_keeps_text_up_to_the_last_pause(
    kill_after: float,
    settings: Settings,
    tmp_path: Path,
    start_app: Any,
) -> None:
    save_settings(settings)  # an auditor identity: no first-run dialog
    template, section = _first_grade_section()
    item = section.items[0]
    db_path = tmp_path / "qa.db"
    db_url = f"sqlite:///{db_path.as_posix()}"
    evaluation_id = _make_db(settings, db_url, template)

    # Type, pause, type on and kill the process mid-typing.
    app = start_app(db_url)
    _open_evaluation(app)
    app.wait_for(_heading("Case details"), what="the case details")
    for title in ("Participants", section.title):  # the journey's next sections, one by one
        app.press("ctrl+n", pause=0)
        app.wait_for(_heading(title), what=f"the section {title!r} after ctrl+n")
    _click_evidence(app)
    app.type(FIRST, KEY_DELAY)
    app.wait_for(FIRST.strip(), what="the first chunk echoed in the evidence box")
    time.sleep(PAUSE)
    start = time.monotonic()
    kill_at = start + kill_after
    sent = app.type(SECOND, KEY_DELAY, until=kill_at)
    assert len(sent) < len(SECOND), "the second chunk was typed to the end before the kill"
    app.kill(signal.SIGKILL)
    killed = time.monotonic()
    assert app.process.returncode == -signal.SIGKILL

    # The file is sound.
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    db.close()

    # What was typed before the pause is saved, and nothing that was not typed.
    ws = open_workspace(settings, db_url)
    try:
        with ws.store.session() as session:
            response = load_view(session, evaluation_id).responses.get(item.id)
            saved = response.evidence if response is not None else ""
            problems = check_consistency(session)
    finally:
        ws.close()
    typed = FIRST + SECOND[: len(sent)]
    assert saved.startswith(FIRST), f"text before the pause lost: saved {saved!r}"
    assert typed.startswith(saved), f"saved {saved!r} is not what was typed ({typed!r})"
    must_have = FIRST + "".join(
        char for char, when in zip(SECOND, sent, strict=False) if killed - when > LOSS_LIMIT
    )
    assert saved.startswith(must_have), (
        f"more than the last {LOSS_LIMIT} s of typing was lost: saved {saved!r}, "
        f"typed more than {LOSS_LIMIT} s before the kill {must_have!r}"
    )
    assert problems == [], f"history and records disagree: {problems}"
    assert load_position(evaluation_id)[0] == section.id

    # The app starts again and returns to where the user was, showing what was saved.
    again = start_app(db_url)
    _open_evaluation(again)
    screen = again.wait_for(_heading(section.title), what=f"the editor back in {section.title!r}")
    assert _heading("Case details") not in screen
    again.wait_for(FIRST.strip(), what="the saved evidence shown again")
