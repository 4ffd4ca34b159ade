"""Export: this laptop's work as one bundle file for the QA team (USB stick, secure email)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from qa_tui.clock import utc_stamp
from qa_tui.store.db import Store
from qa_tui.store.queries import demo_aggregate_ids, demo_evaluation_ids
from qa_tui.sync.acks import unacknowledged
from qa_tui.sync.aggregates import Aggregate, roots_in_words
from qa_tui.sync.bundle import FORMAT_VERSION, Manifest
from qa_tui.sync.bundle_write import write_bundle
from qa_tui.sync.export import all_evaluation_ids, iter_aggregates
from qa_tui.sync.keys import DeviceKey, load_qa_public
from qa_tui.sync.template_texts import header_entry, used_by


@dataclass(frozen=True)
class Exported:
    """A bundle written: its manifest, and how many root records of each kind it holds (the
    manifest counts them all as ``evaluations``: the wire format's name)."""

    manifest: Manifest
    kinds: dict[str, int]


def _counted(aggregates: Iterable[Aggregate], kinds: dict[str, int]) -> Iterator[Aggregate]:
    """The aggregates as they come, each counted in ``kinds`` by its root type."""
    for aggregate in aggregates:
        kind = aggregate.root_type
        kinds[kind] = kinds.get(kind, 0) + 1
        yield aggregate


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
) -> Exported:
    """Write a signed, encrypted bundle of every evaluation the central database may lack.

    Signed with ``device`` (this laptop's key, :func:`qa_tui.sync.keys.own_device_key`).
    Without ``everything``, evaluations whose current history the central database has
    acknowledged (after a direct sync) are left out; the rest go with their full history.
    The bundle carries the texts of the templates its evaluations use
    (:mod:`qa_tui.sync.template_texts`).
    Demo evaluations (``qa-tui demo``) never leave by accident: only with ``include_demo``
    (tests, benchmarks, training); :func:`demo_left_out` says how many stayed behind.
    """
    recipient = load_qa_public(qa_public_file)
    with store.reader() as session:
        ids = all_evaluation_ids(session) if everything else unacknowledged(session)
        if not include_demo:
            demo = demo_aggregate_ids(session)
            ids = [i for i in ids if i not in demo]
        kinds: dict[str, int] = {}
        manifest = write_bundle(
            _counted(iter_aggregates(session, ids), kinds),
            out,
            recipient,
            device,
            author,
            utc_stamp(),
            bundle_id=str(uuid.uuid4()),
            format_version=format_version,
            templates=header_entry(used_by(session, ids)),
        )
    return Exported(manifest, kinds)


def demo_left_out(store: Store) -> int:
    """How many demo evaluations an export without ``include_demo`` leaves behind."""
    with store.reader() as session:
        return len(demo_evaluation_ids(session))


CLI_DEMO_HINT = "--include-demo takes them"
APP_DEMO_HINT = "practice data stays on this laptop"


def export_summary(
    out: Path, exported: Exported, demo_left: int, demo_hint: str = CLI_DEMO_HINT
) -> str:
    """What an export did, in a sentence (the command line and the app say the same, but for
    ``demo_hint``: only the command line has a way to take demo evaluations)."""
    manifest = exported.manifest
    text = (
        f"wrote {out}: {roots_in_words(exported.kinds)}, {manifest.changes} changes "
        f"(bundle {manifest.bundle_id})"
    )
    if demo_left:
        demo = "evaluation" if demo_left == 1 else "evaluations"
        text += f"; {demo_left} demo {demo} left out ({demo_hint})"
    return text
