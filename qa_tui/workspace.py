"""A workspace: one open database, the settings, the templates and who is working.

The CLI and the TUI both work through a :class:`Workspace`; it holds no state of its own beyond
these handles, and every operation opens its own short transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from qa_tui.clock import Clock, utc_now
from qa_tui.config import Settings, default_db_url
from qa_tui.errors import QaError, TemplateError
from qa_tui.framework.loader import TemplateRegistry, custom_template_dir
from qa_tui.framework.model import Template
from qa_tui.positions import FILE_NAME, Positions
from qa_tui.store import models
from qa_tui.store.db import Store
from qa_tui.store.history import Actor, read_clock
from qa_tui.store.migrate import open_store

T = TypeVar("T")
P = ParamSpec("P")


@dataclass
class Workspace:
    settings: Settings
    store: Store
    templates: TemplateRegistry
    clock: Clock = field(default=utc_now)
    positions: Positions = field(init=False)

    def __post_init__(self) -> None:
        self.positions = Positions(self.settings.data_dir / FILE_NAME)

    @property
    def actor(self) -> Actor:
        return Actor(self.settings.author, self.settings.device_id, self.clock)

    def write(
        self, fn: Callable[Concatenate[Session, Actor, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn(session, actor, *args, **kwargs)`` in one transaction (the arguments are
        checked against ``fn``'s signature by the type checker)."""
        with self.store.session() as session:
            return fn(session, self.actor, *args, **kwargs)

    def read(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run ``fn(session, *args, **kwargs)`` without committing anything."""
        with self.store.reader() as session:
            return fn(session, *args, **kwargs)

    def written_since(self, clock: int | None) -> bool:
        """Whether anything was written to the database since its clock read ``clock``
        (every write ticks it: this device's, a merge, another desk's); True when the clock
        cannot be read, so a screen asking reads its data again rather than show stale."""
        try:
            return self.read(read_clock) != clock
        except QaError:
            return True

    def template_for(self, evaluation: models.Evaluation) -> Template:
        """The exact template (id, version) an evaluation was made with."""
        template = self.templates.get(
            evaluation.template_id, evaluation.template_version, evaluation.template_hash
        )
        if template is None:
            with self.store.reader() as session:
                snap = session.get(models.TemplateSnapshot, evaluation.template_hash)
                if snap is not None:
                    return self.templates.add_snapshot(snap.source_text)
            raise TemplateError(
                f"Template {evaluation.template_id} version {evaluation.template_version} "
                "is not available on this device"
            )
        return template

    def close(self) -> None:
        self.store.dispose()


def load_registry(settings: Settings) -> TemplateRegistry:
    """The built-in templates plus the custom ones next to the settings file."""
    return TemplateRegistry(custom_template_dir(settings.config_path.parent))


def open_workspace(
    settings: Settings, db_url: str | None = None, clock: Clock = utc_now, *, create: bool = True
) -> Workspace:
    """Open (upgrading, and with ``create`` creating) the database and load templates."""
    store = open_store(db_url or default_db_url(settings.data_dir), create=create)
    registry = load_registry(settings)
    add_published(store, registry)
    return Workspace(settings, store, registry, clock)


def add_published(store: Store, registry: TemplateRegistry) -> None:
    """Make the templates the QA team published (copied here by sync) usable for new work."""
    register_published(registry, read_published(store))


def read_published(store: Store) -> list[Template | str]:
    """The published templates in the database, parsed, oldest first; a text that no longer
    validates is its one-line reason instead. Safe to run off the UI thread."""
    from sqlalchemy import select

    from qa_tui.framework.loader import load_template_text

    with store.reader() as session:
        published = session.scalars(
            select(models.TemplateSnapshot)
            .where(models.TemplateSnapshot.published_at.is_not(None))
            .order_by(models.TemplateSnapshot.published_at)
        ).all()
        texts = [(s.template_id, s.version, s.source_text) for s in published]
    out: list[Template | str] = []
    for template_id, version, text in texts:
        try:
            out.append(load_template_text(text, f"<published template {template_id} {version}>"))
        except TemplateError as err:
            out.append(str(err))
    return out


def register_published(registry: TemplateRegistry, published: list[Template | str]) -> None:
    """Register what :func:`read_published` found. One already installed here is skipped; one
    that clashes with an installed id and version, or does not validate, is left out and its
    reason joins ``registry.errors``."""
    for template in published:
        if isinstance(template, str):
            registry.errors.append(template)
        elif registry.by_hash(template.content_hash) is None:
            try:
                registry.add(template)
            except TemplateError as err:
                registry.errors.append(str(err))
