"""Where the user was in each evaluation (section and field), kept in a small JSON file.

A :class:`Positions` belongs to a workspace, which gives it its file (in the settings' data
folder), so two workspaces in one process never share one by accident. Written atomically:
reopening an evaluation returns to the same place. Both methods do file IO: call them from a
worker or the writer thread, never the UI thread.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from qa_tui.fsutil import atomic_write_bytes

log = logging.getLogger(__name__)
MAX_REMEMBERED = 500
FILE_NAME = "positions.json"


class Positions:
    """The places remembered in one file (the newest :data:`MAX_REMEMBERED` evaluations)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, str]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as err:
            log.warning("%s: ignored (%s)", self.path, err)
            return {}
        return data if isinstance(data, dict) else {}

    def load(self, evaluation_id: str) -> tuple[str, str]:
        """The (section key, field id) last used in this evaluation, or empty strings."""
        entry = self._read().get(evaluation_id) or {}
        return str(entry.get("section", "")), str(entry.get("focus", ""))

    def last(self) -> str:
        """The evaluation worked on most recently (the newest saved), or ""."""
        data = self._read()
        return str(next(reversed(data), "")) if data else ""

    def save(self, evaluation_id: str, section: str, focus: str) -> None:
        """Remember the place; a file that cannot be written is logged, never raised."""
        data = self._read()
        data.pop(evaluation_id, None)
        data[evaluation_id] = {"section": section, "focus": focus}
        while len(data) > MAX_REMEMBERED:
            data.pop(next(iter(data)))
        try:
            atomic_write_bytes(self.path, json.dumps(data, indent=1).encode("utf-8"))
        except OSError as err:
            log.warning("%s: cannot remember the position (%s)", self.path, err)
