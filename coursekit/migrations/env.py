"""Alembic environment: runs on the app's engine, touches only coursekit_ tables."""

from alembic import context

from coursekit.models import Base

VERSION_TABLE = "coursekit_alembic_version"


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    # A host's tables share the database; autogenerate must neither see nor drop them.
    return type_ != "table" or (name or "").startswith("coursekit_")


engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        version_table=VERSION_TABLE,
        include_name=include_name,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
