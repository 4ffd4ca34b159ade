"""The command palette (ctrl+p): every action, and open an evaluation by its case reference."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from qa_tui.tui.text import line
from qa_tui.tui.themes import LABELS

if TYPE_CHECKING:
    from qa_tui.tui.app import QaApp


@dataclass(frozen=True)
class Target:
    """An evaluation the palette can open."""

    id: str
    case_reference: str
    status: str
    team: str
    date: str

    @property
    def text(self) -> str:
        return f"Open evaluation {line(self.case_reference, 40)}"

    @property
    def help(self) -> str:
        from qa_tui.domain.vocab import STATUSES

        status = STATUSES.get(self.status, self.status)
        return line(f"{status} · {self.team or 'no team'} · {self.date or 'no date'}", 80)


def _targets(app: QaApp) -> list[Target]:
    from qa_tui.store.queries import list_evaluations

    ws = app.workspace
    if ws is None:
        return []
    return [
        Target(r.id, r.case_reference, r.status, r.team, r.evaluation_date)
        for r in ws.read(list_evaluations)
    ]


class EvaluationProvider(Provider):
    """Evaluations by case reference (read once when the palette opens, in a thread)."""

    async def startup(self) -> None:
        app: QaApp = self.app  # type: ignore[assignment]
        self._targets = await asyncio.to_thread(_targets, app)

    def _open(self, target: Target) -> None:
        app: QaApp = self.app  # type: ignore[assignment]
        app.open_evaluation(target.id, target.status)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for target in self._targets:
            score = matcher.match(target.text)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(target.text),
                    partial(self._open, target),
                    text=target.text,
                    help=target.help,
                )

    async def discover(self) -> Hits:
        for target in self._targets[:20]:
            yield DiscoveryHit(
                Content(target.text),
                partial(self._open, target),
                text=target.text,
                help=target.help,
            )


def app_commands(app: QaApp) -> list[tuple[str, str, Callable[[], object]]]:
    """(name, help, callback) for every app action the palette offers."""
    commands: list[tuple[str, str, Callable[[], object]]] = [
        ("New evaluation", "Start evaluating a child's case", app.action_new_evaluation),
        (
            "Open evaluation by case reference",
            "Search the evaluations on this laptop",
            app.action_open_by_reference,
        ),
        ("Go home", "The list of evaluations", app.action_go_home),
        ("Help", "Keys and a short how-to for this screen (F1)", app.action_help),
        ("Load demo data", "Fill an empty database with fictional evaluations", app.load_demo),
        (
            "Sync with the central database",
            "Hand over this laptop's work and bring back what it needs (ctrl+y)",
            app.action_open_sync,
        ),
        (
            "Resolve conflicts",
            "Fields changed independently in two places, waiting for a person",
            app.action_open_conflicts,
        ),
    ]
    for setting, label in LABELS.items():
        commands.append(
            (
                f"Switch theme: {label}",
                f"Use the {label.lower()} theme (saved)",
                partial(app.set_theme_setting, setting),
            )
        )
    return commands


class QaCommands(EvaluationProvider):
    """The app's actions; once something is typed, matching evaluations too."""

    async def search(self, query: str) -> Hits:
        app: QaApp = self.app  # type: ignore[assignment]
        matcher = self.matcher(query)
        for name, help_text, callback in app_commands(app):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
        async for hit in super().search(query):
            yield hit

    async def discover(self) -> Hits:
        app: QaApp = self.app  # type: ignore[assignment]
        for name, help_text, callback in app_commands(app):
            yield DiscoveryHit(name, callback, text=name, help=help_text)
