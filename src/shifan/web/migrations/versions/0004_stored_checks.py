"""checks kept with the application version they belong to (with the dashboard's summary row);
indexes for the dashboard and pages

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEXES = [
    ("ix_applicants_round_id", "applicants", ["round_id"]),
    ("ix_applicants_user_id", "applicants", ["user_id"]),
    ("ix_attachments_applicant_id", "attachments", ["applicant_id"]),
    ("ix_assignments_expert_id", "assignments", ["expert_id"]),
]


def upgrade() -> None:
    op.create_table(
        "checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("applicant_id", sa.Integer(), nullable=False),
        sa.Column("application_sha", sa.String(length=64), nullable=False),
        sa.Column("criteria", sa.String(length=100), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=64), nullable=False),
        sa.Column("rubric_sha", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("reviews", sa.Text(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["applicant_id"], ["applicants.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_checks_lookup", "checks", ["applicant_id", "application_sha", "criteria", "as_of", "basis"])
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_checks_lookup", table_name="checks")
    op.drop_table("checks")
