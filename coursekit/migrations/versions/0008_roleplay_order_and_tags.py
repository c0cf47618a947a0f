"""role-plays: the shuffled order each attempt shows (a seed per attempt, the order seen per
step) and the trainee's tagging of the expectations uncovered

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Attempts from before have no seed (they showed the authored order) and no tags (they
    # were scored without tagging): both stay NULL, and review as they were.
    with op.batch_alter_table("coursekit_roleplay_attempts") as batch:
        batch.add_column(sa.Column("seed", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("tags", sa.JSON(), nullable=True))
    with op.batch_alter_table("coursekit_roleplay_steps") as batch:
        batch.add_column(sa.Column("shown", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("coursekit_roleplay_steps") as batch:
        batch.drop_column("shown")
    with op.batch_alter_table("coursekit_roleplay_attempts") as batch:
        batch.drop_column("tags")
        batch.drop_column("seed")
