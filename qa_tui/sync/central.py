"""The QA team's central database: initialising it, enrolling devices, merging bundle files.

A central database is an ordinary qa-tui database (same schema, same migrations) whose ``meta``
says ``role = central`` and holds the QA team's public key; ``qa-tui --db URL`` opens it like a
laptop's.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from qa_tui.clock import utc_stamp
from qa_tui.store import models
from qa_tui.store.db import Store
from qa_tui.store.role import is_central
from qa_tui.store.sync_models import Device, MergedBundle
from qa_tui.sync.bundle import (
    Manifest,
    Pins,
    check_bundle_file,
    file_sha256,
    peek_bundle_id,
    verified_aggregates,
)
from qa_tui.sync.checking import verify_into_spool
from qa_tui.sync.errors import BundleError, SyncError
from qa_tui.sync.keys import (
    ED25519,
    create_qa_key,
    decode_public,
    load_qa_private,
    qa_public_text,
)
from qa_tui.sync.merge import cycles_paused, merge_in_batches
from qa_tui.sync.merge_report import MergeReport, Provenance
from qa_tui.sync.preparer import WORTH_IT, Preparer
from qa_tui.sync.spool import Spool
from qa_tui.sync.template_texts import keep, not_shipped, untexted
from qa_tui.sync.wire_values import is_id
from qa_tui.vocab import CENTRAL_ROLE


def _meta(session: Session, key: str) -> str | None:
    row = session.get(models.Meta, key)
    return row.value if row else None


def _set_meta(session: Session, key: str, value: str) -> None:
    row = session.get(models.Meta, key)
    if row is None:
        session.add(models.Meta(key=key, value=value))
    else:
        row.value = value


def central_key(session: Session) -> str | None:
    """The QA team's public key if this is a central database, else None."""
    return _meta(session, "qa_public_key") if is_central(session) else None


def central_id(session: Session) -> str:
    """The central database's id (SyncError if this is not a central database)."""
    value = _meta(session, "central_id")
    if not is_central(session) or not value:
        raise SyncError("not a central database (the QA team makes one: qa-tui central init)")
    return value


def init_central(store: Store, key_out: Path | None, existing_key: Path | None = None) -> str:
    """Make ``store`` a central database and adopt the QA key at ``existing_key``, or else
    create the QA key pair at ``key_out`` (and ``key_out.pub``).

    Returns the public key text. Refuses a database that is already central, and never
    overwrites a key file.
    """
    if key_out is None and existing_key is None:
        raise SyncError("no QA key: give a file for a new QA key or an existing QA key")
    with store.reader() as session:
        if is_central(session):
            raise SyncError(f"{store.url}: is already a central database")
    if existing_key is not None:
        public = qa_public_text(load_qa_private(existing_key))
    else:
        assert key_out is not None
        public = create_qa_key(key_out)
    with store.session() as session:
        _set_meta(session, "role", CENTRAL_ROLE)
        _set_meta(session, "qa_public_key", public)
        _set_meta(session, "central_id", str(uuid.uuid4()))
    return public


def parse_device_key(token: str, device_id: str | None = None) -> tuple[str, str]:
    """``(device_id, public_key)`` from what ``keys show`` prints.

    Accepts ``<device id>:ed25519:<base64>``, the JSON of ``keys show --format json``, or a
    bare ``ed25519:<base64>`` with ``device_id`` given separately.
    """
    import json

    token = token.strip()
    if token.startswith("{"):
        try:
            data = json.loads(token)
            device_id, key = str(data["device_id"]), str(data["public_key"])
        except (json.JSONDecodeError, KeyError, TypeError):
            raise SyncError("--device-key: not the JSON that 'qa-tui keys show' prints") from None
    elif token.startswith(f"{ED25519}:"):
        key = token
    else:
        device_id, _, key = token.partition(":")
    if not device_id or not is_id(device_id):
        raise SyncError(
            "--device-key: give '<device id>:ed25519:<key>' as 'qa-tui keys show' "
            "prints it (or --device-id)"
        )
    decode_public(key, ED25519)
    return device_id, key


