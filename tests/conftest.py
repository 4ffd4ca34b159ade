"""Shared fixtures: every test gets its own config and data directories (never the user's)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

FROZEN_NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)

# Hypothesis profiles, chosen by QA_TUI_HYPOTHESIS (default "dev"): how hard property tests
# look. The tests themselves never set the number of examples. Each example builds several
# databases, so none has a deadline. "ci" is sized so the property tests on both backends take
# about 75 s on a two-core machine; "nightly" looks ten times harder (about 4 min on SQLite
# alone). "ci" and "nightly" print a reproduction blob with any failure.
HYPOTHESIS_PROFILES = {"dev": 12, "ci": 50, "nightly": 500}
for _name, _examples in HYPOTHESIS_PROFILES.items():
    hypothesis_settings.register_profile(
        _name, max_examples=_examples, deadline=None, print_blob=_name != "dev"
    )
HYPOTHESIS_PROFILE = os.environ.get("QA_TUI_HYPOTHESIS", "").strip() or "dev"
if HYPOTHESIS_PROFILE not in HYPOTHESIS_PROFILES:
    raise pytest.UsageError(
        f"QA_TUI_HYPOTHESIS={HYPOTHESIS_PROFILE!r}: not a Hypothesis profile "
        f"(one of {', '.join(HYPOTHESIS_PROFILES)})"
    )
hypothesis_settings.load_profile(HYPOTHESIS_PROFILE)


def expensive(share: int, **options: Any) -> hypothesis_settings:
    """Settings for a property test whose every example is costly (a whole app journey): the
    profile's number of examples divided by ``share`` (at least 2), so the profiles still
    decide how hard the test looks."""
    examples = HYPOTHESIS_PROFILES[HYPOTHESIS_PROFILE]
    return hypothesis_settings(max_examples=max(2, examples // share), **options)


def pytest_report_header() -> str:
    return f"hypothesis profile: {HYPOTHESIS_PROFILE} (QA_TUI_HYPOTHESIS)"


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point platformdirs (XDG on Linux; HOME-based elsewhere) at a temporary home."""
    home = tmp_path / "home"
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("APPDATA", str(home / "AppData" / "Roaming"))
    monkeypatch.setenv("LOCALAPPDATA", str(home / "AppData" / "Local"))
    return home


def frozen_clock() -> dt.datetime:
    return FROZEN_NOW


@pytest.fixture
def settings(isolated_dirs: Path):
    from qa_tui.config import load_settings

    base = load_settings()
    return base.with_changes(
        auditor_name="Alex Auditor", auditor_role="Team manager", auditor_team="Locality North"
    )


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{(tmp_path / 'qa.db').as_posix()}"


@pytest.fixture(scope="session")
def empty_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, empty SQLite database, copied for each new database: running the
    migrations costs more than most tests do (a sixth of tests/unit's time)."""
    from qa_tui.store.migrate import open_store

    path = tmp_path_factory.mktemp("template") / "empty.db"
    store = open_store(f"sqlite:///{path}")
    store.dispose()
    return path


@pytest.fixture
def workspace(settings, db_url: str, empty_sqlite: Path) -> Iterator:
    """A workspace on a new database at ``db_url`` (a copy of :func:`empty_sqlite`)."""
    from qa_tui.workspace import open_workspace

    shutil.copyfile(empty_sqlite, db_url.removeprefix("sqlite:///"))
    ws = open_workspace(settings, db_url, clock=frozen_clock)
    yield ws
    ws.close()
