"""Alembic environment: runs on the app's engine, touches only coursekit_ tables."""

from alembic import context

from coursekit.models import Base

VERSION_TABLE = "coursekit_alembic_version"


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    # A host's tables share the database; autogenerate must neither see nor drop them.
    return type_ != "table" or (name or "").startswith("coursekit_")


engine = context.config.attributes["engine"]
with engine.connect() as connection:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode copies a table and drops the old one; with foreign keys enforced, that
        # DROP fails as soon as another table's rows point at it. The pragma only changes
        # outside a transaction, hence here; a foreign_key_check at the end keeps the safety.
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
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
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(
                    f"the migration left rows with broken foreign keys: {broken[:5]}"
                )
    if sqlite:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
