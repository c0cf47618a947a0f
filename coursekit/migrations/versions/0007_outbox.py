"""outbox: messages for an LMS (grades) and an LRS (xAPI statements)

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coursekit_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ordering_key", sa.String(length=255), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_by", sa.String(length=64), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["coursekit_organisations.id"],
            name=op.f("fk_coursekit_outbox_organisation_id_coursekit_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["coursekit_users.id"],
            name=op.f("fk_coursekit_outbox_user_id_coursekit_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursekit_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_coursekit_outbox_idempotency_key")),
    )
    with op.batch_alter_table("coursekit_outbox") as batch:
        batch.create_index(
            batch.f("ix_coursekit_outbox_status_next_attempt_at"),
            ["status", "next_attempt_at"],
            unique=False,
        )
        batch.create_index(
            batch.f("ix_coursekit_outbox_ordering_key_status"),
            ["ordering_key", "status"],
            unique=False,
        )
        batch.create_index(batch.f("ix_coursekit_outbox_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("coursekit_outbox") as batch:
        batch.drop_index(batch.f("ix_coursekit_outbox_user_id"))
        batch.drop_index(batch.f("ix_coursekit_outbox_ordering_key_status"))
        batch.drop_index(batch.f("ix_coursekit_outbox_status_next_attempt_at"))
    op.drop_table("coursekit_outbox")
