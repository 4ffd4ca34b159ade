"""Export: this laptop's work as one bundle file for the QA team (USB stick, secure email)."""

from __future__ import annotations

import uuid
from pathlib import Path

from qa_tui.clock import utc_stamp
from qa_tui.store.db import Store
from qa_tui.store.queries import demo_aggregate_ids, demo_evaluation_ids
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
    include_demo: bool = False,
) -> Manifest:
    """Write a signed, encrypted bundle of every evaluation the central database may lack.

    Signed with ``device`` (this laptop's key, :func:`qa_tui.sync.keys.own_device_key`).
    Without ``everything``, evaluations whose current history the central database has
    acknowledged (after a direct sync) are left out; the rest go with their full history.
    Demo evaluations (``qa-tui demo``) never leave by accident: only with ``include_demo``
    (tests, benchmarks, training); :func:`demo_left_out` says how many stayed behind.
    """
    recipient = load_qa_public(qa_public_file)
    with store.reader() as session:
        ids = all_evaluation_ids(session) if everything else unacknowledged(session)
        if not include_demo:
            demo = demo_aggregate_ids(session)
            ids = [i for i in ids if i not in demo]
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


def demo_left_out(store: Store) -> int:
    """How many demo evaluations an export without ``include_demo`` leaves behind."""
    with store.reader() as session:
        return len(demo_evaluation_ids(session))


def export_summary(out: Path, manifest: Manifest, demo_left: int) -> str:
    """What an export did, in a sentence (the command line and the app say the same)."""
    noun = "evaluation" if manifest.evaluations == 1 else "evaluations"
    text = (
        f"wrote {out}: {manifest.evaluations} {noun}, {manifest.changes} changes "
        f"(bundle {manifest.bundle_id})"
    )
    if demo_left:
        demo = "evaluation" if demo_left == 1 else "evaluations"
        text += f"; {demo_left} demo {demo} left out (--include-demo takes them)"
    return text