def enrol_device(session: Session, device_id: str, public_key: str, name: str) -> Device:
    """Trust a device's bundles from now on (re-enrolling a revoked device is refused)."""
    central_id(session)
    row = session.get(Device, device_id)
    if row is not None:
        if row.revoked_at:
            raise SyncError(
                f"device {device_id} was revoked on {row.revoked_at}; "
                "a revoked device cannot be enrolled again (make a new device id)"
            )
        if row.public_key != public_key:
            raise SyncError(f"device {device_id} is enrolled with a different key")
        row.name = name or row.name
        return row
    row = Device(
        device_id=device_id,
        public_key=public_key,
        name=name,
        enrolled_at=utc_stamp(),
        revoked_at=None,
        revoked_reason="",
    )
    session.add(row)
    return row


def revoke_device(session: Session, device_id: str, reason: str = "") -> Device:
    """Stop trusting a device: its bundles (even older ones) are refused from now on."""
    central_id(session)
    row = session.get(Device, device_id)
    if row is None:
        raise SyncError(f"device {device_id} is not enrolled")
    if not row.revoked_at:
        row.revoked_at, row.revoked_reason = utc_stamp(), reason
    return row


def list_devices(session: Session) -> list[Device]:
    """Enrolled devices, revoked ones included, by name."""
    return list(session.scalars(select(Device).order_by(Device.name, Device.device_id)))


def device_lookup(session: Session, name: str) -> Callable[[str], str]:
    """A lookup returning an enrolled device's public key, refusing unknown or revoked ones."""

    def lookup(device_id: str) -> str:
        row = session.get(Device, device_id)
        if row is None:
            raise BundleError(
                f"{name}: signed by device {device_id}, which is not enrolled "
                "(qa-tui central enrol)"
            )
        if row.revoked_at:
            raise BundleError(f"{name}: signed by device {device_id}, revoked on {row.revoked_at}")
        return row.public_key

    return lookup


BUNDLE_SUFFIX = ".qab"


class Unfound(Exception):
    """The bundles asked for cannot be found (the message says what and where)."""


def bundle_files(given: str) -> list[Path]:
    """The bundle files ``given`` names: one file, or every ``.qab`` file of a folder, in
    name order (:class:`Unfound` if there is none)."""
    path = Path(given).expanduser()
    if path.is_dir():
        try:
            found = sorted(
                p for p in path.iterdir() if p.suffix.lower() == BUNDLE_SUFFIX and p.is_file()
            )
        except OSError as exc:  # a folder this user may not list, a stick pulled out…
            raise Unfound(f"{path}: cannot read this folder ({exc.strerror or exc})") from None
        if not found:
            raise Unfound(f"{path}: no bundle file ({BUNDLE_SUFFIX}) in this folder")
        return found
    if not path.exists():
        raise Unfound(f"{path}: no such file or folder")
    return [path]


# How to take a bundle's demo evaluations, said where a bundle holding them is refused: the
# command line's way, or the app's.
CLI_DEMO_TAKE = "merge with --include-demo to take them"
APP_DEMO_TAKE = "tick 'Take demo evaluations' to take them"


def _refuse_demo_id(evaluation_id: str, name: str, hint: str = CLI_DEMO_TAKE) -> None:
    """Refuse the bundle (BundleError): evaluation ``evaluation_id`` is demo data."""
    raise BundleError(
        f"{name}: it holds demo evaluations (fictional data from 'qa-tui demo', e.g. "
        f"evaluation {evaluation_id}); {hint} (tests and training only)"
    )


def merge_bundle_file(
    store: Store,
    path: Path,
    key_file: Path,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
    include_demo: bool = False,
    committed: Callable[[int], None] | None = None,
    demo_hint: str = CLI_DEMO_TAKE,
) -> MergeReport:
    """Verify a bundle completely, then merge it in short transactions of whole aggregates.

    ``on_total(n)`` is called with the number of evaluations once verified, ``progress(k)`` as
    each batch of ``k`` is written (inside its transaction), ``committed(k)`` once it has
    committed (no lock held). Raises :class:`BundleError` with a one-line reason; a
    bundle refused by its verification writes nothing. The bundle is in the ledger once its
    last batch commits: a merge cut short is finished by merging the bundle again. An exact
    replay returns ``already_merged=True``. A bundle holding demo evaluations is refused
    unless ``include_demo`` (they stay marked as demo; ``demo_hint`` says how to take them);
    the check runs before anything is written.
    """
    refuse = None if include_demo else partial(_refuse_demo_id, name=path.name, hint=demo_hint)
    with cycles_paused():
        return _merge_bundle_file(store, path, key_file, progress, on_total, refuse, committed)


