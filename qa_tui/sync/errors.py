"""Errors of hand-over and sync: each a :class:`~qa_tui.errors.QaError` with a one-line message."""

from __future__ import annotations

from qa_tui.errors import QaError


class SyncError(QaError):
    """Keys, the central database or a direct sync cannot do what was asked."""


class BundleError(SyncError):
    """A bundle is refused (corrupt, tampered, unknown device, wrong key, newer format, …)."""


class KeyFileError(SyncError):
    """A key file is missing, unreadable, of the wrong kind or would be overwritten."""


class PartlyMerged(SyncError):
    """A merge stopped (refused, or the database busy) after some of its batches committed.

    What they wrote stays: whole evaluations, each valid on its own, the bundle not yet in the
    ledger. ``merged`` says how many aggregates that is; ``busy`` whether merging the bundle
    again will finish it (a refusal will stop at the same place).
    """

    def __init__(self, reason: str, merged: int, busy: bool) -> None:
        super().__init__(reason)
        self.reason, self.merged, self.busy = reason, merged, busy

    def words(self) -> str:
        """What happened, in one line (the command line and the app say the same)."""
        kept = (
            "the 1 evaluation merged before it stopped stays, whole"
            if self.merged == 1
            else f"the {self.merged} evaluations merged before it stopped stay, whole"
        )
        if self.busy:
            return (
                f"the central database is busy with another merge; {kept} — merge the bundle "
                "again to finish (nothing is duplicated)"
            )
        return f"refused {self.reason}; {kept} (each valid on its own)"
