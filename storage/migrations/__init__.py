"""Alembic, driven from code: no alembic.ini, so it works from an installed wheel.

Alembic's commands are synchronous and its usual async `env.py` calls
`asyncio.run`, which fails inside a running loop (`hearth run` upgrades on
start). Instead each command runs through `AsyncConnection.run_sync` and
hands the connection to `env.py` in `Config.attributes`; the whole upgrade is
one transaction on both databases, since the engine emits SQLite's BEGIN
itself.

SQLite's batch mode rebuilds a table by copying it, which foreign key
enforcement would turn into cascading deletes; migrations therefore run with
`foreign_keys=OFF` and check every key once they are done.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine

SCRIPT_LOCATION = Path(__file__).parent


def alembic_config(connection: Connection) -> Config:
    """A Config for running Alembic commands on an open connection."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


async def upgrade(url: str | URL, revision: str = "head") -> None:
    await _run(url, lambda config: command.upgrade(config, revision))


async def downgrade(url: str | URL, revision: str) -> None:
    await _run(url, lambda config: command.downgrade(config, revision))


def migration_engine(url: str | URL) -> AsyncEngine:
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        # Registered after the engine's own PRAGMAs, so it has the last word.
        @event.listens_for(engine.sync_engine, "connect")
        def foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("PRAGMA foreign_keys=OFF")
            finally:
                cursor.close()

    return engine


async def _run(url: str | URL, step: Callable[[Config], None]) -> None:
    engine = migration_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, step)
    finally:
        await engine.dispose()


def _migrate(connection: Connection, step: Callable[[Config], None]) -> None:
    step(alembic_config(connection))
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left rows with dangling foreign keys: {broken[:5]}")
