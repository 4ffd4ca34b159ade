"""Whole bursts of keys written to the real process in one go, as ``tmux send-keys``, a paste,
a barcode scanner or a screen reader does: the first-run dialog, then the editor across a
section change. Then the settings file and the database hold exactly what was typed, in the
right fields (issue 9: "Sam ManagerTeam managerLocality North" was stored as one name).

POSIX only (the :mod:`pty` harness); the product itself is cross-platform.
"""

from __future__ import annotations

import os
import re
import signal
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qa_tui.config import Settings, load_settings, save_settings
from qa_tui.store.views import load_view
from qa_tui.workspace import open_workspace
from tests.tui.pty_driver import PtyApp, qa_tui_argv
from tests.tui.test_crash import CASE, COLUMNS, ROOT, ROWS, _app_env, _make_db, _open_evaluation

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="drives the app through a POSIX pty"),
]
TAB, ENTER, CTRL_N = "\t", "\r", "\x0e"


@pytest.fixture
def start_app(tmp_path: Path) -> Iterator[Any]:
    """Start ``qa-tui --db URL`` on a pty (as the crash test does); stopped at the end."""
    started: list[PtyApp] = []

    def start(db_url: str) -> PtyApp:
        log = tmp_path / f"screen-{len(started) + 1}.log"
        argv = qa_tui_argv("--db", db_url)
        app = PtyApp(argv, env=_app_env(), cwd=ROOT, columns=COLUMNS, rows=ROWS, log_path=log)
        started.append(app)
        return app

    yield start
    for app in started:
        app.close()


def _stop(app: Any) -> None:
    """ctrl+q, as a user quits: the app writes what is pending, then ends."""
    app.write("\x11")
    deadline = time.monotonic() + 20
    while app.process.poll() is None:
        if time.monotonic() > deadline:
            app.kill(signal.SIGKILL)
            raise AssertionError(f"the app did not quit; last screen:\n{app.text()}")
        time.sleep(0.05)


def test_first_run_dialog_in_one_write(isolated_dirs: Path, tmp_path: Path, start_app: Any) -> None:
    db_url = f"sqlite:///{(tmp_path / 'qa.db').as_posix()}"
    open_workspace(load_settings(), db_url, create=True).close()
    app = start_app(db_url)
    app.wait_for("Welcome to qa-tui", what="the first-run dialog")
    app.write("Sam Manager" + TAB + "Team manager" + TAB + "Locality North" + ENTER)
    app.wait_for("Welcome, Sam Manager.", what="the welcome after saving")
    _stop(app)
    config = tomllib.loads(
        (isolated_dirs / "config" / "qa-tui" / "config.toml").read_text(encoding="utf-8")
    )
    assert (config["auditor_name"], config["auditor_role"], config["auditor_team"]) == (
        "Sam Manager",
        "Team manager",
        "Locality North",
    )


def test_editor_bursts_across_a_section_change(
    settings: Settings, tmp_path: Path, start_app: Any
) -> None:
    from qa_tui.framework.loader import builtin_templates

    save_settings(settings)  # an auditor identity: no first-run dialog
    db_url = f"sqlite:///{(tmp_path / 'qa.db').as_posix()}"
    evaluation_id = _make_db(settings, db_url, builtin_templates()[0])
    app = start_app(db_url)
    _open_evaluation(app)
    app.wait_for("Service area", what="the case details")
    # Focus starts on the first thing missing (the service area); one write for the rest,
    # including ctrl+n, whose section opens after a read while the keys keep coming.
    app.write(
        "Children in need" + TAB + "Locality North" + TAB + "Sam Hughes"
        + CTRL_N + "Pat" + TAB + "Parent" + ENTER
    )  # fmt: skip
    added = re.compile(r"\bPat\b.*\bParent\b")
    app.wait_for(lambda s: bool(added.search(s)), timeout=20, what="the participant added")
    _stop(app)
    ws = open_workspace(settings, db_url)
    try:
        with ws.store.session() as session:
            view = load_view(session, evaluation_id)
    finally:
        ws.close()
    ev = view.evaluation
    assert (ev.case_reference, ev.service_area, ev.team, ev.practitioner) == (
        CASE,
        "Children in need",
        "Locality North",
        "Sam Hughes",
    )
    assert [(p.name, p.role) for p in view.participants][1:] == [("Pat", "Parent")]
