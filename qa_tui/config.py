"""Settings: where they live, how they are read, validated and written.

``config.toml`` sits in the platform's user config directory (platformdirs), so two laptops can
be simulated on one machine with separate ``XDG_CONFIG_HOME`` / ``XDG_DATA_HOME``. It is read
with :mod:`tomllib` and written with :mod:`tomli_w`. A broken or unknown setting is a
:class:`~qa_tui.errors.ConfigError` naming the file, the key and what is allowed.
"""

from __future__ import annotations

import re
import tomllib
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from qa_tui.errors import ConfigError
from qa_tui.fsutil import atomic_write_bytes, special_kind

APP_NAME = "qa-tui"
THEMES = ("dark", "light", "high-contrast")
DEFAULT_CASE_PATTERN = r"^[A-Z]{2,4}-?\d{4,10}$"


def config_dir() -> Path:
    """The user config directory for qa-tui (respects XDG variables on Linux)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """The platform's user data folder for qa-tui: the default ``Settings.data_dir``, where
    the local database, the device key and remembered places live."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_documents_dir() -> Path:
    """``<the user's documents folder>/qa-tui``: where saved documents go by default."""
    return Path(platformdirs.user_documents_dir()) / APP_NAME


def default_config_path() -> Path:
    return config_dir() / "config.toml"


def default_db_url(folder: Path) -> str:
    """This laptop's own database: ``qa_tui.db`` in ``folder`` (the settings' data folder)."""
    return f"sqlite:///{(folder / 'qa_tui.db').as_posix()}"


@dataclass(frozen=True)
class Settings:
    """Everything the app is configured with; passed in, never read from a global."""

    device_id: str
    auditor_name: str = ""
    auditor_role: str = ""
    auditor_team: str = ""
    case_reference_pattern: str = DEFAULT_CASE_PATTERN
    theme: str = "dark"
    central_db_url: str = ""
    qa_public_key: str = ""
    # The QA team's private key file (the QA desk: merging bundles from the app); a path, never
    # the key itself.
    qa_private_key: str = ""
    retention_days: int = 90
    # Where documents (notices, feedback summaries, email drafts) are saved; empty: the
    # platform's documents folder / qa-tui (qa_tui.documents.files).
    documents_dir: str = ""
    config_path: Path = field(default_factory=default_config_path, compare=False)
    # Where this laptop's keys and remembered places live; not a setting in the file (the
    # platform's user data folder unless a caller, a test say, gives another).
    data_dir: Path = field(default_factory=data_dir, compare=False)

    @property
    def has_identity(self) -> bool:
        """True once the first run has recorded who the auditor is."""
        return bool(self.auditor_name.strip())

    @property
    def author(self) -> str:
        return self.auditor_name.strip() or "unknown auditor"

    @property
    def documents_path(self) -> Path:
        """The folder documents are saved in (never a hidden one unless the user chose it):
        the ``documents_dir`` setting, else ``<the user's documents folder>/qa-tui``."""
        if self.documents_dir.strip():
            return Path(self.documents_dir).expanduser()
        return default_documents_dir()

    def with_changes(self, **changes: Any) -> Settings:
        new = replace(self, **changes)
        _validate(new, new.config_path)
        return new


_KEYS = {f.name for f in fields(Settings)} - {"config_path", "data_dir"}
_STR_KEYS = _KEYS - {"retention_days"}


def _validate(settings: Settings, path: Path) -> None:
    try:
        uuid.UUID(settings.device_id)
    except ValueError:
        raise ConfigError(
            f"{path}: key 'device_id' must be a UUID (got {settings.device_id!r}); "
            "delete the key to have a new one made"
        ) from None
    try:
        re.compile(settings.case_reference_pattern)
    except re.error as exc:
        raise ConfigError(
            f"{path}: key 'case_reference_pattern' is not a valid regular expression ({exc})"
        ) from None
    if settings.theme not in THEMES:
        raise ConfigError(
            f"{path}: key 'theme' must be one of {', '.join(THEMES)} (got {settings.theme!r})"
        )
    if settings.retention_days < 1:
        raise ConfigError(f"{path}: key 'retention_days' must be a whole number of days ≥ 1")


def load_settings(path: Path | None = None) -> Settings:
    """Read settings from ``path`` (default: the user config file), creating it on first run.

    A device id is generated the first time and saved, so the laptop keeps one identity.
    """
    path = path or default_config_path()
    raw: dict[str, Any] = {}
    if _regular_file(path):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: cannot be read ({exc})") from None
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown key {unknown[0]!r}; allowed keys are {', '.join(sorted(_KEYS))}"
        )
    for key in _STR_KEYS & raw.keys():
        if not isinstance(raw[key], str):
            raise ConfigError(f"{path}: key {key!r} must be a string")
    if "retention_days" in raw and (
        not isinstance(raw["retention_days"], int) or isinstance(raw["retention_days"], bool)
    ):
        raise ConfigError(f"{path}: key 'retention_days' must be a whole number of days")
    first_run = "device_id" not in raw
    raw.setdefault("device_id", str(uuid.uuid4()))
    settings = Settings(config_path=path, **raw)
    _validate(settings, path)
    if first_run:
        save_settings(settings)
    return settings


def _regular_file(path: Path) -> bool:
    """True for a regular file (links followed), False for nothing there; anything else (a
    directory, FIFO, socket or device) is a ConfigError, and it is never opened."""
    try:
        kind = special_kind(path)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if kind is not None:
        raise ConfigError(
            f"{path}: is {kind}, not a settings file; it was left untouched — "
            "give --config a regular file (it is made if missing)"
        )
    return path.exists()


def save_settings(settings: Settings) -> None:
    """Write settings atomically to their file, readable by the owner alone.

    A symbolic link (a config kept in a dotfiles folder) is followed: the file it points to is
    replaced atomically beside itself and the link stays a link.
    """
    path = settings.config_path
    data = {k: v for k, v in asdict(settings).items() if k in _KEYS}
    _regular_file(path)
    try:
        atomic_write_bytes(path, tomli_w.dumps(data).encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be written ({exc.strerror or exc})") from None
