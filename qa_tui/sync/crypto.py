"""Encrypting a bundle to the QA team's public key, as a stream.

The construction is the well-known one used by ``age`` and Tink's streaming AEAD, built only
from `cryptography` primitives:

* an ephemeral X25519 key agreement with the QA public key, HKDF-SHA256 (random salt, both
  public keys in ``info``) giving a 256-bit key;
* the plaintext cut into chunks, each sealed with AES-256-GCM under the nonce
  ``prefix(7) ‖ chunk counter(4) ‖ last-chunk flag(1)`` and the file header as associated
  data — so a flipped bit, a re-ordered or dropped chunk, a truncated file or an altered header
  all fail authentication.

File layout: ``MAGIC`` (8 bytes), format version (2 bytes, big-endian), header length (4
bytes), header JSON, then the sealed chunks (``CHUNK + 16`` bytes each; the last may be
shorter).
"""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Iterator
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from qa_tui.sync.errors import BundleError
from qa_tui.sync.keys import fingerprint, public_raw

MAGIC = b"QATUIBDL"
CIPHER = "X25519-HKDF-SHA256/AES-256-GCM-STREAM"
CHUNK = 1 << 20
TAG = 16
MAX_HEADER = 64 * 1024
_PREFIX = struct.Struct(">8sHI")


def _derive(shared: bytes, salt: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    info = b"qa-tui bundle key" + ephemeral + recipient
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(shared)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 2**32:
        raise BundleError("bundle too large (more than 2^32 chunks)")
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


class EncryptingWriter:
    """Seals bytes written to it into ``handle``; :meth:`finish` writes the last chunk."""

    def __init__(
        self, handle: IO[bytes], recipient: X25519PublicKey, version: int, public: dict[str, Any]
    ) -> None:
        ephemeral = X25519PrivateKey.generate()
        eph_raw = public_raw(ephemeral.public_key())
        rec_raw = public_raw(recipient)
        salt = os.urandom(16)
        self._prefix = os.urandom(7)
        header = {
            **public,
            "cipher": CIPHER,
            "chunk": CHUNK,
            "recipient": fingerprint(rec_raw),
            "ephemeral": base64.b64encode(eph_raw).decode(),
            "salt": base64.b64encode(salt).decode(),
            "nonce_prefix": base64.b64encode(self._prefix).decode(),
        }
        body = json.dumps(header, sort_keys=True).encode()
        self._aad = _PREFIX.pack(MAGIC, version, len(body)) + body
        self._aead = AESGCM(_derive(ephemeral.exchange(recipient), salt, eph_raw, rec_raw))
        self._handle = handle
        self._buffer = bytearray()
        self._counter = 0
        handle.write(self._aad)

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) > CHUNK:
            self._seal(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]

    def _seal(self, chunk: bytes, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, last)
        self._handle.write(self._aead.encrypt(nonce, chunk, self._aad))
        self._counter += 1

    def finish(self) -> None:
        """Seal what is left as the last chunk (possibly empty)."""
        self._seal(bytes(self._buffer), last=True)
        self._buffer.clear()


def read_header(handle: IO[bytes], name: str) -> tuple[int, dict[str, Any], bytes]:
    """The format version, public header and raw header bytes (BundleError if not a bundle)."""
    prefix = handle.read(_PREFIX.size)
    if len(prefix) < _PREFIX.size or prefix[:8] != MAGIC:
        raise BundleError(f"{name}: not a qa-tui bundle (unrecognised file header)")
    _magic, version, length = _PREFIX.unpack(prefix)
    if length > MAX_HEADER:
        raise BundleError(f"{name}: not a qa-tui bundle (implausible header length)")
    body = handle.read(length)
    try:
        header = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        header = None
    if len(body) < length or not isinstance(header, dict):
        raise BundleError(f"{name}: corrupt bundle (unreadable header)")
    return version, header, prefix + body


def _b64(header: dict[str, Any], key: str, size: int, name: str) -> bytes:
    try:
        raw = base64.b64decode(str(header[key]), validate=True)
    except (KeyError, ValueError):
        raw = b""
    if len(raw) != size:
        raise BundleError(f"{name}: corrupt bundle (bad {key} in header)")
    return raw


def decrypt_chunks(
    handle: IO[bytes], header: dict[str, Any], aad: bytes, private: X25519PrivateKey, name: str
) -> Iterator[bytes]:
    """Yield the plaintext chunks, authenticating each; BundleError at the first problem."""
    rec_raw = public_raw(private.public_key())
    if header.get("recipient") != fingerprint(rec_raw):
        raise BundleError(
            f"{name}: encrypted to a different key ({str(header.get('recipient'))[:16]}…), "
            "not this QA team key"
        )
    if header.get("cipher") != CIPHER or header.get("chunk") != CHUNK:
        raise BundleError(f"{name}: unsupported encryption ({header.get('cipher')!r})")
    eph_raw = _b64(header, "ephemeral", 32, name)
    salt = _b64(header, "salt", 16, name)
    prefix = _b64(header, "nonce_prefix", 7, name)
    shared = private.exchange(X25519PublicKey.from_public_bytes(eph_raw))
    aead = AESGCM(_derive(shared, salt, eph_raw, rec_raw))
    counter = 0
    current = handle.read(CHUNK + TAG)
    while True:
        following = handle.read(CHUNK + TAG) if len(current) == CHUNK + TAG else b""
        last = not following
        if len(current) < TAG:
            raise BundleError(f"{name}: truncated bundle (ends mid-chunk)")
        try:
            yield aead.decrypt(_nonce(prefix, counter, last), current, aad)
        except InvalidTag:
            reason = "truncated, corrupt or tampered" if last else "corrupt or tampered"
            raise BundleError(
                f"{name}: {reason} bundle (chunk {counter} fails authentication)"
            ) from None
        if last:
            return
        counter += 1
        current = following
