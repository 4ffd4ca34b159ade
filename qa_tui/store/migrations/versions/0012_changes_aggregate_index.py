"""the change log's two indexes (by record and field; by aggregate) replaced by one by
aggregate, record and field: every query names the aggregate, and a merge's new changes land on
an aggregate's few neighbouring pages of it instead of a random page each; a partial index of
the deleted records' fields, so listing conflicts no longer reads every field state

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain CREATE/DROP INDEX on both databases (no batch "move and copy" of the table).
    op.create_index(
        "ix_changes_aggregate_entity_field", "changes", ["evaluation_id", "entity_id", "field"]
    )
    op.drop_index("ix_changes_entity_field", table_name="changes")
    op.drop_index("ix_changes_evaluation", table_name="changes")
    # The deleted records' fields (a few rows), for the delete conflicts: without it, listing
    # conflicts read every field state.
    op.create_index(
        "ix_field_states_deletions",
        "field_states",
        ["evaluation_id"],
        sqlite_where=sa.text("field = '_deleted'"),
        postgresql_where=sa.text("field = '_deleted'"),
    )


def downgrade() -> None:
    op.drop_index("ix_field_states_deletions", table_name="field_states")
    op.create_index("ix_changes_evaluation", "changes", ["evaluation_id"])
    op.create_index("ix_changes_entity_field", "changes", ["entity_id", "field"])
    op.drop_index("ix_changes_aggregate_entity_field", table_name="changes")
