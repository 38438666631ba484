"""Databases the benchmarks build on, and reads that never wait for a server."""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.chat import Workspace, WorkspaceRef
from storage import create_engine, open_storage, upgrade


@asynccontextmanager
async def database(args: argparse.Namespace, *, name: str) -> AsyncIterator[str]:
    """The URL to build on: `--database`, a new PostgreSQL database on `--postgres`,
    or a temporary SQLite file called `name`."""
    if args.database:
        yield args.database
        return
    if args.postgres:
        async with fresh_postgres(args.postgres) as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as folder:
        yield f"sqlite:///{Path(folder) / name}"


@asynccontextmanager
async def fresh_postgres(server: str) -> AsyncIterator[str]:
    """A new, uniquely named database on `server`, dropped afterwards."""
    name = f"hearth_bench_{uuid.uuid4().hex[:12]}"
    base = make_url(server).set(drivername="postgresql")
    admin = create_engine(base.set(database="postgres"))
    try:
        async with admin.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            yield base.set(database=name).render_as_string(hide_password=False)
        finally:
            async with admin.connect() as connection:
                await connection.execution_options(isolation_level="AUTOCOMMIT")
                await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.dispose()


async def generous_workspace(url: str, ref: WorkspaceRef) -> None:
    """A migrated database whose workspace has allowances no benchmark exhausts."""
    await upgrade(url)
    async with await open_storage(url) as storage:
        settings = {"kudos.allowance": "100000", "kudos.manager_allowance": "100000"}
        await storage.roster.save_workspace(Workspace(ref=ref, name="Bench", settings=settings))


def read_only(path: Path, query: str) -> list[tuple[Any, ...]]:
    """Rows from a SQLite file in WAL mode, read without waiting for its writers."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        return db.execute(query).fetchall()
