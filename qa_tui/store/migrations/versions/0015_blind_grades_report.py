"""the blind grades' report index: a year's blind grades grouped by unit straight from the
index, in its order (session, evaluation, item), with the grade and the moderator in it; it
replaces the index on the session alone (its first column)

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

COLUMNS = ["session_id", "target_evaluation_id", "item_id", "deleted", "grade", "moderator_id"]


def upgrade() -> None:
    op.create_index("ix_blind_grades_report", "blind_grades", COLUMNS)
    op.drop_index("ix_blind_grades_session_id", table_name="blind_grades")


def downgrade() -> None:
    op.create_index("ix_blind_grades_session_id", "blind_grades", ["session_id"])
    op.drop_index("ix_blind_grades_report", table_name="blind_grades")
