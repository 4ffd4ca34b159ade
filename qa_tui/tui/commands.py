"""The command palette (ctrl+p): every action, and open an evaluation by its case reference."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.app import App
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.message import Message

from qa_tui.tui.messages import LoadDemo, Navigate, NewEvaluation, OpenEvaluation, RemoveDemo
from qa_tui.tui.text import line
from qa_tui.tui.themes import LABELS

if TYPE_CHECKING:
    from qa_tui.workspace import Workspace


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
        from qa_tui.vocab import STATUSES

        status = STATUSES.get(self.status, self.status)
        return line(f"{status} · {self.team or 'no team'} · {self.date or 'no date'}", 80)


@runtime_checkable
class HasWorkspace(Protocol):
    """What the palette needs of the app: the open workspace (None while it opens)."""

    workspace: Workspace | None


@runtime_checkable
class KnowsItsDatabase(Protocol):
    """What the palette and the screens need to know of the app's database: whether it is a
    central one (None while it opens; then a screen reads it itself)."""

    central: bool | None


def _targets(app: object) -> list[Target]:
    from qa_tui.store.queries import list_evaluations

    ws = app.workspace if isinstance(app, HasWorkspace) else None
    if ws is None:
        return []
    return [
        Target(r.id, r.case_reference, r.status, r.team, r.evaluation_date)
        for r in ws.read(list_evaluations)
    ]


class EvaluationProvider(Provider):
    """Evaluations by case reference (read once when the palette opens, in a thread)."""

    async def startup(self) -> None:
        self._targets = await asyncio.to_thread(_targets, self.app)

    def _open(self, target: Target) -> None:
        self.app.post_message(OpenEvaluation(target.id, target.status))

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


def app_commands(app: App[object]) -> list[tuple[str, str, Callable[[], object]]]:
    """(name, help, callback) for every app action the palette offers: each posts a message
    to the app or runs one of its actions."""
    from qa_tui.tui.places import PLACES

    def post(message: Message) -> Callable[[], object]:
        return partial(app.post_message, message)

    def action(name: str) -> Callable[[], object]:
        return partial(app.run_action, name)

    # A laptop's places on a laptop, the QA desk's on a central database (both while the
    # database opens: each dialog says where it belongs).
    central = app.central if isinstance(app, KnowsItsDatabase) else None
    here = "in the central database" if central else "on this laptop"
    commands: list[tuple[str, str, Callable[[], object]]] = [
        ("New evaluation", "Start evaluating a child's case", post(NewEvaluation())),
        (
            "Open evaluation by case reference",
            f"Search the evaluations {here}",
            action("open_by_reference"),
        ),
        (
            "View summary",
            "The summary of the evaluation open, or highlighted on the list",
            action("view_summary"),
        ),
        ("Go home", "The list of evaluations", action("go_home")),
        ("Help", "Keys and a short how-to for this screen (F1)", action("help")),
        ("Load demo data", "Fill an empty database with fictional evaluations", post(LoadDemo())),
        (
            "Remove demo data",
            "Take every demo evaluation away (your own work is not touched)",
            post(RemoveDemo()),
        ),
    ]
    commands += [
        (p.title, p.help, post(Navigate(p.name))) for p in PLACES.values() if p.offered(central)
    ]
    for setting, label in LABELS.items():
        commands.append(
            (
                f"Switch theme: {label}",
                f"Use the {label.lower()} theme (saved)",
                action(f"use_theme({setting!r})"),
            )
        )
    return commands


HELP_SCORE = 0.05  # a command found by the words of its help: listed after those named so


def in_words(query: str, text: str) -> bool:
    """Whether each word of ``query`` (three letters or more) begins a word of ``text``, or is
    one with an "s" added, whatever the case: "bundle" and "bundles" find "A bundle file of
    this laptop's work"."""
    wanted = query.lower().split()
    if not wanted or any(len(word) < 3 for word in wanted):
        return False
    words = set(re.findall(r"\w+", text.lower()))

    def found(word: str) -> bool:
        return any(w.startswith(word) for w in words) or word.removesuffix("s") in words

    return all(map(found, wanted))


class QaCommands(EvaluationProvider):
    """The app's actions; once something is typed, matching evaluations too."""

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in app_commands(self.app):
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
            elif in_words(query, help_text):  # "bundle" finds the export, named otherwise
                yield Hit(HELP_SCORE, Content(name), callback, text=name, help=help_text)
        async for hit in super().search(query):
            yield hit

    async def discover(self) -> Hits:
        for name, help_text, callback in app_commands(self.app):
            yield DiscoveryHit(name, callback, text=name, help=help_text)
