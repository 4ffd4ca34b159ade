"""What a merge is given and what it tells: where the changes come from (:class:`Provenance`,
recorded in the ledger) and what was merged (:class:`MergeReport`: counts by kind, batches
and transactions, the longest hold of the write lock, the template texts kept or lacking)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from qa_tui.sync.aggregates import roots_in_words


@dataclass(frozen=True)
class Provenance:
    """Where merged changes come from: a bundle file or a direct sync session."""

    bundle_id: str
    kind: str
    device_id: str
    format_version: int
    schema_revision: str
    created_at: str
    file_sha256: str = ""
    content_hash: str = ""


@dataclass
class MergeReport:
    """What one merge did: how many aggregates it merged of each root type (``evaluations``,
    ``sessions``, and ``other``: the programme's, by root type — plans, board meetings, board
    actions), and how many of them it gave new changes (``touched``).

    Counts, not ids: a report of a merge of 100,000 evaluations holds a few numbers, not
    100,000 ids (what was merged is in the database; a bundle's verification keeps its ids in
    the spool, :meth:`~qa_tui.sync.spool.Spool.heads`). Each aggregate is counted once: a
    merge takes each at most once (a bundle's are verified to be distinct)."""

    bundle_id: str
    changes: int = 0
    new_changes: int = 0
    already_merged: bool = False
    merged_at: str = ""
    batches: int = 0  # batches committed (merge_in_batches)
    transactions: int = 0  # the transactions that committed them (one or more batches each)
    longest_hold: float = 0.0  # seconds the longest transaction held the write lock
    checkpoints: int = 0  # SQLite: checkpoints run beside the batches (sync.checkpointing)
    committed: int = 0  # aggregates in the batches committed so far
    merged_kinds: Counter[str] = field(default_factory=Counter)  # root type -> aggregates
    touched_by_kind: Counter[str] = field(default_factory=Counter)  # of them, given changes
    # Template texts (:mod:`qa_tui.sync.template_texts`): those the database kept of templates
    # qa-tui does not ship ("id version"), those left out (why), and the templates merged
    # evaluations use that it still has no text for ("id version" -> evaluations).
    templates_added: list[str] = field(default_factory=list)
    templates_left_out: list[str] = field(default_factory=list)
    untexted: dict[str, int] = field(default_factory=dict)

    def count_root(self, root_type: str) -> None:
        """One more aggregate merged, of ``root_type``."""
        self.merged_kinds[root_type] += 1

    def touch(self, root_type: str) -> None:
        """One of the aggregates merged, of ``root_type``, was given new changes."""
        self.touched_by_kind[root_type] += 1

    def kinds(self) -> dict[str, int]:
        """How many aggregates were merged of each root type."""
        return {kind: n for kind, n in self.merged_kinds.items() if n}

    @property
    def evaluations(self) -> int:
        return self.merged_kinds["evaluation"]

    @property
    def sessions(self) -> int:
        return self.merged_kinds["moderation_session"]

    @property
    def other(self) -> dict[str, int]:
        """The programme's aggregates merged, by root type (plans, board meetings, …)."""
        mine = ("evaluation", "moderation_session")
        return {kind: n for kind, n in self.kinds().items() if kind not in mine}

    def touched_kinds(self) -> dict[str, int]:
        """How many of the aggregates given new changes are of each root type."""
        return {kind: n for kind, n in self.touched_by_kind.items() if n}

    @property
    def touched(self) -> int:
        """How many aggregates were given new changes."""
        return sum(self.touched_by_kind.values())

    @property
    def aggregates(self) -> int:
        """Every aggregate merged, of every kind."""
        return sum(self.merged_kinds.values())

    def summary(self) -> str:
        if self.already_merged:
            return f"bundle {self.bundle_id} already merged on {self.merged_at}; nothing changed"
        text = (
            f"merged {roots_in_words(self.kinds())}: {self.new_changes} new changes "
            f"of {self.changes}"
        )
        return text + "".join(f"; {note}" for note in self.template_notes())

    def template_notes(self) -> list[str]:
        """What the merge did with template texts, and what it still lacks, a note each."""
        notes = []
        if self.templates_added:
            texts = "text" if len(self.templates_added) == 1 else "texts"
            notes.append(f"template {texts} kept: {', '.join(self.templates_added)}")
        notes.extend(f"left out {reason}" for reason in self.templates_left_out)
        for label, count in self.untexted.items():
            used = "evaluation uses" if count == 1 else "evaluations use"
            notes.append(
                f"{count} {used} template {label}, whose text this database lacks: its items "
                "show by id in reports until the QA team publishes it here "
                "(qa-tui central template publish FILE --db URL)"
            )
        return notes
