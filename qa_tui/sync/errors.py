"""Errors of hand-over and sync: each a :class:`~qa_tui.errors.QaError` with a one-line message."""

from __future__ import annotations

from qa_tui.errors import QaError


class SyncError(QaError):
    """Keys, the central database or a direct sync cannot do what was asked."""


class BundleError(SyncError):
    """A bundle is refused (corrupt, tampered, unknown device, wrong key, newer format, …)."""


class KeyFileError(SyncError):
    """A key file is missing, unreadable, of the wrong kind or would be overwritten."""
