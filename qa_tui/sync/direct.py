"""Direct sync: push this laptop's work to the central database and pull back what it needs.

The same merge code and guarantees as bundles (:mod:`qa_tui.sync.merge`), in two transactions:
the push commits on the central database, then the pull commits on the laptop. Either can fail
(network gone, server down) without losing anything: a failed push leaves both databases as
they were; a failed pull leaves the push done and is simply retried next time.

What is pushed: this laptop's work not yet acknowledged, with the texts of the templates it
uses that the central database lacks (:mod:`qa_tui.sync.template_texts`). What is pulled: the
full histories of the evaluations this laptop made or this user audits, or in which this user
owns an action — so moderations, resolutions of conflicts and action updates on them come back
— the teams and the templates the QA team published, and the template texts the laptop lacks
(:mod:`qa_tui.sync.reference_data`). Moderation sessions
(another kind of aggregate): every open session that lists this user as a moderator or that
this device made, every session the laptop already holds, and the evaluations those sessions
moderate (:func:`wanted_sessions`), so a session prepared on the QA desk can be carried to a
meeting room on a laptop. Plans (:func:`wanted_plans`): every open plan that allocates a
case to this user or names them in its review group, so allocations reach their laptop.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from qa_tui.clock import utc_stamp
from qa_tui.config import Settings
from qa_tui.errors import StoreError
from qa_tui.store import models
from qa_tui.store.db import Store
from qa_tui.store.migrate import current_revision, open_store
from qa_tui.store.queries import demo_aggregate_ids, demo_evaluation_ids
from qa_tui.store.revisions import head_revision
from qa_tui.store.sync_models import PurgedEvaluation
from qa_tui.sync.acks import acknowledge, unacknowledged
from qa_tui.sync.aggregates import Aggregate, check_aggregate, roots_in_words
from qa_tui.sync.central import central_id, device_lookup
from qa_tui.sync.errors import BundleError, SyncError
from qa_tui.sync.export import iter_aggregates
from qa_tui.sync.merge import merge_aggregates, merge_in_batches
from qa_tui.sync.merge_report import Provenance
from qa_tui.sync.reference_data import pull_reference
from qa_tui.sync.template_texts import Received, checked, keep, lacking, not_shipped, used_by
from qa_tui.sync.wire_values import InvalidRecord, check_change

Tell = Callable[[str], None]  # told how far a sync is, in words


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


@dataclass
class SyncReport:
    """What one direct sync did."""

    central_url: str
    pushed_changes: int = 0
    pulled_evaluations: int = 0
    pulled_changes: int = 0
    templates: int = 0
    teams: int = 0
    acknowledged: int = 0
    moderated: int = 0  # evaluations whose moderation came back in this sync
    demo_left_out: int = 0  # demo evaluations that stayed on this laptop
    plans: int = 0  # plans (allocations) that came back in this sync
    touched: set[str] = field(default_factory=set)
    pushed_kinds: dict[str, int] = field(default_factory=dict)  # aggregates sent, by root type
    templates_sent: int = 0  # template texts the central database lacked, sent with them

    @property
    def pushed_evaluations(self) -> int:
        """Aggregates sent (the wire's "evaluations": plans and sessions too)."""
        return sum(self.pushed_kinds.values())

    def summary(self) -> str:
        """What happened, as a person would say it."""
        if self.pushed_evaluations:
            sent = f"{roots_in_words(self.pushed_kinds)} sent to "
            sent += f"the QA team ({_count(self.pushed_changes, 'change', 'changes')})"
        else:
            sent = "Nothing new to send to the QA team"
        parts = [sent]
        if self.templates_sent:
            parts.append(_count(self.templates_sent, "template text", "template texts") + " sent")
        if self.moderated:
            parts.append(f"{self.moderated} came back with moderation")
        if self.plans:
            parts.append(f"{_count(self.plans, 'plan', 'plans')} with allocations updated")
        other = self.pulled_evaluations - self.moderated - self.plans
        if other > 0:
            parts.append(
                f"{_count(other, 'evaluation', 'evaluations')} came back with changes "
                "(actions, resolved conflicts)"
            )
        if self.templates:
            parts.append(f"{_count(self.templates, 'new template', 'new templates')} to use")
        if self.teams:
            parts.append(_count(self.teams, "team update", "team updates"))
        if self.demo_left_out:
            demo = _count(self.demo_left_out, "demo evaluation", "demo evaluations")
            parts.append(f"{demo} stayed on this laptop (demo data is never sent)")
        return "; ".join(parts)


def validated(aggregates: Iterable[Aggregate]) -> Iterator[Aggregate]:
    """Check aggregates read from another database as strictly as a bundle's."""
    for aggregate in aggregates:
        try:
            for change in aggregate.changes:
                check_change(change)
            yield check_aggregate(aggregate)
        except InvalidRecord as exc:
            raise BundleError(
                f"invalid record in evaluation {aggregate.evaluation_id}: {exc}"
            ) from None


def _unreachable(url: str, reason: str) -> SyncError:
    return SyncError(
        f"central database {url} is not reachable ({reason}); nothing was changed — "
        "your work is safe on this laptop, try again later"
    )


def open_central(url: str, device_id: str) -> tuple[Store, str]:
    """Open the central database and check this device may sync with it."""
    from sqlalchemy.engine import make_url

    shown = make_url(url).render_as_string(hide_password=True) if "://" in url else url
    try:
        store = open_store(url, create=False, migrate=False)
        with store.reader() as session:
            revision = current_revision(session.connection())
            if revision != head_revision():
                raise SyncError(
                    f"central database {shown} has schema {revision}, this qa-tui {head_revision()}"
                    "; both must run the same qa-tui version"
                )
            central = central_id(session)
            try:
                device_lookup(session, "sync")(device_id)
            except BundleError:
                raise SyncError(
                    f"this laptop (device {device_id}) is not enrolled with {shown} or was "
                    "revoked; ask the QA team to enrol it (qa-tui keys show prints its key)"
                ) from None
    except (StoreError, DBAPIError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        raise _unreachable(shown, reason[0] if reason else type(exc).__name__) from None
    return store, central


def _push(
    laptop: Store, central: Store, device_id: str, report: SyncReport, tell: Tell | None
) -> None:
    with laptop.reader() as local:
        demo = demo_aggregate_ids(local)
        report.demo_left_out = len(demo_evaluation_ids(local))
        ids = [i for i in unacknowledged(local) if i not in demo]
        if not ids:
            return
        sent = [0]

        def committed(count: int) -> None:
            sent[0] += count
            if tell:
                tell(f"Sending to the QA team: {sent[0]} of {len(ids)}")

        source = Provenance(str(uuid.uuid4()), "sync", device_id, 0, head_revision(), utc_stamp())
        with central.reader() as remote:
            device_lookup(remote, "direct sync")(device_id)
        # First the texts of the templates of this laptop's own they use that the central
        # database lacks, checked as a bundle's are (a text that is not what it claims stays
        # behind).
        with central.session() as remote:
            received = Received([], [])
            for text in lacking(remote, not_shipped(used_by(local, ids))):
                checked(text, received)
            report.templates_sent = len(keep(remote, received.texts))
        # In short batches, as a bundle is: a big push never keeps others off the central
        # database; one cut short is completed by the next sync (nothing acknowledged yet).
        if tell:
            tell(f"Sending to the QA team: 0 of {len(ids)}")
        merged = merge_in_batches(
            central,
            validated(iter_aggregates(local, ids)),
            source,
            utc_stamp(),
            committed=committed,
        )
    report.pushed_changes = merged.new_changes
    report.pushed_kinds = merged.touched_kinds()
    report.touched.update(ids)


def _counts(session: Session, ids: list[str]) -> dict[str, int]:
    query = (
        select(models.Change.evaluation_id, func.count())
        .where(models.Change.evaluation_id.in_(ids))
        .group_by(models.Change.evaluation_id)
    )
    return {k: v for k, v in session.execute(query)}


def wanted_evaluations(remote: Session, device_id: str, author: str) -> list[str]:
    """Evaluations on the central database this laptop should hold offline: those it made,
    those its user audits, those with an action its user owns. Three queries: the first two
    read from an index alone (migration 0025; one with ``OR`` read every evaluation's row it
    found, on SQLite, and before 0025 every evaluation the central database holds), the third
    through the actions' owner index."""
    e = models.Evaluation
    made = select(e.id).where(e.created_device == device_id)
    audited = select(e.id).where(e.auditor == author)
    owned = select(models.Action.evaluation_id).where(
        models.Action.owner == author, models.Action.deleted.is_(False)
    )
    found: set[str] = set()
    for query in (made, audited, owned):
        found.update(remote.scalars(query))
    return sorted(found)


def wanted_sessions(
    remote: Session, device_id: str, author: str, held: Iterable[str] = ()
) -> tuple[list[str], list[str]]:
    """Moderation sessions on the central database this laptop should hold, and the
    evaluations they moderate: ``(session ids, evaluation ids)``.

    A session is wanted while it is open and lists this user as a moderator (names compared
    ignoring case) or was made on this device, and always once the laptop holds it (``held``),
    so that closing it, and what other laptops recorded, come back too.
    """
    open_ids = set(
        remote.scalars(
            select(models.ModerationSession.id).where(
                models.ModerationSession.status == "open", ~models.ModerationSession.deleted
            )
        )
    )
    made_here = set(
        remote.scalars(
            select(models.ModerationSession.id).where(
                models.ModerationSession.created_device == device_id
            )
        )
    )
    me = author.casefold().strip()
    listed = {
        session_id
        for session_id, name in remote.execute(
            select(models.SessionModerator.session_id, models.SessionModerator.name).where(
                ~models.SessionModerator.deleted
            )
        )
        if me and name.casefold().strip() == me
    }
    known = set(remote.scalars(select(models.ModerationSession.id)))
    sessions = sorted((open_ids & (listed | made_here)) | (set(held) & known))
    evaluations: set[str] = set()
    for start in range(0, len(sessions), 500):
        evaluations.update(
            remote.scalars(
                select(models.Moderation.evaluation_id).where(
                    models.Moderation.session_id.in_(sessions[start : start + 500]),
                    ~models.Moderation.deleted,
                )
            )
        )
    return sessions, sorted(evaluations)


def wanted_plans(
    remote: Session, device_id: str, author: str, held: Iterable[str] = ()
) -> list[str]:
    """Plans (practice days, dip samples, thematic evaluations) this laptop should hold.

    A plan is wanted while it is not closed and allocates a case to this user, names them in
    its review group (names compared ignoring case and spacing), or was made on this device;
    and always once the laptop holds it, so what the desk and other laptops recorded (a
    reallocation, closing it) comes back too.
    """
    me = " ".join(author.split()).casefold()
    p, a, m = models.Plan, models.Allocation, models.PlanMember
    live = set(remote.scalars(select(p.id).where(~p.deleted, p.status != "closed")))
    made_here = set(remote.scalars(select(p.id).where(p.created_device == device_id)))
    named: set[str] = set()
    if me:
        for query in (
            select(a.plan_id, a.reviewer).where(~a.deleted),
            select(m.plan_id, m.name).where(~m.deleted),
        ):
            named.update(
                plan_id
                for plan_id, name in remote.execute(query)
                if " ".join(name.split()).casefold() == me
            )
    known = set(remote.scalars(select(p.id)))
    return sorted((live & (named | made_here)) | (set(held) & known))


def _pull(
    laptop: Store, central: Store, central_ref: str, author: str, device_id: str, report: SyncReport
) -> None:
    with central.reader() as remote, laptop.session() as local:
        purged = set(local.scalars(select(PurgedEvaluation.evaluation_id)))
        held = local.scalars(select(models.ModerationSession.id))
        sessions, moderated = wanted_sessions(remote, device_id, author, held)
        evaluations = set(wanted_evaluations(remote, device_id, author)) | set(moderated)
        plans = wanted_plans(remote, device_id, author, local.scalars(select(models.Plan.id)))
        wanted = sorted(e for e in evaluations if e not in purged) + sessions + plans
        theirs, ours = _counts(remote, wanted), _counts(local, wanted)
        todo = [e for e in wanted if theirs.get(e, 0) != ours.get(e, 0)]
        reference = pull_reference(remote, local)
        report.templates, report.teams = reference.templates, reference.teams
        if todo:
            source = Provenance(
                str(uuid.uuid4()), "sync", central_ref, 0, head_revision(), utc_stamp()
            )
            moderated_before = _moderated(local, todo)
            merged = merge_aggregates(
                local, validated(iter_aggregates(remote, todo)), source, utc_stamp()
            )
            report.pulled_evaluations = merged.touched
            report.pulled_changes = merged.new_changes
            report.moderated = len(_moderated(local, todo) - moderated_before)
            report.plans = len(set(plans) & set(todo))
            report.touched.update(todo)
        report.acknowledged = acknowledge(
            local, central_ref, sorted(report.touched), utc_stamp(), held=remote
        )
        record_last_sync(local, report)


def _moderated(session: Session, ids: list[str]) -> set[str]:
    """Which of these evaluations hold a moderation."""
    found: set[str] = set()
    for start in range(0, len(ids), 500):
        query = select(models.Moderation.evaluation_id).where(
            models.Moderation.evaluation_id.in_(ids[start : start + 500])
        )
        found.update(session.scalars(query))
    return found


LAST_SYNC = "last_sync"  # meta key: when this database last synced, where, and what happened


def record_last_sync(session: Session, report: SyncReport) -> None:
    """Keep the last sync in the laptop's database (the app's Sync screen shows it, whether
    it ran there or from the command line)."""
    from sqlalchemy.engine import make_url

    url = report.central_url
    shown = make_url(url).render_as_string(hide_password=True) if "://" in url else url
    value = json.dumps({"at": utc_stamp(), "central": shown, "summary": report.summary()})
    row = session.get(models.Meta, LAST_SYNC)
    if row is None:
        session.add(models.Meta(key=LAST_SYNC, value=value))
    else:
        row.value = value


@dataclass(frozen=True)
class LastSync:
    """The last sync this database made (see :func:`record_last_sync`)."""

    at: str
    central: str
    summary: str


def last_sync(session: Session) -> LastSync | None:
    """The last sync recorded here, or None if this database never synced."""
    row = session.get(models.Meta, LAST_SYNC)
    if row is None:
        return None
    try:
        data = json.loads(row.value)
        return LastSync(str(data["at"]), str(data["central"]), str(data["summary"]))
    except (ValueError, KeyError, TypeError):
        return None


def sync_now(
    store: Store, settings: Settings, central_url: str | None = None, tell: Tell | None = None
) -> SyncReport:
    """Push this laptop's work in ``store``, pull back what it needs; one-line errors.

    ``settings`` name the laptop (device id, author) and the central database unless
    ``central_url`` is given. Raises :class:`SyncError` when no central database is configured
    or it cannot be reached (nothing is lost: retry later). ``tell(text)`` hears how far a
    long sync is ("Sending to the QA team: 40 of 120", then "Bringing back …").
    """
    url = central_url or settings.central_db_url
    if not url:
        raise SyncError(
            "no central database configured: set central_db_url in the settings "
            "or pass --central URL"
        )
    central, central_ref = open_central(url, settings.device_id)
    report = SyncReport(url)
    try:
        _push(store, central, settings.device_id, report, tell)
        if tell:
            tell("Bringing back what this laptop needs")
        _pull(store, central, central_ref, settings.author, settings.device_id, report)
    except StoreError as exc:
        raise SyncError(f"sync stopped: {exc}; nothing was lost, try again later") from None
    finally:
        central.dispose()
    return report
