"""Writing a bundle file (its format: :mod:`qa_tui.sync.bundle`, which reads it): header,
one line per aggregate and the signed manifest, compressed and encrypted as they are made, to
a private temporary file synced and renamed, so a half-written bundle never exists under its
name."""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from qa_tui.fsutil import atomic_writer
from qa_tui.store.history import dumps
from qa_tui.store.revisions import head_revision
from qa_tui.sync.aggregates import Aggregate, aggregate_to_v1
from qa_tui.sync.bundle import FORMAT_VERSION, Manifest
from qa_tui.sync.crypto import EncryptingWriter
from qa_tui.sync.keys import DeviceKey, fingerprint, public_raw


class _LineSink:
    def __init__(self, writer: EncryptingWriter) -> None:
        self.writer = writer
        self.zip = zlib.compressobj(3)
        self.hash = hashlib.sha256()

    def line(self, obj: Any, hashed: bool = True) -> None:
        data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        if hashed:
            self.hash.update(data)
        self.writer.write(self.zip.compress(data))

    def close(self) -> None:
        self.writer.write(self.zip.flush())
        self.writer.finish()


def write_bundle(
    aggregates: Iterable[Aggregate],
    out: Path,
    recipient: X25519PublicKey,
    device: DeviceKey,
    author: str,
    created_at: str,
    *,
    bundle_id: str,
    format_version: int = FORMAT_VERSION,
    templates: Sequence[dict[str, str]] = (),
) -> Manifest:
    """Write ``aggregates`` as a bundle at ``out`` (atomically); returns its manifest.
    ``templates``: the texts of the templates they use, for the content header
    (:mod:`qa_tui.sync.template_texts`)."""
    start = {"templates": list(templates)} if templates else {}
    with atomic_writer(out) as handle:
        manifest = _write_stream(
            handle,
            aggregates,
            recipient,
            device,
            author,
            created_at,
            bundle_id,
            format_version,
            start=start,
        )
    return manifest


def _write_stream(
    handle: IO[bytes],
    aggregates: Iterable[Aggregate],
    recipient: X25519PublicKey,
    device: DeviceKey,
    author: str,
    created_at: str,
    bundle_id: str,
    format_version: int,
    *,
    start: dict[str, Any] | None = None,
) -> Manifest:
    writer = EncryptingWriter(handle, recipient, format_version, {"bundle_id": bundle_id})
    sink = _LineSink(writer)
    revision = head_revision()
    sink.line(
        {
            "bundle": "qa-tui",
            "format": format_version,
            "bundle_id": bundle_id,
            "schema_revision": revision,
            "device_id": device.device_id,
            "created_at": created_at,
            **(start or {}),
        }
    )
    counts = {"evaluations": 0, "changes": 0, "links": 0}
    for aggregate in aggregates:
        sink.line(aggregate_to_v1(aggregate) if format_version == 1 else aggregate.to_wire())
        counts["evaluations"] += 1
        counts["changes"] += len(aggregate.changes)
        counts["links"] += len(aggregate.links)
    manifest = Manifest(
        format=format_version,
        schema_revision=revision,
        bundle_id=bundle_id,
        device_id=device.device_id,
        device_public_key=device.public_text,
        author=author,
        created_at=created_at,
        recipient=fingerprint(public_raw(recipient)),
        content_hash=sink.hash.hexdigest(),
        **counts,
    )
    body = vars(manifest)
    signature = base64.b64encode(device.sign(dumps(body).encode())).decode()
    sink.line({"manifest": body, "signature": signature}, hashed=False)
    sink.close()
    return manifest
