"""hand-over to the QA team: devices, merge ledger, acknowledgements, purges

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("public_key", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("enrolled_at", sa.String(length=32), nullable=False),
        sa.Column("revoked_at", sa.String(length=32), nullable=True),
        sa.Column("revoked_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("device_id"),
    )
    op.create_table(
        "merged_bundles",
        sa.Column("bundle_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("format_version", sa.Integer(), nullable=False),
        sa.Column("schema_revision", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("merged_at", sa.String(length=32), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("evaluations", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("new_changes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id"),
    )
    op.create_table(
        "sync_acks",
        sa.Column("evaluation_id", sa.String(length=36), nullable=False),
        sa.Column("central_id", sa.String(length=36), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("change_count", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("evaluation_id"),
    )
    op.create_table(
        "purged_evaluations",
        sa.Column("evaluation_id", sa.String(length=36), nullable=False),
        sa.Column("purged_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("evaluation_id"),
    )


def downgrade() -> None:
    op.drop_table("purged_evaluations")
    op.drop_table("sync_acks")
    op.drop_table("merged_bundles")
    op.drop_table("devices")
