"""Alembic, driven from the app: CourseKit's migrations, on CourseKit's engine."""

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from . import paths


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(paths.migrations_dir()))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    command.downgrade(alembic_config(engine), revision)


def current(engine: Engine) -> None:
    command.current(alembic_config(engine), verbose=True)


def revision(engine: Engine, message: str, autogenerate: bool = True) -> None:
    command.revision(alembic_config(engine), message=message, autogenerate=autogenerate)
