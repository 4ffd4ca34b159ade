"""planning the programme: the imported case list, plans (practice days, dip samples,
thematic evaluations with terms of reference and findings), their review groups and
allocations; the board's meetings and its systemic actions with their progress updates

Revision ID: 0008
Revises: 0007
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
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


def _texts(*names: str) -> list[sa.Column[Any]]:
    return [sa.Column(name, sa.Text(), nullable=False) for name in names]


def _short(*names: str) -> list[sa.Column[Any]]:
    return [sa.Column(name, sa.String(length=200), nullable=False) for name in names]


def upgrade() -> None:
    op.create_table(
        "case_list",
        sa.Column("reference", sa.String(length=64), nullable=False),
        *_short("service_area", "team", "worker", "category"),
        sa.Column("opened_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("reference"),
    )
    op.create_table(
        "plans",
        sa.Column("kind", sa.String(length=16), nullable=False),
        *_short("title", "service_area"),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("hypothesis", sa.Text(), nullable=False),
        sa.Column("template_id", sa.String(length=100), nullable=False),
        *_texts(
            "sample",
            "rules",
            "notes",
            "tor_why",
            "tor_scope",
            "tor_criteria",
            "tor_who",
            "tor_methods",
            "tor_timescale",
            "findings_strengths",
            "findings_barriers",
            "findings_good_practice",
            "findings_weaknesses",
            "findings_board_actions",
        ),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plans_starts_on", "plans", ["starts_on"])
    op.create_table(
        "plan_members",
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        *_short("name", "role", "team", "service_area"),
        sa.Column("supervises", sa.Text(), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_plan_members_plan_id", "plan_members", ["plan_id"])
    op.create_table(
        "allocations",
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        sa.Column("case_reference", sa.String(length=64), nullable=False),
        *_short("reviewer", "service_area", "team", "worker", "category"),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("started_evaluation_id", sa.String(length=36), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_allocations_plan_id", "allocations", ["plan_id"])
    op.create_index("ix_allocations_reviewer", "allocations", ["reviewer"])
    op.create_table(
        "board_meetings",
        sa.Column("held_on", sa.Date(), nullable=True),
        *_short("title"),
        sa.Column("report_deadline", sa.Date(), nullable=True),
        *_texts("notes"),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_board_meetings_held_on", "board_meetings", ["held_on"])
    op.create_table(
        "board_actions",
        *_texts("description"),
        *_short("owner"),
        sa.Column("raised_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        *_texts("evidence"),
        sa.Column("plan_id", sa.String(length=36), nullable=False),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_board_actions_due_on", "board_actions", ["due_on"])
    op.create_table(
        "board_action_updates",
        sa.Column("action_id", sa.String(length=36), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        *_texts("note"),
        *_record_columns(),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_board_action_updates_action_id", "board_action_updates", ["action_id"])


def downgrade() -> None:
    for table in (
        "board_action_updates",
        "board_actions",
        "board_meetings",
        "allocations",
        "plan_members",
        "plans",
        "case_list",
    ):
        op.drop_table(table)
