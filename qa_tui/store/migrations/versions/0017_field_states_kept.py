"""``field_states`` keeps a row only where it says more than the change log: each record's
creation (its aggregate, and one record per id) and deletion, and each field with several
heads (a conflict, or changes that agree); a field with one head — almost every field — is
derived from its few changes, which the change log's key keeps side by side

Revision ID: 0017
Revises: 0016
"""

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

from qa_tui.ids import id_text

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_KEPT = "('_create', '_deleted')"
_BATCH = 5_000


def upgrade() -> None:
    # ``heads`` is NULL exactly when the field has one head (migration 0010).
    op.execute(f"DELETE FROM field_states WHERE heads IS NULL AND field NOT IN {_KEPT}")


def _text(value: Any) -> str:
    """A change log id as text: 16 bytes on SQLite, a ``uuid`` on PostgreSQL (0016)."""
    return id_text(value) if isinstance(value, bytes) else str(value)


def downgrade() -> None:
    # Every field with one head gets its row back (the others kept theirs): the change log is
    # read in its key's order, so a field's changes come together.
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT evaluation_id, entity_id, field, id, entity_type, supersedes FROM changes "
            f"WHERE field NOT IN {_KEPT} ORDER BY evaluation_id, entity_id, field, id"
        ).execution_options(stream_results=True, yield_per=_BATCH)  # this read only
    )
    insert = sa.text(
        "INSERT INTO field_states (entity_id, field, entity_type, evaluation_id, heads, "
        "winner_id, conflict) VALUES (:entity_id, :field, :entity_type, :evaluation_id, NULL, "
        ":winner_id, :conflict)"
    )
    pending: list[dict[str, Any]] = []
    group: list[Any] = []

    def settle() -> None:
        superseded = {s for r in group for s in json.loads(r.supersedes)}
        heads = [r for r in group if _text(r.id) not in superseded]
        if len(heads) == 1:  # several heads: its row was kept
            head = heads[0]
            pending.append(
                {
                    "entity_id": _text(head.entity_id),
                    "field": head.field,
                    "entity_type": head.entity_type,
                    "evaluation_id": _text(head.evaluation_id),
                    "winner_id": _text(head.id),
                    "conflict": False,
                }
            )

    key: tuple[Any, Any, str] | None = None
    for row in rows:
        row_key = (row.evaluation_id, row.entity_id, row.field)
        if row_key != key and group:
            settle()
            group = []
            if len(pending) >= _BATCH:
                bind.execute(insert, pending)
                pending = []
        key = row_key
        group.append(row)
    if group:
        settle()
    if pending:
        bind.execute(insert, pending)
