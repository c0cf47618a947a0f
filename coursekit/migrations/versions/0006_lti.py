"""lti: tool keys, platform registrations, one-time values, contexts and resource links

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coursekit_lti_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retire_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursekit_lti_keys")),
        sa.UniqueConstraint("kid", name=op.f("uq_coursekit_lti_keys_kid")),
    )
    op.create_table(
        "coursekit_lti_platforms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("client_id", sa.String(length=255), nullable=False),
        sa.Column("auth_login_url", sa.String(length=500), nullable=False),
        sa.Column("token_url", sa.String(length=500), nullable=False),
        sa.Column("token_audience", sa.String(length=500), nullable=True),
        sa.Column("jwks_url", sa.String(length=500), nullable=False),
        sa.Column("frame_origins", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["coursekit_organisations.id"],
            name=op.f("fk_coursekit_lti_platforms_organisation_id_coursekit_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursekit_lti_platforms")),
        sa.UniqueConstraint(
            "issuer", "client_id", name=op.f("uq_coursekit_lti_platforms_issuer_client_id")
        ),
    )
    with op.batch_alter_table("coursekit_lti_platforms") as batch:
        batch.create_index(
            batch.f("ix_coursekit_lti_platforms_organisation_id"), ["organisation_id"]
        )
    op.create_table(
        "coursekit_lti_deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["coursekit_lti_platforms.id"],
            name=op.f("fk_coursekit_lti_deployments_platform_id_coursekit_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursekit_lti_deployments")),
        sa.UniqueConstraint(
            "platform_id",
            "deployment_id",
            name=op.f("uq_coursekit_lti_deployments_platform_id_deployment_id"),
        ),
    )
    with op.batch_alter_table("coursekit_lti_deployments") as batch:
        batch.create_index(batch.f("ix_coursekit_lti_deployments_platform_id"), ["platform_id"])
    op.create_table(
        "coursekit_lti_one_time_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("value_hash", sa.String(length=64), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=True),
        sa.Column("platform_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["coursekit_lti_platforms.id"],
            name=op.f("fk_coursekit_lti_one_time_values_platform_id_coursekit_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["coursekit_users.id"],
            name=op.f("fk_coursekit_lti_one_time_values_user_id_coursekit_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursekit_lti_one_time_values")),
        sa.UniqueConstraint("value_hash", name=op.f("uq_coursekit_lti_one_time_values_value_hash")),
    )
    with op.batch_alter_table("coursekit_lti_one_time_values") as batch:
        batch.create_index(batch.f("ix_coursekit_lti_one_time_values_expires_at"), ["expires_at"])
    op.create_table(
        "coursekit_lti_registration_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("platform_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["coursekit_users.id"],
            name=op.f("fk_coursekit_lti_registration_tokens_created_by_coursekit_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["coursekit_organisations.id"],
            name=op.f(
                "fk_coursekit_lti_registration_tokens_organisation_id_coursekit_organisations"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["coursekit_lti_platforms.id"],
            name=op.f("fk_coursekit_lti_registration_tokens_platform_id_coursekit_lti_platforms"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursekit_lti_registration_tokens")),
        sa.UniqueConstraint(
            "token_hash", name=op.f("uq_coursekit_lti_registration_tokens_token_hash")
        ),
    )
    op.create_table(
        "coursekit_lti_contexts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.Column("context_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("memberships_url", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["coursekit_cohorts.id"],
            name=op.f("fk_coursekit_lti_contexts_cohort_id_coursekit_cohorts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["coursekit_lti_platforms.id"],
            name=op.f("fk_coursekit_lti_contexts_platform_id_coursekit_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursekit_lti_contexts")),
        sa.UniqueConstraint(
            "platform_id",
            "deployment_id",
            "context_id",
            name=op.f("uq_coursekit_lti_contexts_platform_id_deployment_id_context_id"),
        ),
    )
    with op.batch_alter_table("coursekit_lti_contexts") as batch:
        batch.create_index(batch.f("ix_coursekit_lti_contexts_cohort_id"), ["cohort_id"])
    op.create_table(
        "coursekit_lti_resource_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform_id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.String(length=255), nullable=False),
        sa.Column("resource_link_id", sa.String(length=255), nullable=False),
        sa.Column("context_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("target", sa.String(length=100), nullable=False),
        sa.Column("lineitem_url", sa.Text(), nullable=True),
        sa.Column("lineitems_url", sa.Text(), nullable=True),
        sa.Column("ags_scopes", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["context_id"],
            ["coursekit_lti_contexts.id"],
            name=op.f("fk_coursekit_lti_resource_links_context_id_coursekit_lti_contexts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["platform_id"],
            ["coursekit_lti_platforms.id"],
            name=op.f("fk_coursekit_lti_resource_links_platform_id_coursekit_lti_platforms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coursekit_lti_resource_links")),
        sa.UniqueConstraint(
            "platform_id",
            "deployment_id",
            "resource_link_id",
            name=op.f("uq_coursekit_lti_resource_links_platform_id_deployment_id_resource_link_id"),
        ),
    )
    with op.batch_alter_table("coursekit_lti_resource_links") as batch:
        batch.create_index(batch.f("ix_coursekit_lti_resource_links_context_id"), ["context_id"])
    op.create_table(
        "coursekit_lti_user_links",
        sa.Column("resource_link_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("lineitem_url", sa.Text(), nullable=True),
        sa.Column("lineitems_url", sa.Text(), nullable=True),
        sa.Column("ags_scopes", sa.JSON(), nullable=False),
        sa.Column("last_launch_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_link_id"],
            ["coursekit_lti_resource_links.id"],
            name=op.f("fk_coursekit_lti_user_links_resource_link_id_coursekit_lti_resource_links"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["coursekit_users.id"],
            name=op.f("fk_coursekit_lti_user_links_user_id_coursekit_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "resource_link_id", "user_id", name=op.f("pk_coursekit_lti_user_links")
        ),
    )
    with op.batch_alter_table("coursekit_lti_user_links") as batch:
        batch.create_index(batch.f("ix_coursekit_lti_user_links_user_id"), ["user_id"])


def downgrade() -> None:
    for table in (
        "coursekit_lti_user_links",
        "coursekit_lti_resource_links",
        "coursekit_lti_contexts",
        "coursekit_lti_registration_tokens",
        "coursekit_lti_one_time_values",
        "coursekit_lti_deployments",
        "coursekit_lti_platforms",
        "coursekit_lti_keys",
    ):
        op.drop_table(table)
