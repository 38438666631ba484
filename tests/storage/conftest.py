"""Every storage test runs on SQLite and, when a server is given, on PostgreSQL.

Set HEARTH_TEST_POSTGRES_URL (for example
postgresql://postgres@127.0.0.1:5432/test) to include PostgreSQL. Each test
then gets a database of its own, created on that server and dropped after,
so tests can neither see nor disturb each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from storage import Storage, open_storage, upgrade

POSTGRES_URL = "HEARTH_TEST_POSTGRES_URL"
NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/hearth.db"
        return
    server = os.environ.get(POSTGRES_URL)
    if not server:
        pytest.skip(f"set {POSTGRES_URL} to run the storage tests on PostgreSQL")
    async with fresh_postgres_database(server) as url:
        yield url


@asynccontextmanager
async def fresh_postgres_database(server: str) -> AsyncIterator[str]:
    """A uniquely named, empty database on the server that `server` points at."""
    name = f"hearth_test_{uuid.uuid4().hex[:16]}"
    base = make_url(server).set(drivername="postgresql")
    admin = base.set(database="postgres").render_as_string(hide_password=False)
    connection = await asyncpg.connect(admin)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture
def clock() -> Callable[[], datetime]:
    return lambda: NOW


@pytest.fixture
async def storage(database_url: str, clock: Callable[[], datetime]) -> AsyncIterator[Storage]:
    await upgrade(database_url)
    async with await open_storage(database_url, clock=clock) as opened:
        yield opened


@pytest.fixture
async def other_storage(
    storage: Storage, database_url: str, clock: Callable[[], datetime]
) -> AsyncIterator[Storage]:
    """A second Storage on the same database: another process, as far as locks go."""
    async with await open_storage(database_url, clock=clock) as opened:
        yield opened
