"""demo data is marked: evaluations.demo and moderation_sessions.demo (set by ``qa-tui demo``,
carried by history)

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing evaluations are real work: false. A plain ADD COLUMN (SQLite and PostgreSQL
    # both have it): a batch "move and copy" of evaluations would trip the foreign keys of
    # every record that belongs to one.
    for table in ("evaluations", "moderation_sessions"):
        op.add_column(
            table, sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    for table in ("moderation_sessions", "evaluations"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("demo")
