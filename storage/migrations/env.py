"""Alembic's entry point, run on the connection `storage.migrations` hands in.

There is no engine here: `storage.migrations` opens one with the same
tuning as the application, so the schema is migrated the way it is used.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import storage  # noqa: F401  (imports every table onto Base.metadata)
from storage.base import Base


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_connection = context.config.attributes.get("connection")
if context.is_offline_mode() or not isinstance(_connection, Connection):
    raise RuntimeError("run migrations with storage.migrations.upgrade() or downgrade()")
run_migrations(_connection)
