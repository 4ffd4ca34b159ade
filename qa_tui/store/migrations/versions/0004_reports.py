"""reports: covering indexes for the aggregates of the reports and the dashboard

Revision ID: 0004
Revises: 0003

Read-side only: every report and dashboard chart groups the ratings, scales, actions and
moderation judgements of the evaluations dated in a period. With these indexes the database
answers from the index pages alone — the evaluations of a period by date, and each one's
ratings by evaluation id with the grade beside it — instead of reading rows that carry long
evidence text. Nothing is written differently; ``qa_tui.store.bulk.indexes_deferred`` builds
them once at the end of a demo fill like the rest, and gathers the planner's statistics.
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_evaluations_report": (
        "evaluations",
        [
            "evaluation_date",
            "status",
            "deleted",
            "service_area",
            "team",
            "evaluation_type",
            "template_id",
            "overall_grade",
            "auditor",
            "immediate_concern",
            "id",
        ],
    ),
    # An evaluation found by its id (from a rating, an action, a judgement) without its row.
    "ix_evaluations_by_id": (
        "evaluations",
        ["id", "deleted", "template_id", "service_area", "team", "status", "evaluation_date"],
    ),
    "ix_responses_report": ("responses", ["evaluation_id", "grade", "item_id", "deleted"]),
    "ix_scales_report": ("scales", ["evaluation_id", "score", "item_id", "deleted"]),
    "ix_actions_report": (
        "actions",
        ["evaluation_id", "status", "due_date", "completed_on", "created_at", "deleted"],
    ),
    "ix_moderation_judgements_report": (
        "moderation_judgements",
        ["moderation_id", "evaluation_id", "auditor_grade", "moderated_grade", "deleted"],
    ),
    "ix_moderations_report": ("moderations", ["moderated_on", "deleted", "evaluation_id", "id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)
    if op.get_bind().dialect.name == "sqlite":
        # Statistics, so SQLite's planner starts from the small side of each join (a period's
        # moderations, not every judgement). PostgreSQL keeps its own (autovacuum).
        op.execute("ANALYZE")


def downgrade() -> None:
    for name, (table, _columns) in INDEXES.items():
        op.drop_index(name, table_name=table)
