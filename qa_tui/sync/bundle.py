"""The bundle file: a laptop's work, signed by the laptop and encrypted to the QA team.

Inside the encryption (:mod:`qa_tui.sync.crypto`) is a zlib stream of JSON lines:

1. a header ``{"bundle": "qa-tui", "format", "bundle_id", "schema_revision", "device_id",
   "created_at"}``;
2. one line per evaluation aggregate (:class:`~qa_tui.sync.aggregates.Aggregate`);
3. the manifest ``{"manifest": {format, schema_revision, bundle_id, device_id,
   device_public_key, author, created_at, recipient, counts, content_hash}, "signature"}``,
   where ``content_hash`` is the sha256 of every line before it and ``signature`` the device's
   Ed25519 signature of the manifest's canonical JSON.

A bundle is written (:mod:`qa_tui.sync.bundle_write`) to a private temporary file, synced and
renamed, so a half-written bundle never exists under its name. Reading (here) is streamed, so
memory stays flat however big it is.
"""

from __future__ import annotations

import base64
import hashlib
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar, overload

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from qa_tui.fsutil import special_kind
from qa_tui.store.history import dumps
from qa_tui.store.revisions import known_revisions
from qa_tui.sync.aggregates import (
    Aggregate,
    aggregate_from_v1,
    aggregate_from_verified,
    aggregate_from_wire,
)
from qa_tui.sync.crypto import CHUNK, CIPHER, decrypt_chunks, read_header
from qa_tui.sync.errors import BundleError
from qa_tui.sync.keys import fingerprint, public_raw
from qa_tui.sync.wire_values import InvalidRecord, is_id

FORMAT_VERSION = 2
OLDEST_FORMAT = 1
MAX_LINE = 64 * 1024 * 1024
_INFLATE_STEP = 1024 * 1024
DeviceLookup = Callable[[str], str]
_Kept = TypeVar("_Kept")


@dataclass(frozen=True)
class Manifest:
    """What a verified bundle says about itself."""

    format: int
    schema_revision: str
    bundle_id: str
    device_id: str
    device_public_key: str
    author: str
    created_at: str
    recipient: str
    evaluations: int
    changes: int
    links: int
    content_hash: str


# --- reading ---------------------------------------------------------------------------


def check_bundle_file(path: Path) -> None:
    """BundleError unless ``path`` is a regular file (links followed); a directory, FIFO or
    device is refused without being opened."""
    try:
        kind = special_kind(path)
        found = path.exists()
    except OSError as exc:
        raise BundleError(f"{path.name}: cannot be read ({exc.strerror or exc})") from None
    if kind is not None:
        raise BundleError(f"{path.name}: is {kind}, not a bundle file")
    if not found:
        raise BundleError(f"{path}: no such file")


