"""Errors the user can act on.

Every error raised deliberately by the core is a :class:`QaError`: its message is one line
that names what went wrong and where, and the CLI and the TUI show it as it is, never a
traceback.
"""

from __future__ import annotations


class QaError(Exception):
    """A problem the user can act on; ``str(err)`` is a complete one-line message."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class ConfigError(QaError):
    """The settings file is unreadable or holds a value that is not allowed."""


class ValidationError(QaError):
    """User input that the domain rejects; ``field`` names the field at fault."""


class TemplateError(QaError):
    """A template file that does not load or validate."""


class StoreError(QaError):
    """The database cannot be opened, upgraded or written."""


class NoDatabaseError(StoreError):
    """A command that may not create a database was given one that does not exist."""


class StoreBusyError(StoreError):
    """Another program (another merge) holds the database's write lock for too long."""


class ReadOnlyError(QaError):
    """A change to a completed evaluation (reopen it first)."""


class NotFoundError(QaError):
    """A record that does not exist."""
