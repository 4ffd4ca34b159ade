"""Models for hand-over to the QA team: enrolled devices, the ledger of merges, acknowledgements.

* ``devices`` (central database): laptops the QA team trusts, with their Ed25519 public keys;
  a revoked device keeps its row (its history stays attributable) but its bundles are refused.
* ``merged_bundles`` (any database that receives changes): one row per bundle or direct sync
  merged, so a replayed bundle is recognised and every change's ``bundle_id`` names its source.
* ``sync_acks`` (laptop): per evaluation, a digest of the change ids the central database is
  known to hold; an evaluation whose current digest matches is acknowledged.
* ``purged_evaluations`` (laptop): evaluations removed after the retention period, so a sync
  does not bring them back.

The QA team's public key, the central database's id and the database's role are ``meta`` rows.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from qa_tui.store.models import ID, Base


class Device(Base):
    """A laptop enrolled with the central database, trusted to sign bundles until revoked."""

    __tablename__ = "devices"
    device_id: Mapped[str] = mapped_column(ID, primary_key=True)
    public_key: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200), default="")
    enrolled_at: Mapped[str] = mapped_column(String(32))
    revoked_at: Mapped[str | None] = mapped_column(String(32), nullable=True)
    revoked_reason: Mapped[str] = mapped_column(Text, default="")


class MergedBundle(Base):
    """The ledger: one bundle (or direct sync) merged into this database."""

    __tablename__ = "merged_bundles"
    bundle_id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "bundle" or "sync"
    device_id: Mapped[str] = mapped_column(ID)
    format_version: Mapped[int] = mapped_column(Integer)
    schema_revision: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[str] = mapped_column(String(32))
    merged_at: Mapped[str] = mapped_column(String(32))
    file_sha256: Mapped[str] = mapped_column(String(64), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    evaluations: Mapped[int] = mapped_column(Integer, default=0)
    changes: Mapped[int] = mapped_column(Integer, default=0)
    new_changes: Mapped[int] = mapped_column(Integer, default=0)


class SyncAck(Base):
    """The central database holds every change of this evaluation whose ids hash to ``digest``."""

    __tablename__ = "sync_acks"
    evaluation_id: Mapped[str] = mapped_column(ID, primary_key=True)
    central_id: Mapped[str] = mapped_column(ID)
    digest: Mapped[str] = mapped_column(String(64))
    change_count: Mapped[int] = mapped_column(Integer)
    acknowledged_at: Mapped[str] = mapped_column(String(32))


class PurgedEvaluation(Base):
    """An evaluation removed from this laptop after the retention period (no personal data)."""

    __tablename__ = "purged_evaluations"
    evaluation_id: Mapped[str] = mapped_column(ID, primary_key=True)
    purged_at: Mapped[str] = mapped_column(String(32))
