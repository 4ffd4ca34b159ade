"""Where the user was in each evaluation (section and field), kept in the data directory.

A small JSON file written atomically: reopening an evaluation returns to the same place.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from qa_tui.config import data_dir
from qa_tui.fsutil import atomic_write_bytes

log = logging.getLogger(__name__)
MAX_REMEMBERED = 500


def positions_path() -> Path:
    return data_dir() / "positions.json"


def _read(path: Path) -> dict[str, dict[str, str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        log.warning("%s: ignored (%s)", path, err)
        return {}
    return data if isinstance(data, dict) else {}


def load_position(evaluation_id: str, path: Path | None = None) -> tuple[str, str]:
    """The (section key, field id) last used in this evaluation, or empty strings."""
    entry = _read(path or positions_path()).get(evaluation_id) or {}
    return str(entry.get("section", "")), str(entry.get("focus", ""))


def save_position(evaluation_id: str, section: str, focus: str, path: Path | None = None) -> None:
    """Remember the place (the newest :data:`MAX_REMEMBERED` evaluations are kept)."""
    path = path or positions_path()
    data = _read(path)
    data.pop(evaluation_id, None)
    data[evaluation_id] = {"section": section, "focus": focus}
    while len(data) > MAX_REMEMBERED:
        data.pop(next(iter(data)))
    try:
        atomic_write_bytes(path, json.dumps(data, indent=1).encode("utf-8"))
    except OSError as err:
        log.warning("%s: cannot remember the position (%s)", path, err)
