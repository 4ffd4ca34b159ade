"""Export: this laptop's work as one bundle file for the QA team (USB stick, secure email)."""

from __future__ import annotations

import uuid
from pathlib import Path

from qa_tui.clock import utc_stamp
from qa_tui.store.db import Store
from qa_tui.sync.acks import unacknowledged
from qa_tui.sync.bundle import FORMAT_VERSION, Manifest, write_bundle
from qa_tui.sync.export import all_evaluation_ids, iter_aggregates
from qa_tui.sync.keys import DeviceKey, load_qa_public


def export_bundle(
    store: Store,
    device: DeviceKey,
    author: str,
    qa_public_file: Path,
    out: Path,
    *,
    everything: bool = False,
    format_version: int = FORMAT_VERSION,
) -> Manifest:
    """Write a signed, encrypted bundle of every evaluation the central database may lack.

    Signed with ``device`` (this laptop's key, :func:`qa_tui.sync.keys.own_device_key`).
    Without ``everything``, evaluations whose current history the central database has
    acknowledged (after a direct sync) are left out; the rest go with their full history.
    """
    recipient = load_qa_public(qa_public_file)
    with store.reader() as session:
        ids = all_evaluation_ids(session) if everything else unacknowledged(session)
        return write_bundle(
            iter_aggregates(session, ids),
            out,
            recipient,
            device,
            author,
            utc_stamp(),
            bundle_id=str(uuid.uuid4()),
            format_version=format_version,
        )
