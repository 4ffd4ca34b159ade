"""the home list's index: every column its filter and default sort read, so a keystroke's
page and count scan this narrow index, never the evaluations' table

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = [
    "evaluation_date",
    "id",
    "deleted",
    "status",
    "overall_grade",
    "immediate_concern",
    "demo",
    "case_reference",
    "service_area",
    "team",
    "practitioner",
    "auditor",
]


def upgrade() -> None:
    op.create_index("ix_evaluations_home", "evaluations", COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_evaluations_home", table_name="evaluations")
