"""five indexes dropped whose column is the first of another index on the same table (which
finds the same rows): ``responses``, ``scales`` and ``actions`` by evaluation (their report
indexes lead with it), moderations by date and moderation judgements by moderation (likewise)

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

# (index, table, column): each column leads another index of its table.
_REPEATED = (
    ("ix_responses_evaluation_id", "responses", "evaluation_id"),
    ("ix_scales_evaluation_id", "scales", "evaluation_id"),
    ("ix_actions_evaluation_id", "actions", "evaluation_id"),
    ("ix_moderations_moderated_on", "moderations", "moderated_on"),
    ("ix_moderation_judgements_moderation_id", "moderation_judgements", "moderation_id"),
)


def upgrade() -> None:
    for name, table, _column in _REPEATED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, column in _REPEATED:
        op.create_index(name, table, [column])