def _merge_bundle_file(
    store: Store,
    path: Path,
    key_file: Path,
    progress: Callable[[int], None] | None,
    on_total: Callable[[int], None] | None,
    refuse: Callable[[str], None] | None,
    committed: Callable[[int], None] | None,
) -> MergeReport:
    private = load_qa_private(key_file)
    check_bundle_file(path)
    with store.reader() as session:
        public = central_key(session)
        if public is None:
            raise SyncError(f"{store.url}: not a central database (qa-tui central init)")
        if public != qa_public_text(private):
            raise SyncError(f"{key_file}: not this central database's QA key")
        digest = file_sha256(path)
        earlier = session.get(MergedBundle, peek_bundle_id(path) or "")
        if earlier is not None and earlier.file_sha256 == digest:
            return MergeReport(earlier.bundle_id, already_merged=True, merged_at=earlier.merged_at)
    pins = Pins()
    folder = None if store.sqlite_path is None else store.sqlite_path.parent
    # A big bundle's rows are prepared in a process of its own while the merge writes (on
    # SQLite: writing and preparing take turns in one); it loads while the bundle is verified.
    big = store.dialect == "sqlite" and path.stat().st_size >= WORTH_IT
    with Spool(pins, folder) as spool, _preparing(big) as preparer:
        with store.reader() as session:
            # Demo data is refused while verifying, before anything is written (batches
            # commit); what passes is kept for the merge (no second reading of the bundle).
            lookup = device_lookup(session, path.name)
            # With a second process, half the bundle's lines are checked there (two cores).
            manifest = verify_into_spool(path, private, lookup, spool, refuse, preparer)
        return _merge_verified(
            store,
            path,
            private,
            manifest,
            (pins, spool, preparer),
            digest,
            (progress, on_total, committed),
        )


@contextmanager
def _preparing(wanted: bool) -> Iterator[Preparer | None]:
    """The process preparing a merge's rows (:mod:`qa_tui.sync.preparer`) if ``wanted`` and
    it starts, ended on the way out; else None (the merge prepares them itself)."""
    if not wanted:
        yield None
        return
    try:
        preparer = Preparer()
    except OSError:
        yield None
        return
    try:
        yield preparer
    finally:
        preparer.close()


def _merge_verified(
    store: Store,
    path: Path,
    private: X25519PrivateKey,
    manifest: Manifest,
    kept: tuple[Pins, Spool, Preparer | None],
    digest: str,
    callbacks: tuple[Callable[[int], None] | None, ...],
) -> MergeReport:
    pins, spool, preparer = kept
    progress, on_total, committed = callbacks
    if on_total:
        on_total(manifest.evaluations)
    source = Provenance(
        bundle_id=manifest.bundle_id,
        kind="bundle",
        device_id=manifest.device_id,
        format_version=manifest.format,
        schema_revision=manifest.schema_revision,
        created_at=manifest.created_at,
        file_sha256=digest,
        content_hash=manifest.content_hash,
    )
    with store.reader() as session:
        device_lookup(session, path.name)(manifest.device_id)
    with store.session() as session:  # verified: the texts the bundle carries, kept first
        added = keep(session, spool.templates.texts)
    aggregates = verified_aggregates(path, private, manifest, pins, spool)
    report = merge_in_batches(
        store, aggregates, source, utc_stamp(), progress, committed, ahead=True, preparer=preparer
    )
    report.templates_added = [text.label for text in not_shipped(added)]  # the news
    report.templates_left_out = list(spool.templates.left_out)
    with store.reader() as session:
        evaluations = (i for i, kind in spool.heads() if kind == "evaluation")
        report.untexted = untexted(session, evaluations)
    return report
