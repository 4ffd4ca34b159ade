"""a direct sync's pull finds the evaluations this device made or this user audits from two
indexes, ``(created_device, id)`` and ``(auditor, id)``, instead of reading every evaluation of
the central database (``sync.direct.wanted_evaluations``: its ``created_device = ? OR auditor
= ?`` was a pass over the whole table in every laptop's sync, growing with the database rather
than with what the laptop holds)

Revision ID: 0025
Revises: 0024
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_evaluations_device": ["created_device", "id"],
    "ix_evaluations_auditor": ["auditor", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "evaluations", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="evaluations")
