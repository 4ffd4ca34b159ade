"""demo evaluations are marked: evaluations.demo (set by ``qa-tui demo``, carried by history)

Revision ID: 0004_demo
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_demo"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing evaluations are real work: false. A plain ADD COLUMN (SQLite and PostgreSQL
    # both have it): a batch "move and copy" of evaluations would trip the foreign keys of
    # every record that belongs to one.
    op.add_column(
        "evaluations",
        sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("evaluations", "demo")
