"""indexes slimmed to what queries use: ix_changes_device_counter dropped (no query filters
changes by device); the two indexes over every field state's conflict flag replaced by one
partial index over the fields in conflict

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain DROP/CREATE INDEX on both databases (no batch "move and copy" of a table).
    op.drop_index("ix_changes_device_counter", table_name="changes")
    op.drop_index("ix_field_states_conflict", table_name="field_states")
    op.drop_index("ix_field_states_evaluation_conflict", table_name="field_states")
    op.create_index(
        "ix_field_states_conflicts",
        "field_states",
        ["evaluation_id"],
        sqlite_where=sa.text('"conflict" = 1'),
        postgresql_where=sa.text("conflict"),
    )


def downgrade() -> None:
    op.drop_index("ix_field_states_conflicts", table_name="field_states")
    op.create_index(
        "ix_field_states_evaluation_conflict", "field_states", ["evaluation_id", "conflict"]
    )
    op.create_index("ix_field_states_conflict", "field_states", ["conflict"])
    op.create_index("ix_changes_device_counter", "changes", ["device_id", "counter"])
