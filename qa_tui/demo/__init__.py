"""Fictional, realistic demo data, deterministic per seed (``qa-tui demo``).

The same seed gives the same case references, texts, grades, ids and timestamps: everything is
drawn from one :class:`random.Random`, and times are derived from a fixed calendar, never the
wall clock. Changes are built as plain dicts by a small recorder that follows the rules of
:func:`qa_tui.store.history.record_change` (one ``_create`` change per record, one change per
field, later edits superseding the previous change), then written in batches with
:func:`qa_tui.store.bulk.insert_new`, so the history is real and the stored state is exactly
what it derives.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import delete, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from qa_tui.demo import text as txt
from qa_tui.demo.cases import _start_case, make_evaluation
from qa_tui.demo.moderated import moderate
from qa_tui.demo.recorder import BATCH, DAYS, FIRST_DAY, UPGRADE_DAY, Recorder
from qa_tui.demo.text import BUILTIN_IDS, Organisation
from qa_tui.domain.evaluation import remember_template
from qa_tui.errors import QaError, StoreError
from qa_tui.framework.model import Template
from qa_tui.store import models
from qa_tui.store.bulk import indexes_deferred, insert_new, restore_indexes
from qa_tui.store.db import describe_db_error
from qa_tui.store.entities import CREATION_ORDER, ENTITY_TYPES
from qa_tui.store.history import advance_clock, max_counter, read_clock
from qa_tui.store.queries import DEMO_CASE_LIST
from qa_tui.workspace import Workspace

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

# Every record kind that belongs to an evaluation, children before parents (a kind added
# later is included by being registered).
CHILD_MODELS: tuple[Any, ...] = tuple(
    ENTITY_TYPES[name].model
    for name in reversed(CREATION_ORDER)
    if ENTITY_TYPES[name].model is not models.Evaluation
    and hasattr(ENTITY_TYPES[name].model, "evaluation_id")
)


def demo_templates(ws: Workspace) -> list[Template]:
    """The built-in templates if present, else every template the workspace knows."""
    found = [t for t in (ws.templates.get(i) for i in BUILTIN_IDS) if t is not None]
    found = found or ws.templates.latest()
    if not found:
        raise QaError("No templates are available to make demo evaluations with")
    return found


def earlier_versions(ws: Workspace, templates: list[Template]) -> dict[str, Template]:
    """For each template, the version shipped before it (``builtin/previous/``), if any: the
    demo's evaluations before :data:`UPGRADE_DAY` were made with it."""
    current = {t.id: t for t in templates}
    earlier: dict[str, Template] = {}
    for template in ws.templates.previous():  # oldest version first: the newest one stays
        if template.id in current and template.version != current[template.id].version:
            earlier[template.id] = template
    return earlier


def _version(template: Template, earlier: dict[str, Template], day: dt.date) -> Template:
    return earlier.get(template.id, template) if day < UPGRADE_DAY else template


