"""Alembic environment: runs migrations on the engine Paperboard hands over (never reads alembic.ini)."""

from alembic import context

from paperboard.storage.engine import unlimited
from paperboard.storage.schema import metadata

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    unlimited(connection)  # a migration over millions of rows may outlast a web request's statement limit
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()
