"""the change log's two indexes (by record and field; by aggregate) replaced by one by
aggregate, record and field: every query names the aggregate, and a merge's new changes land on
an aggregate's few neighbouring pages of it instead of a random page each

Revision ID: 0012
Revises: 0011
"""

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


def downgrade() -> None:
    op.create_index("ix_changes_evaluation", "changes", ["evaluation_id"])
    op.create_index("ix_changes_entity_field", "changes", ["entity_id", "field"])
    op.drop_index("ix_changes_aggregate_entity_field", table_name="changes")