class _Writer:
    """Writes the batches, each in one transaction whose commit (on SQLite: the WAL written
    and synced, then copied into the database) runs in a thread while the next batch is made.

    The thread only waits on the database (the driver lets go of Python while it commits);
    one batch at a time: the next is written once the previous is committed.
    """

    def __init__(
        self, ws: Workspace, templates: list[Template], progress: Callable[[int], object] | None
    ) -> None:
        self.ws, self.templates, self.progress = ws, templates, progress
        self._thread: threading.Thread | None = None
        self._failed: BaseException | None = None
        self._committing = 0  # evaluations in the commit under way

    def write(self, rec: Recorder, ids: list[str]) -> None:
        """Insert the recorder's changes and what they derive, and start their commit."""
        self.wait()
        session = Session(self.ws.store.engine, expire_on_commit=False)
        try:
            session.begin()
            self._insert(session, rec, ids)
            session.flush()
        except BaseException as exc:
            session.rollback()
            session.close()
            if isinstance(exc, DBAPIError):
                raise StoreError(describe_db_error(self.ws.store.url, exc)) from exc
            raise
        rec.clear()
        self._committing = len(ids)
        self._thread = threading.Thread(target=self._commit, args=(session,), name="demo-commit")
        self._thread.start()

    def _insert(self, session: Session, rec: Recorder, ids: list[str]) -> None:
        e = models.Evaluation
        if session.scalar(select(func.count()).select_from(e).where(e.id.in_(ids))):
            raise StoreError("Demo data would reuse existing record ids; try another --seed")
        for template in self.templates:
            remember_template(session, template)
        if self.ws.store.dialect == "sqlite":  # random ids: a big cache keeps index inserts fast
            session.connection().exec_driver_sql("PRAGMA cache_size=-262144")
        insert_new(session, rec.changes, rec.links)
        advance_clock(session, rec.counter)

    def _commit(self, session: Session) -> None:
        try:
            session.commit()
        except BaseException as exc:  # raised in the main thread by wait()
            self._failed = exc
            session.rollback()
        finally:
            session.close()

    def join(self) -> None:
        """Wait for the commit under way, if any (raising nothing)."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wait(self) -> None:
        """Wait for the commit under way; raise its error, or tell the progress of it."""
        self.join()
        failed, self._failed = self._failed, None
        if isinstance(failed, DBAPIError):
            raise StoreError(describe_db_error(self.ws.store.url, failed)) from failed
        if failed is not None:
            raise failed
        if self._committing and self.progress is not None:
            self.progress(self._committing)
        self._committing = 0


def _start(ws: Workspace, seed: int) -> tuple[random.Random, int]:
    """The generator (a fresh database gets exactly ``seed``) and the clock to count from."""
    with ws.store.reader() as session:
        existing = session.scalar(select(func.count()).select_from(models.Evaluation)) or 0
        clock = max(read_clock(session), max_counter(session))
    return random.Random(seed if not (existing or clock) else f"{seed}/{existing}/{clock}"), clock


def generate(
    ws: Workspace, count: int, seed: int, progress: Callable[[int], object] | None = None
) -> int:
    """Add ``count`` fictional evaluations to the workspace's database; returns how many.

    ``progress`` is told how many more evaluations are written after each batch. Into an
    empty SQLite database the rows go with the secondary indexes built once at the end
    (:func:`qa_tui.store.bulk.indexes_deferred`), which keeps 100,000 evaluations practical.
    """
    with ws.store.session() as session:
        restore_indexes(session)  # a run cut short before this one
    rng, clock = _start(ws, seed)
    fresh = clock == 0
    with (
        _collector_paused(),
        indexes_deferred(ws.store) if fresh else contextlib.nullcontext(),
    ):
        _generate(ws, count, rng, clock, progress)
    _add_teams(ws)
    return count


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the data is made, and one collection after.

    A batch is hundreds of thousands of dicts (changes, rows) alive at once, freed by their
    reference counts when it is written (none is in a cycle); the collector, started by
    allocations, would walk them all again and again: 13% of the time at 3,000 evaluations.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()


def _generate(
    ws: Workspace,
    count: int,
    rng: random.Random,
    clock: int,
    progress: Callable[[int], object] | None,
) -> None:
    org = Organisation(rng, ws.settings.case_reference_pattern)
    templates = demo_templates(ws)
    rec = Recorder(clock)
    rec.rng = random.Random(rng.getrandbits(64))
    days = sorted(FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS)) for _ in range(count))
    builtin = tuple(t.id for t in templates) == BUILTIN_IDS
    weights = txt.TEMPLATE_WEIGHTS if builtin else (1,) * len(templates)
    earlier = earlier_versions(ws, templates)
    templates = [*templates, *earlier.values()]  # every version used is remembered
    ids: list[str] = []
    made: set[str] = set()
    writer = _Writer(ws, templates, progress)
    try:
        for day in days:
            template = _version(rng.choices(templates[: len(weights)], weights)[0], earlier, day)
            case = _start_case(rng, rec, org, template, day)
            make_evaluation(case, org)
            moderate(case)
            ids.append(case.eval_id)
            made.add(case.eval_id)
            if len(ids) == BATCH:
                writer.write(rec, ids)
                ids = []
        if ids:
            writer.write(rec, ids)
        writer.wait()
    finally:
        writer.join()  # never a commit left running behind
    _add_sessions(ws, rec, templates, made, rng.getrandbits(64))
    _add_programme(ws, rec, org, made, rng.getrandbits(64))


def _add_sessions(
    ws: Workspace, rec: Recorder, templates: list[Template], made: set[str], seed: int
) -> None:
    """The moderation group's monthly sessions over the evaluations just made."""
    from qa_tui.demo.sessions import add_sessions

    with ws.store.session() as session:
        add_sessions(session, rec, templates, made, seed)
        insert_new(session, rec.changes, rec.links)
        advance_clock(session, rec.counter)
    rec.clear()


def _add_programme(
    ws: Workspace, rec: Recorder, org: Organisation, made: set[str], seed: int
) -> None:
    """The programme: a case list, plans with allocations (some to this laptop's user), the
    board's meetings and systemic actions (once per database)."""
    from qa_tui.demo.programme import add_programme

    me = ws.settings.auditor_name.strip()
    with ws.store.session() as session:
        if add_programme(session, rec, org, made, me, seed):
            insert_new(session, rec.changes, rec.links)
            advance_clock(session, rec.counter)
    rec.clear()


