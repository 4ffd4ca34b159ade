"""Key pairs: each laptop's Ed25519 signing key and the QA team's X25519 encryption key.

Public keys travel as text: ``ed25519:<base64>`` (a device) and ``x25519:<base64>`` (the QA
team). Private keys are PKCS#8 PEM files readable by their owner alone; a device's lives in the
settings' data folder (``keys/device_ed25519.pem`` under ``Settings.data_dir``), so two laptops
can be simulated with separate data folders.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from qa_tui.config import Settings
from qa_tui.fsutil import OWNER_ONLY_FILE, fsync_dir, make_private_dir, restrict, special_kind
from qa_tui.sync.errors import KeyFileError

ED25519 = "ed25519"
X25519 = "x25519"
_RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def encode_public(kind: str, raw: bytes) -> str:
    """``kind:<base64>`` for a raw 32-byte public key."""
    return f"{kind}:{base64.b64encode(raw).decode('ascii')}"


def decode_public(text: str, kind: str) -> bytes:
    """The raw 32 bytes of a ``kind:<base64>`` public key (KeyFileError if malformed)."""
    prefix, _, body = text.strip().partition(":")
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if prefix != kind or len(raw) != 32:
        raise KeyFileError(f"{text.strip()[:60]!r} is not a {kind} public key ({kind}:<base64>)")
    return raw


def fingerprint(raw_public: bytes) -> str:
    """A short, stable name for a public key (first 16 bytes of its sha256, hex)."""
    return hashlib.sha256(raw_public).hexdigest()[:32]


def write_private_pem(path: Path, pem: bytes) -> None:
    """Create ``path`` with owner-only permissions; never overwrite an existing key."""
    make_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY_FILE)
    except FileExistsError:
        raise KeyFileError(f"{path}: already exists; refusing to overwrite a key") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    restrict(path)
    fsync_dir(path.parent)


def _check_key_file(path: Path) -> None:
    """Refuse a directory, FIFO or device before opening it (reading a FIFO never ends)."""
    try:
        kind = special_kind(path)
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the key ({exc.strerror or exc})") from None
    if kind is not None:
        raise KeyFileError(f"{path}: is {kind}, not a key file")


def _read_private(path: Path) -> object:
    _check_key_file(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read the key ({exc.strerror or exc})") from None
    try:
        return serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"{path}: is not a private key file (PKCS#8 PEM)") from None


def _pem(key: Ed25519PrivateKey | X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


# --- the device's signing key -------------------------------------------------------------


@dataclass(frozen=True)
class DeviceKey:
    """This laptop's identity: its device id and Ed25519 key pair."""

    device_id: str
    private: Ed25519PrivateKey

    @property
    def public_text(self) -> str:
        return encode_public(ED25519, self.private.public_key().public_bytes(*_RAW))

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)

    def enrolment_token(self) -> str:
        """What the QA team passes to ``central enrol --device-key``: ``<device id>:<key>``."""
        return f"{self.device_id}:{self.public_text}"

    def as_json(self) -> str:
        return json.dumps({"device_id": self.device_id, "public_key": self.public_text})


def device_key_path(folder: Path) -> Path:
    """Where this laptop's signing key lives under ``folder`` (the settings' data folder)."""
    return folder / "keys" / "device_ed25519.pem"


def load_device_key(device_id: str, path: Path) -> DeviceKey:
    """The signing key at ``path``, made (owner-only) the first time it is needed."""
    if not path.exists():
        write_private_pem(path, _pem(Ed25519PrivateKey.generate()))
    key = _read_private(path)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"{path}: is not an Ed25519 signing key")
    return DeviceKey(device_id, key)


def own_device_key(settings: Settings) -> DeviceKey:
    """This laptop's signing key, from the settings' data folder (made on first use)."""
    return load_device_key(settings.device_id, device_key_path(settings.data_dir))


def verify_signature(public_text: str, signature: bytes, data: bytes) -> bool:
    """True when ``signature`` is the device key's Ed25519 signature of ``data``."""
    public = Ed25519PublicKey.from_public_bytes(decode_public(public_text, ED25519))
    try:
        public.verify(signature, data)
    except InvalidSignature:
        return False
    return True


# --- the QA team's encryption key -----------------------------------------------------------


def create_qa_key(key_out: Path) -> str:
    """Make the QA key pair: private key to ``key_out`` (0600), public to ``key_out.pub``."""
    pub_path = key_out.with_name(key_out.name + ".pub")
    if pub_path.exists():
        raise KeyFileError(f"{pub_path}: already exists; refusing to overwrite a key")
    private = X25519PrivateKey.generate()
    write_private_pem(key_out, _pem(private))
    public = encode_public(X25519, private.public_key().public_bytes(*_RAW))
    pub_path.write_text(public + "\n", encoding="ascii")
    return public


def load_qa_private(path: Path) -> X25519PrivateKey:
    """The QA team's private key from its PEM file."""
    key = _read_private(path)
    if not isinstance(key, X25519PrivateKey):
        raise KeyFileError(f"{path}: is not the QA team's X25519 private key")
    return key


def qa_public_text(private: X25519PrivateKey) -> str:
    return encode_public(X25519, private.public_key().public_bytes(*_RAW))


def load_qa_public(path: Path) -> X25519PublicKey:
    """The QA team's public key from a ``.pub`` file (``x25519:<base64>``)."""
    _check_key_file(path)
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"{path}: cannot read the QA public key ({exc})") from None
    return X25519PublicKey.from_public_bytes(decode_public(text, X25519))


def public_raw(key: X25519PublicKey) -> bytes:
    return key.public_bytes(*_RAW)
