"""The in-memory recorder of demo changes, and one evaluation being generated."""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass, field
from typing import Any

from qa_tui.clock import stamp
from qa_tui.demo.ids import timed_uuid
from qa_tui.demo.text import Who
from qa_tui.framework.model import Item, Template
from qa_tui.ids import id_at
from qa_tui.store.change_log import Link
from qa_tui.store.entities import CREATE
from qa_tui.store.history import dumps

FIRST_DAY = dt.date(2025, 12, 1)  # evaluations are spread over the year from here
DAYS = 354
TODAY = FIRST_DAY + dt.timedelta(days=DAYS)  # "today" for the demo: overdue is before this
# The day the laptops got the current built-in templates: evaluations before it were made with
# the versions before them (builtin/previous/), and still open with those.
UPGRADE_DAY = dt.date(2026, 6, 1)
BATCH = 500
# What canonical JSON escapes in a string (ensure_ascii off): quotes, backslashes, controls.
_ESCAPED = re.compile(r'[\x00-\x1f\\"]')
_FLAGS = {True: "true", False: "false"}


def _dumps(value: Any) -> str:
    """:func:`qa_tui.store.history.dumps`, with the demo's commonest values (plain text, flags,
    nothing) written directly: the same text, a fraction of the time."""
    kind = type(value)
    if kind is str and _ESCAPED.search(value) is None:
        return f'"{value}"'
    if kind is bool:
        return _FLAGS[value]
    if value is None:
        return "null"
    return dumps(value)


class Recorder:
    """Changes and links as dicts, made as :func:`record_change` would make them."""

    def __init__(self, counter: int) -> None:
        self.counter = counter
        self.changes: list[dict[str, Any]] = []
        self.links: list[Link] = []  # (aggregate, change, superseded)
        self._heads: dict[tuple[str, str], tuple[str, str]] = {}  # (change id, JSON)
        self.rng = random.Random(0)
        self._at = ("", 0)  # the last wall time read, and its Unix time in milliseconds

    def _millis(self, at: str) -> int:
        """The Unix time in milliseconds of a wall time (consecutive changes often share one),
        as :func:`qa_tui.ids.id_for_moment` reads a moment."""
        if at != self._at[0]:
            self._at = (at, int(dt.datetime.fromisoformat(at).timestamp() * 1000))
        return self._at[1]

    def set(
        self, who: Who, etype: str, entity_id: str, eval_id: str, name: str, value: Any, at: str
    ) -> None:
        """Record ``name = value`` on a record (nothing if it already has that value)."""
        head = self._heads.get((entity_id, name))
        text = _dumps(value)
        if head is not None and head[1] == text:
            return
        self.counter += 1
        change_id = id_at(self._millis(at), self.rng.getrandbits(128))  # as timed_uuid
        self.changes.append(
            {
                "id": change_id,
                "entity_type": etype,
                "entity_id": entity_id,
                "evaluation_id": eval_id,
                "field": name,
                "value": text,
                "old_value": head[1] if head else None,
                "supersedes": f'["{head[0]}"]' if head else "[]",
                "author": who.name,
                "device_id": who.device,
                "counter": self.counter,
                "wall_time": at,
                "bundle_id": None,
            }
        )
        if head is not None:
            self.links.append((eval_id, change_id, head[0]))
        self._heads[(entity_id, name)] = (change_id, text)

    def current(self, entity_id: str, name: str) -> Any:
        """The value last recorded for a field in this batch (None if none was)."""
        head = self._heads.get((entity_id, name))
        return json.loads(head[1]) if head else None

    def clear(self) -> None:
        self.changes, self.links, self._heads = [], [], {}


@dataclass
class Case:
    """One evaluation being generated: who, what, when, and how good the practice is."""

    rng: random.Random
    rec: Recorder
    template: Template
    auditor: Who
    eval_id: str  # time first, as the app makes one (qa_tui.ids)
    seed: str  # what this evaluation's own draws are seeded by (ids.timed_and_seed)
    moment: dt.datetime
    date: dt.date
    level: str  # "high", "middle" or "low": the quality of the practice evaluated
    grade_index: int  # index into the template's grades, best first
    status: str  # draft, completed or reopened
    practitioner: str = ""
    participants: list[tuple[str, str]] = field(default_factory=list)  # (id, level)
    reached: int = 5  # how many stages of the case's journey it has reached (STAGE_ORDER)

    def now(self, seconds: int = 20) -> str:
        self.moment += dt.timedelta(seconds=seconds)
        return stamp(self.moment)

    def create(
        self,
        etype: str,
        fixed: dict[str, Any],
        values: dict[str, Any],
        entity_id: str | None = None,
    ) -> str:
        entity_id = entity_id or timed_uuid(self.moment, self.rng)
        self.rec.set(self.auditor, etype, entity_id, self.eval_id, CREATE, fixed, self.now())
        for name, value in values.items():
            self.rec.set(self.auditor, etype, entity_id, self.eval_id, name, value, self.now())
        return entity_id

    def set(self, etype: str, entity_id: str, name: str, value: Any, seconds: int = 20) -> None:
        self.rec.set(self.auditor, etype, entity_id, self.eval_id, name, value, self.now(seconds))

    def not_reached(self, item: Item) -> bool:
        """Whether the case has not yet reached the stage ``item`` judges."""
        from qa_tui.demo.text import STAGE_ORDER

        stage = item.id.removesuffix("_judgement")
        return stage in STAGE_ORDER and STAGE_ORDER.index(stage) >= self.reached

    def say(self, bank: tuple[str, ...], k: int = 1) -> str:
        return " ".join(self.rng.sample(bank, min(k, len(bank))))