def _add_teams(ws: Workspace) -> None:
    """The demo authority's teams, as a sync from its central database would bring them."""
    import uuid

    with ws.store.session() as session:
        if session.scalar(select(func.count()).select_from(models.Team)):
            return
        for area, (_prefix, _suffix, teams) in txt.SERVICE_AREAS.items():
            for team in teams:
                session.add(
                    models.Team(
                        id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"qa-tui-demo-team:{team}")),
                        name=team,
                        service_area=area,
                        retired=False,
                        updated_at="2025-12-01T09:00:00.000+00:00",
                    )
                )


@dataclass(frozen=True)
class Removed:
    """What :func:`remove_demo` took away."""

    evaluations: int
    teams: int
    programme: int = 0  # plans, board meetings and systemic actions
    cases: int = 0  # of the demo's case list

    def summary(self) -> str:
        noun = "evaluation" if self.evaluations == 1 else "evaluations"
        text = f"{self.evaluations} demo {noun} removed"
        if self.programme:
            text += f", the demo programme ({self.programme} plans, board meetings and actions)"
        if self.cases:
            text += f", the demo case list ({self.cases} cases)"
        if self.teams:
            text += f", and the {self.teams} demo teams"
        return text


def demo_team_ids() -> set[str]:
    """The ids :func:`_add_teams` gives the demo authority's teams (the same on every laptop)."""
    import uuid

    return {
        str(uuid.uuid5(uuid.NAMESPACE_URL, f"qa-tui-demo-team:{team}"))
        for _prefix, _suffix, teams in txt.SERVICE_AREAS.values()
        for team in teams
    }


def remove_demo(session: Session) -> Removed:
    """Remove every demo evaluation, demo moderation session and the demo programme (plans,
    board meetings, systemic actions) — their records and their whole history — and the demo
    teams and case list, in the caller's transaction. Real work is untouched: only
    what is marked demo goes.

    A hard delete, unlike a user's deletion (a change like any other): demo data is fictional
    and never handed over, so there is nothing for a merge to reconcile.
    """
    from qa_tui.store.queries import demo_evaluation_ids

    ids = demo_evaluation_ids(session)
    for chunk in _chunks(ids):
        _forget_history(session, chunk)
        for model in CHILD_MODELS:  # children first: their foreign keys name the evaluation
            session.execute(delete(model).where(model.evaluation_id.in_(chunk)))
        session.execute(delete(models.Evaluation).where(models.Evaluation.id.in_(chunk)))
    s = models.ModerationSession
    for chunk in _chunks(sorted(session.scalars(select(s.id).where(s.demo)))):
        _forget_history(session, chunk)
        for part in (models.SessionModerator, models.BlindGrade):
            session.execute(delete(part).where(part.session_id.in_(chunk)))
        session.execute(delete(s).where(s.id.in_(chunk)))
    programme = remove_programme(session)
    teams = session.execute(delete(models.Team).where(models.Team.id.in_(demo_team_ids())))
    listed = session.execute(
        delete(models.CaseRecord).where(models.CaseRecord.imported_at == DEMO_CASE_LIST)
    )
    return Removed(
        len(ids),
        cast("CursorResult[Any]", teams).rowcount or 0,
        programme,
        cast("CursorResult[Any]", listed).rowcount or 0,
    )


def remove_programme(session: Session) -> int:
    """The demo's plans (with their review groups and allocations), board meetings and
    systemic actions (with their updates), and their history; returns how many roots."""
    from qa_tui.store.queries import demo_programme_present

    ids = demo_programme_present(session)
    if not ids:
        return 0
    _forget_history(session, ids)
    for part in (models.PlanMember, models.Allocation):
        session.execute(delete(part).where(part.plan_id.in_(ids)))
    u = models.BoardActionUpdate
    session.execute(delete(u).where(u.action_id.in_(ids)))
    for root in (models.Plan, models.BoardMeeting, models.BoardAction):
        session.execute(delete(root).where(root.id.in_(ids)))
    return len(ids)


def _chunks(ids: list[str]) -> list[list[str]]:
    return [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]


def _forget_history(session: Session, aggregate_ids: list[str]) -> None:
    """Delete these aggregates' changes, field states and sync bookkeeping."""
    from qa_tui.store.sync_models import PurgedEvaluation, SyncAck

    link = models.ChangeLink
    session.execute(delete(link).where(link.evaluation_id.in_(aggregate_ids)))
    session.execute(delete(models.Change).where(models.Change.evaluation_id.in_(aggregate_ids)))
    state = models.FieldState
    session.execute(delete(state).where(state.evaluation_id.in_(aggregate_ids)))
    for table in (SyncAck, PurgedEvaluation):
        session.execute(delete(table).where(table.evaluation_id.in_(aggregate_ids)))


def ensure_demo(ws: Workspace, count: int = 40, seed: int = 1) -> bool:
    """Fill an empty database with demo data (first run); False if it already holds some."""
    with ws.store.reader() as session:
        if session.scalar(select(func.count()).select_from(models.Evaluation)):
            return False
    generate(ws, count, seed)
    return True
