"""Settings: first run, permissions, --config override and errors that name file and key."""

from __future__ import annotations

import os
import stat
import tomllib
import uuid
from pathlib import Path

import pytest

from qa_tui.config import default_config_path, load_settings, save_settings
from qa_tui.errors import ConfigError

POSIX = os.name == "posix"
DEVICE = "0b5b7c1e-3f0a-4c55-9d2e-6a1f0e6d9a01"


def test_first_run_creates_the_file_with_a_device_id() -> None:
    path = default_config_path()
    assert not path.exists()
    settings = load_settings()
    assert path.exists()
    saved = tomllib.loads(path.read_text(encoding="utf-8"))
    assert saved["device_id"] == settings.device_id
    uuid.UUID(settings.device_id)
    # The second run keeps the same identity.
    assert load_settings().device_id == settings.device_id


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_the_file_is_readable_by_its_owner_alone() -> None:
    load_settings()
    path = default_config_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_config_override_is_used_and_default_left_alone(tmp_path: Path) -> None:
    custom = tmp_path / "elsewhere" / "mine.toml"
    settings = load_settings(custom)
    assert custom.exists()
    assert settings.config_path == custom
    assert not default_config_path().exists()


def test_changes_are_saved_and_read_back(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    settings = load_settings(path).with_changes(auditor_name="Sam Patel", theme="light")
    save_settings(settings)
    again = load_settings(path)
    assert (again.auditor_name, again.theme) == ("Sam Patel", "light")
    assert again == settings


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('theme = "dark"\nauditor_name = "unterminated\n', None),
        (f'device_id = "{DEVICE}"\ncolour = "blue"\n', "colour"),
        (f'device_id = "{DEVICE}"\ntheme = "purple"\n', "theme"),
        (f'device_id = "{DEVICE}"\ncase_reference_pattern = "([A-Z"\n', "case_reference_pattern"),
        ('device_id = "not-a-uuid"\n', "device_id"),
        (f'device_id = "{DEVICE}"\nretention_days = "ninety"\n', "retention_days"),
        (f'device_id = "{DEVICE}"\nauditor_name = 3\n', "auditor_name"),
    ],
    ids=[
        "broken-toml",
        "unknown-key",
        "bad-theme",
        "bad-regex",
        "bad-device",
        "bad-days",
        "not-text",
    ],
)
def test_bad_settings_name_the_file_and_the_key(tmp_path: Path, text: str, key: str | None) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    message = str(err.value)
    assert str(path) in message
    assert "\n" not in message
    if key is None:
        assert "TOML" in message
    else:
        assert repr(key) in message or f"'{key}'" in message
    assert path.read_bytes() == before  # a broken file is never overwritten


def test_unwritable_config_folder_is_a_config_error(tmp_path: Path) -> None:
    if POSIX and os.geteuid() == 0:
        blocker = tmp_path / "file"
        blocker.write_text("x")
        target = blocker / "config.toml"  # a file where a folder should be
    else:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o500)
        target = folder / "sub" / "config.toml"
    with pytest.raises(ConfigError) as err:
        load_settings(target)
    assert "cannot be written" in str(err.value)