def file_sha256(path: Path) -> str:
    """The sha256 of the bundle file's bytes (how the ledger recognises an exact replay)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def peek_bundle_id(path: Path) -> str | None:
    """The bundle id in the (unencrypted, authenticated) file header, or None."""
    with path.open("rb") as handle:
        _version, header, _aad = read_header(handle, path.name)
    found = header.get("bundle_id")
    return found if is_id(found) else None


_PUBLIC_HEADER = {"bundle_id", "cipher", "chunk", "recipient", "ephemeral", "salt", "nonce_prefix"}


def _refuse_unknown_format(
    handle: IO[bytes],
    version: int,
    header: dict[str, Any],
    aad: bytes,
    private: X25519PrivateKey,
    name: str,
) -> NoReturn:
    """Refuse a bundle whose format this qa-tui does not read, saying honestly why.

    "Made by a newer qa-tui" is said only when the format number is authenticated: the header
    is the one qa-tui writes, and the first encrypted chunk, sealed with the whole file header
    (format number included) as associated data, decrypts with the QA key. A flipped format
    byte fails that check, so a damaged file is never sent to be "upgraded". (The laptop's
    signature closes the content, in a format this qa-tui cannot read, so it cannot be the
    test.) Where the header names an encryption this qa-tui does not know, it cannot tell a
    newer bundle from a damaged one, and says so.
    """
    damaged = f"{name}: not a qa-tui bundle, or damaged"
    if version < OLDEST_FORMAT:
        raise BundleError(f"{damaged} (bundle format {version} does not exist)")
    if not header.keys() >= _PUBLIC_HEADER or not is_id(header.get("bundle_id")):
        raise BundleError(f"{damaged} (unknown bundle format {version} and an unknown header)")
    if header.get("cipher") != CIPHER or header.get("chunk") != CHUNK:
        raise BundleError(
            f"{name}: bundle format {version} with encryption {str(header.get('cipher'))[:40]!r}"
            f" that this qa-tui does not know (it reads formats up to {FORMAT_VERSION}): made "
            "by a newer qa-tui, or damaged — upgrade qa-tui and try again"
        )
    if header.get("recipient") != fingerprint(public_raw(private.public_key())):
        raise BundleError(
            f"{name}: encrypted to a different key ({str(header.get('recipient'))[:16]}…), "
            "not this QA team key"
        )
    try:
        next(decrypt_chunks(handle, header, aad, private, name))
    except BundleError:
        raise BundleError(
            f"{damaged} (its format number {version} is not one qa-tui writes and the header "
            "fails authentication)"
        ) from None
    raise BundleError(
        f"{name}: made by a newer qa-tui (bundle format {version}, header authenticated; this "
        f"one reads up to {FORMAT_VERSION}); upgrade qa-tui to merge it"
    )


class Pins:
    """The sha256 of every block read from a bundle file while it was verified, in order.

    Reading it again with the pins (:func:`verified_aggregates`) checks each block before it is
    used, so a merge that commits batch by batch never writes a byte that was not verified: a
    file swapped or altered after verification stops the merge at the first changed block.
    """

    def __init__(self) -> None:
        self.digests: list[bytes] = []
        self.sizes: list[int] = []  # what each read asked for (to read the same blocks again)


class _PinnedReader:
    """A binary file whose reads are recorded into (``check=False``) or checked against
    (``check=True``) :class:`Pins`."""

    def __init__(self, handle: IO[bytes], pins: Pins, check: bool, name: str) -> None:
        self.handle, self.pins, self.check, self.name = handle, pins, check, name
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        digest = hashlib.sha256(data).digest()
        if not self.check:
            self.pins.digests.append(digest)
            self.pins.sizes.append(size)
        elif self.position >= len(self.pins.digests) or self.pins.digests[self.position] != digest:
            raise BundleError(f"{self.name}: the bundle changed while it was being merged")
        self.position += 1
        return data


def record_lines(
    path: Path, private: X25519PrivateKey, pins: Pins | None = None, check: bool = False
) -> Iterator[tuple[int, dict[str, Any], bytes]]:
    """(format, outer header, line bytes) for each decrypted, decompressed line; the file's
    reads recorded into ``pins`` (or, with ``check``, checked against them)."""
    name = path.name
    with path.open("rb") as raw:
        handle: Any = raw if pins is None else _PinnedReader(raw, pins, check, name)
        version, header, aad = read_header(handle, name)
        if not OLDEST_FORMAT <= version <= FORMAT_VERSION:
            _refuse_unknown_format(handle, version, header, aad, private, name)
        inflate = zlib.decompressobj()
        pending = b""
        for chunk in decrypt_chunks(handle, header, aad, private, name):
            data = chunk
            while data:
                try:
                    block = inflate.decompress(data, _INFLATE_STEP)
                except zlib.error:
                    raise BundleError(f"{name}: corrupt bundle (bad compressed data)") from None
                data = inflate.unconsumed_tail
                pending += block
                *complete, pending = pending.split(b"\n")
                for line in complete:
                    yield version, header, line + b"\n"
                if len(pending) > MAX_LINE:
                    raise BundleError(f"{name}: corrupt bundle (a record line is too long)")
        if pending or not inflate.eof or inflate.unused_data:
            raise BundleError(f"{name}: corrupt bundle (the content does not end cleanly)")


def parse_line(line: bytes, name: str) -> Any:
    try:
        return json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BundleError(f"{name}: corrupt bundle (a line is not JSON)") from None


def check_start(first: Any, version: int, header: dict[str, Any], name: str) -> None:
    if not isinstance(first, dict) or first.get("bundle") != "qa-tui":
        raise BundleError(f"{name}: corrupt bundle (no content header)")
    if first.get("format") != version or first.get("bundle_id") != header.get("bundle_id"):
        raise BundleError(f"{name}: tampered bundle (inner and outer headers disagree)")
    revision = first.get("schema_revision")
    if revision not in known_revisions():
        raise BundleError(
            f"{name}: made by a newer qa-tui (schema {str(revision)[:20]}); "
            "upgrade qa-tui to merge it"
        )


def read_bundle(
    path: Path,
    private: X25519PrivateKey,
    pins: Pins | None = None,
    verified: bool = False,
    keep_values: bool = False,
) -> Iterator[Aggregate | tuple[dict[str, Any], str, str]]:
    """Yield each validated aggregate, then ``(manifest, signature, computed content hash)``.

    Raises :class:`BundleError` (a one-line reason) at the first problem; callers must not
    trust what was yielded until the final tuple has been checked (see :func:`verify`).
    ``pins`` records the file's blocks as they are read; with ``verified``, the blocks are
    checked against pins recorded by a verification instead, and the records, byte for byte
    those that passed it, are not validated again. ``keep_values``: see
    :func:`~qa_tui.sync.aggregates.aggregate_from_wire`.
    """
    name = path.name
    digest = hashlib.sha256()
    state = "start"
    trusted = verified and pins is not None
    for version, header, line in record_lines(path, private, pins, trusted):
        if state == "end":
            raise BundleError(f"{name}: tampered bundle (data after the manifest)")
        obj = parse_line(line, name)
        if state == "start":
            check_start(obj, version, header, name)
            digest.update(line)
            state = "body"
        elif isinstance(obj, dict) and "manifest" in obj:
            if set(obj) != {"manifest", "signature"} or not isinstance(obj["manifest"], dict):
                raise BundleError(f"{name}: corrupt bundle (malformed manifest)")
            yield obj["manifest"], str(obj["signature"]), digest.hexdigest()
            state = "end"
        else:
            digest.update(line)
            if trusted and version != 1:
                yield aggregate_from_verified(obj)
                continue
            try:
                yield (
                    aggregate_from_v1(obj)
                    if version == 1
                    else aggregate_from_wire(obj, keep_values)
                )
            except InvalidRecord as exc:
                raise BundleError(f"{name}: invalid record ({exc})") from None
    if state != "end":
        raise BundleError(f"{name}: truncated bundle (no manifest)")


def _manifest(raw: dict[str, Any], name: str) -> Manifest:
    try:
        manifest = Manifest(**raw)
    except TypeError:
        raise BundleError(f"{name}: corrupt bundle (manifest has unexpected fields)") from None
    texts = (manifest.bundle_id, manifest.device_id, manifest.content_hash, manifest.recipient)
    if not all(isinstance(t, str) for t in texts) or not is_id(manifest.device_id):
        raise BundleError(f"{name}: corrupt bundle (malformed manifest)")
    return manifest


def verify_bundle(
    path: Path,
    private: X25519PrivateKey,
    lookup: DeviceLookup,
    pins: Pins | None = None,
    each: Callable[[Aggregate], None] | None = None,
    keep_values: bool = False,
) -> Manifest:
    """Check a bundle completely without writing anything; returns its manifest. (A merge
    verifies through :func:`qa_tui.sync.checking.verify_into_spool`, which keeps what it reads
    in a spool and can check half the lines in a second process; ``tests/sync/test_checking``
    holds the two to the same outcome.)

    Decrypts and authenticates every chunk, validates every record, recomputes the content
    hash and counts, and checks the signature against the enrolled key of the device named in
    the manifest (``lookup`` raises :class:`BundleError` for an unknown or revoked device).
    ``pins`` (empty) receives the digest of every block read, for :func:`verified_aggregates`;
    ``each(aggregate)`` is called for every aggregate (to refuse the bundle by raising, or
    to keep it: :class:`~qa_tui.sync.spool.Spool`, with ``keep_values``).
    """
    name = path.name
    counts = {"evaluations": 0, "changes": 0, "links": 0}
    seen: set[str] = set()
    with path.open("rb") as handle:
        _version, header, _aad = read_header(handle, name)
    for item in read_bundle(path, private, pins, keep_values=keep_values):
        if isinstance(item, Aggregate):
            if item.evaluation_id in seen:
                raise BundleError(f"{name}: tampered bundle (an evaluation appears twice)")
            seen.add(item.evaluation_id)
            if each is not None:
                each(item)
            counts["evaluations"] += 1
            counts["changes"] += len(item.changes)
            counts["links"] += len(item.links)
            continue
        raw, signature, computed = item
        manifest = checked_manifest((raw, signature, computed), counts, header, lookup, name)
    return manifest


def checked_manifest(
    item: tuple[dict[str, Any], str, str],
    counts: dict[str, int],
    header: dict[str, Any],
    lookup: DeviceLookup,
    name: str,
) -> Manifest:
    """The manifest of a bundle whose records were all read: ``item`` is :func:`read_bundle`'s
    last (manifest, signature, computed content hash), ``counts`` what was read. BundleError
    unless it is signed by the enrolled device it names and agrees with the content, the counts
    and the outer header."""
    raw, signature, computed = item
    manifest = _manifest(raw, name)
    public_key = lookup(manifest.device_id)
    try:
        sig = base64.b64decode(signature, validate=True)
    except ValueError:
        sig = b""
    from qa_tui.sync.keys import verify_signature

    if not verify_signature(public_key, sig, dumps(raw).encode()):
        raise BundleError(
            f"{name}: bad signature (not signed by enrolled device {manifest.device_id})"
        )
    if manifest.content_hash != computed:
        raise BundleError(f"{name}: tampered bundle (content does not match its signed hash)")
    if {k: getattr(manifest, k) for k in counts} != counts:
        raise BundleError(f"{name}: tampered bundle (counts do not match the manifest)")
    if manifest.bundle_id != header.get("bundle_id") or manifest.recipient != header.get(
        "recipient"
    ):
        raise BundleError(f"{name}: tampered bundle (manifest and header disagree)")
    return manifest


@overload
def verified_aggregates(
    path: Path,
    private: X25519PrivateKey,
    manifest: Manifest,
    pins: Pins | None = None,
    spool: None = None,
) -> Iterator[Aggregate]: ...


@overload
def verified_aggregates(
    path: Path,
    private: X25519PrivateKey,
    manifest: Manifest,
    pins: Pins,
    spool: Iterable[tuple[int, _Kept]],
) -> Iterator[_Kept]: ...


def verified_aggregates(
    path: Path,
    private: X25519PrivateKey,
    manifest: Manifest,
    pins: Pins | None = None,
    spool: Iterable[tuple[int, Any]] | None = None,
) -> Iterator[Any]:
    """The aggregates of a bundle already verified; BundleError if the file changed.

    Without ``pins`` the records are validated again and a changed file is found at the end
    (the caller writes in one transaction and rolls back). With the ``pins`` its verification
    recorded, every block is checked before its records are yielded, so nothing unverified is
    ever yielded (a caller may commit as it goes), and the records are not validated twice.

    With ``spool`` as well (what the verification kept: each aggregate with the number of
    blocks read when it was complete, :class:`~qa_tui.sync.spool.Spool`), the aggregates are
    the spool's (:class:`~qa_tui.sync.spool.Spooled`), and the file is only read to check,
    block by block, that it is still the one verified: each is yielded once every block up to
    the end of its line has been read again and found unchanged.
    """
    if spool is not None and pins is not None:
        yield from _pinned_spool(path, pins, spool)
        return
    for item in read_bundle(path, private, pins, verified=pins is not None):
        if isinstance(item, Aggregate):
            yield item
        elif item[2] != manifest.content_hash:
            raise BundleError(f"{path.name}: the bundle changed while it was being merged")


def _pinned_spool(path: Path, pins: Pins, spool: Iterable[tuple[int, _Kept]]) -> Iterator[_Kept]:
    """The spool's aggregates, each once the file's blocks up to its line's end are checked
    against the pins; then the rest of the file."""
    with path.open("rb") as raw:
        reader = _PinnedReader(raw, pins, True, path.name)
        sizes = pins.sizes
        for mark, aggregate in spool:
            while reader.position < mark:
                reader.read(sizes[reader.position])
            yield aggregate
        while reader.position < len(sizes):
            reader.read(sizes[reader.position])
