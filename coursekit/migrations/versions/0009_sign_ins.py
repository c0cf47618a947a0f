"""sign-ins: one row per device signed in, so that logout ends it on the server

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coursekit_sign_ins",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["coursekit_users.id"],
            name=op.f("fk_coursekit_sign_ins_user_id_coursekit_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursekit_sign_ins")),
    )
    op.create_index(
        op.f("ix_coursekit_sign_ins_user_id"), "coursekit_sign_ins", ["user_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_coursekit_sign_ins_user_id"), table_name="coursekit_sign_ins")
    op.drop_table("coursekit_sign_ins")
