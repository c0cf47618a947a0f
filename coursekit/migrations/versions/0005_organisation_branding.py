"""organisation branding for certificates

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coursekit_organisations") as batch:
        batch.add_column(sa.Column("certificate_issuer", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("certificate_signatory", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("certificate_signatory_role", sa.String(length=200), nullable=True)
        )
        batch.add_column(sa.Column("certificate_accent", sa.String(length=7), nullable=True))
        batch.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("logo_type", sa.String(length=40), nullable=True))
        batch.drop_column("logo_url")


def downgrade() -> None:
    with op.batch_alter_table("coursekit_organisations") as batch:
        batch.add_column(sa.Column("logo_url", sa.String(length=500), nullable=True))
        batch.drop_column("logo_type")
        batch.drop_column("logo")
        batch.drop_column("certificate_accent")
        batch.drop_column("certificate_signatory_role")
        batch.drop_column("certificate_signatory")
        batch.drop_column("certificate_issuer")
