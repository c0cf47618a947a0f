"""cohort invitations: a roster invites e-mails; the person accepts

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coursekit_cohort_invitations",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["coursekit_cohorts.id"],
            name=op.f("fk_coursekit_cohort_invitations_cohort_id_coursekit_cohorts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort_id", "email", name=op.f("pk_coursekit_cohort_invitations")),
    )
    op.create_index(
        op.f("ix_coursekit_cohort_invitations_email"),
        "coursekit_cohort_invitations",
        ["email"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_coursekit_cohort_invitations_email"), table_name="coursekit_cohort_invitations"
    )
    op.drop_table("coursekit_cohort_invitations")
