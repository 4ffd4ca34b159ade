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
    # Existing evaluations are real work unless their history says otherwise: false.
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_column("demo")
