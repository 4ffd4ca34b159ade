"""follow-through: action progress updates, concern lifecycle events, summary shares

Revision ID: 0005
Revises: 0004

The action's current status is derived from its updates into columns of ``actions``; an
action that has none keeps the status it was agreed with, so existing rows start with their
own status, completion date and progress copied across.
"""

import sqlalchemy as sa
from alembic import op

REPORT_INDEX = ["evaluation_id", "current_status", "due_date", "status_on", "created_at", "deleted"]

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _record_columns() -> list[sa.Column]:  # type: ignore[type-arg]  # sa.Column is generic; the columns differ in type
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_device", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    ]


def _table(name: str, *columns: sa.Column) -> None:  # type: ignore[type-arg]  # sa.Column is generic; the columns differ in type
    op.create_table(
        name,
        sa.Column("evaluation_id", sa.String(length=36), nullable=False),
        *columns,
        *_record_columns(),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(f"ix_{name}_evaluation_id", ["evaluation_id"], unique=False)


def upgrade() -> None:
    _table(
        "action_updates",
        sa.Column("action_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_on", sa.Date(), nullable=True),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index("ix_action_updates_action_id", ["action_id"], unique=False)
    _table(
        "concern_events",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("person_role", sa.String(length=64), nullable=False),
        sa.Column("person_name", sa.String(length=200), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
    )
    _table(
        "summary_shares",
        sa.Column("recipient_role", sa.String(length=64), nullable=False),
        sa.Column("recipient_name", sa.String(length=200), nullable=False),
        sa.Column("shared_on", sa.Date(), nullable=True),
        sa.Column("method", sa.String(length=64), nullable=False),
    )
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("current_status", sa.String(length=16), nullable=False, server_default="open")
        )
        batch_op.add_column(sa.Column("status_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("status_note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("status_by", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("due_key", sa.Date(), nullable=False, server_default="9999-12-31")
        )
        batch_op.create_index("ix_actions_status_due", ["current_status", "due_key", "id"])
        batch_op.create_index("ix_actions_due", ["due_key", "id"])
        batch_op.create_index("ix_actions_owner", ["owner"])
        # The reports' index (0004) follows the status reports now read: the derived one.
        batch_op.drop_index("ix_actions_report")
        batch_op.create_index("ix_actions_report", REPORT_INDEX)
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_evaluations_concern", ["immediate_concern"])
    with op.batch_alter_table("field_states", schema=None) as batch_op:
        batch_op.create_index("ix_field_states_evaluation_conflict", ["evaluation_id", "conflict"])
    # No updates exist yet: every action's current status is the one it was agreed with.
    op.execute(
        "UPDATE actions SET current_status = status, status_note = progress, "
        "status_on = CASE WHEN status = 'done' THEN completed_on ELSE NULL END, "
        "due_key = COALESCE(due_date, '9999-12-31')"
    )


def downgrade() -> None:
    with op.batch_alter_table("field_states", schema=None) as batch_op:
        batch_op.drop_index("ix_field_states_evaluation_conflict")
    with op.batch_alter_table("evaluations", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluations_concern")
    with op.batch_alter_table("actions", schema=None) as batch_op:
        batch_op.drop_index("ix_actions_owner")
        batch_op.drop_index("ix_actions_report")
        batch_op.create_index(
            "ix_actions_report",
            ["evaluation_id", "status", "due_date", "completed_on", "created_at", "deleted"],
        )
        batch_op.drop_index("ix_actions_due")
        batch_op.drop_index("ix_actions_status_due")
        batch_op.drop_column("due_key")
        batch_op.drop_column("status_by")
        batch_op.drop_column("status_note")
        batch_op.drop_column("status_on")
        batch_op.drop_column("current_status")
    for name in ("summary_shares", "concern_events", "action_updates"):
        op.drop_table(name)
