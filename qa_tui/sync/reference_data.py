"""Reference data the QA team keeps on the central database: teams and published templates.

The central copy is authoritative. The QA team adds and retires teams and publishes templates
there (``qa-tui central team …``, ``qa-tui central template publish``); a direct sync copies
them to the laptop, which never edits them, so a laptop offline on a practice day can still
offer the team list and the QA team's own templates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.clock import utc_stamp
from qa_tui.domain import input_checks as v
from qa_tui.domain.evaluation import remember_template
from qa_tui.errors import NotFoundError, ValidationError
from qa_tui.framework.model import Template
from qa_tui.store import models
from qa_tui.store.queries import list_teams
from qa_tui.sync.central import central_id

# --- teams -----------------------------------------------------------------------------------


def _team_by_name(session: Session, name: str) -> models.Team | None:
    wanted = name.strip().casefold()
    return next((t for t in list_teams(session, True) if t.name.casefold() == wanted), None)


def add_team(session: Session, name: str, service_area: str = "") -> models.Team:
    """A new team on the central database (a retired team of the same name comes back)."""
    central_id(session)
    clean = v.text(name, "Team", "team", short=True).strip()
    area = v.text(service_area, "Service area", "service_area", short=True).strip()
    if not clean:
        raise ValidationError("Team: give the team a name", field="team")
    existing = _team_by_name(session, clean)
    if existing is not None:
        if not existing.retired:
            raise ValidationError(f"Team: {existing.name!r} already exists", field="team")
        existing.retired, existing.updated_at = False, utc_stamp()
        existing.service_area = area or existing.service_area
        return existing
    team = models.Team(
        id=str(uuid.uuid4()), name=clean, service_area=area, retired=False, updated_at=utc_stamp()
    )
    session.add(team)
    return team


def retire_team(session: Session, name: str) -> models.Team:
    """Stop offering a team for new evaluations (evaluations that name it keep the name)."""
    central_id(session)
    team = _team_by_name(session, name)
    if team is None or team.retired:
        raise NotFoundError(f"Team: no current team called {name.strip()!r}")
    team.retired, team.updated_at = True, utc_stamp()
    return team


# --- published templates ---------------------------------------------------------------------


def publish_template(session: Session, template: Template) -> models.TemplateSnapshot:
    """Offer a validated template to every laptop that syncs with this central database.

    Publishing the same text again changes nothing; another text under a published id and
    version is refused (templates are versioned: give the new text a new version).
    """
    central_id(session)
    from qa_tui.framework.loader import builtin_templates, previous_templates

    shipped = [*builtin_templates(), *previous_templates()]
    if any((b.id, b.version) == (template.id, template.version) for b in shipped):
        raise ValidationError(
            f"{template.path}: template {template.id!r} version {template.version!r} is "
            "built in and on every laptop already; a changed copy needs a new id or version",
            field="version",
        )
    clash = session.scalars(
        select(models.TemplateSnapshot).where(
            models.TemplateSnapshot.template_id == template.id,
            models.TemplateSnapshot.version == template.version,
            models.TemplateSnapshot.content_hash != template.content_hash,
        )
    ).first()
    if clash is not None:
        raise ValidationError(
            f"{template.path}: template {template.id!r} version {template.version!r} is already "
            "on this database with different content; give this one a new version",
            field="version",
        )
    snap = remember_template(session, template)
    if snap.published_at is None:
        snap.published_at = utc_stamp()
    return snap


def published_templates(session: Session) -> list[models.TemplateSnapshot]:
    """Published templates, oldest first."""
    return list(
        session.scalars(
            select(models.TemplateSnapshot)
            .where(models.TemplateSnapshot.published_at.is_not(None))
            .order_by(models.TemplateSnapshot.published_at)
        )
    )


# --- pulling them to a laptop ---------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceReport:
    teams: int  # teams added, changed or removed on the laptop
    templates: int  # template texts the laptop did not have, or now published


def _team_tuple(team: models.Team) -> tuple[str, str, str, bool, str]:
    return (team.id, team.name, team.service_area, team.retired, team.updated_at)


def pull_reference(remote: Session, local: Session) -> ReferenceReport:
    """Make the laptop's teams a copy of the central ones, and copy template texts it lacks."""
    theirs = {t.id: _team_tuple(t) for t in remote.scalars(select(models.Team))}
    ours = {t.id: _team_tuple(t) for t in local.scalars(select(models.Team))}
    differ = {team_id for team_id, _row in set(theirs.items()) ^ set(ours.items())}
    if differ:
        # Names are unique: clear first so a renamed or swapped team never collides.
        for team in local.scalars(select(models.Team)):
            local.delete(team)
        local.flush()
        local.add_all(
            models.Team(id=i, name=n, service_area=a, retired=r, updated_at=u)
            for i, n, a, r, u in theirs.values()
        )
    return ReferenceReport(len(differ), _templates(remote, local))


def _templates(remote: Session, local: Session) -> int:
    have = {s.content_hash: s for s in local.scalars(select(models.TemplateSnapshot))}
    added = 0
    for snap in remote.scalars(select(models.TemplateSnapshot)):
        mine = have.get(snap.content_hash)
        if mine is None:
            local.add(
                models.TemplateSnapshot(
                    content_hash=snap.content_hash,
                    template_id=snap.template_id,
                    version=snap.version,
                    source_text=snap.source_text,
                    published_at=snap.published_at,
                )
            )
            added += 1
        elif snap.published_at and not mine.published_at:
            mine.published_at = snap.published_at
            added += 1
    return added
