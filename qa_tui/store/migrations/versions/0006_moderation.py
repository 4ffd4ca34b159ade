"""moderation sessions: sessions, their moderators and blind grades; session fields of a
moderation (the session, whether the auditor's grades are revealed, feedback to the auditor)

Revision ID: 0006
Revises: 0005
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
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
        "moderation_sessions",
        sa.Column("held_on", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("blind_first", sa.Boolean(), nullable=False),
        sa.Column("sample", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("closed_at", sa.String(length=32), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("moderation_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_moderation_sessions_held_on"), ["held_on"])
    op.create_table(
        "session_moderators",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("session_moderators", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_session_moderators_session_id"), ["session_id"], unique=False
        )
    op.create_table(
        "blind_grades",
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("moderator_id", sa.String(length=36), nullable=False),
        sa.Column("target_evaluation_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("grade", sa.String(length=64), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("blind_grades", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blind_grades_session_id"), ["session_id"])
        batch_op.create_index(
            batch_op.f("ix_blind_grades_target_evaluation_id"), ["target_evaluation_id"]
        )
    # Moderations made before sessions existed belong to none, are not revealed (there was no
    # blind pass) and carry no written feedback: the defaults below, on the rows already there.
    with op.batch_alter_table("moderations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_id", sa.String(length=36), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("revealed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("feedback_strengths", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("feedback_gaps", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_moderations_session_id"), ["session_id"])
        # Reports select moderations by date: an index, so a month does not read every year.
        batch_op.create_index(batch_op.f("ix_moderations_moderated_on"), ["moderated_on"])


def downgrade() -> None:
    with op.batch_alter_table("moderations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderations_moderated_on"))
        batch_op.drop_index(batch_op.f("ix_moderations_session_id"))
        batch_op.drop_column("feedback_gaps")
        batch_op.drop_column("feedback_strengths")
        batch_op.drop_column("revealed")
        batch_op.drop_column("session_id")
    with op.batch_alter_table("blind_grades", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blind_grades_target_evaluation_id"))
        batch_op.drop_index(batch_op.f("ix_blind_grades_session_id"))
    op.drop_table("blind_grades")
    with op.batch_alter_table("session_moderators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_session_moderators_session_id"))
    op.drop_table("session_moderators")
    with op.batch_alter_table("moderation_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_moderation_sessions_held_on"))
    op.drop_table("moderation_sessions")
