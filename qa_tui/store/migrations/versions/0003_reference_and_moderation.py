"""reference data and moderation: teams, published templates, moderations and their judgements

Revision ID: 0003
Revises: 0002
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_device", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("service_area", sa.String(length=200), nullable=False),
        sa.Column("retired", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("template_snapshots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.String(length=32), nullable=True))

    op.create_table(
        "moderations",
        sa.Column("evaluation_id", sa.String(length=36), nullable=False),
        sa.Column("moderator", sa.String(length=200), nullable=False),
        sa.Column("moderator_role", sa.String(length=200), nullable=False),
        sa.Column("moderated_on", sa.Date(), nullable=True),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.Column("learning_points", sa.Text(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("moderations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderations_evaluation_id"), ["evaluation_id"], unique=False
        )

    op.create_table(
        "moderation_judgements",
        sa.Column("evaluation_id", sa.String(length=36), nullable=False),
        sa.Column("moderation_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("auditor_grade", sa.String(length=64), nullable=False),
        sa.Column("moderated_grade", sa.String(length=64), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        *_record_columns(),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("moderation_judgements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_moderation_judgements_evaluation_id"), ["evaluation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_moderation_judgements_moderation_id"), ["moderation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("moderation_judgements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_judgements_moderation_id"))
        batch_op.drop_index(batch_op.f("ix_moderation_judgements_evaluation_id"))
    op.drop_table("moderation_judgements")
    with op.batch_alter_table("moderations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderations_evaluation_id"))
    op.drop_table("moderations")
    with op.batch_alter_table("template_snapshots", schema=None) as batch_op:
        batch_op.drop_column("published_at")
    op.drop_table("teams")
