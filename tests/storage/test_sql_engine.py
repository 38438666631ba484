from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.chat import Platform, Workspace, WorkspaceRef
from storage import Storage, create_engine, open_storage, upgrade
from storage.core import WorkspaceRow
from storage.engine import SQLITE_BUSY_TIMEOUT_MS, async_url

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
ACME = WorkspaceRef(Platform.SLACK, "T1")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///data/hearth.db", "sqlite+aiosqlite:///data/hearth.db"),
        ("sqlite+aiosqlite:///hearth.db", "sqlite+aiosqlite:///hearth.db"),
        ("postgresql://bot@db:5432/hearth", "postgresql+asyncpg://bot@db:5432/hearth"),
        ("postgres://bot@db/hearth", "postgresql+asyncpg://bot@db/hearth"),
        ("postgresql+asyncpg://bot@db/hearth", "postgresql+asyncpg://bot@db/hearth"),
    ],
)
def test_a_plain_url_is_given_its_async_driver(given: str, expected: str) -> None:
    assert async_url(given).render_as_string() == expected


async def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(
    tmp_path: Path,
) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/hearth.db")
    try:
        async with engine.connect() as connection:
            pragmas = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
            }
    finally:
        await engine.dispose()

    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        "foreign_keys": 1,
    }
    assert SQLITE_BUSY_TIMEOUT_MS >= 5000


async def test_the_directory_of_a_new_sqlite_file_is_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/data/nested/hearth.db"

    await upgrade(url)

    assert (tmp_path / "data" / "nested" / "hearth.db").exists()


async def test_savepoints_belong_to_their_enclosing_transaction(storage: Storage) -> None:
    def acme(workspace_id: str) -> WorkspaceRow:
        return WorkspaceRow(
            platform="slack",
            workspace_id=workspace_id,
            name="Acme",
            locale="en",
            timezone="UTC",
            settings="{}",
            created_at=NOW,
            updated_at=NOW,
        )

    async with storage.session_factory() as session:
        await session.begin()
        async with session.begin_nested():
            session.add(acme("released"))
        async with session.begin_nested() as savepoint:
            session.add(acme("rolled back"))
            await session.flush()
            await savepoint.rollback()
        session.add(acme("kept"))
        await session.commit()
        await session.begin()
        async with session.begin_nested():
            session.add(acme("released then rolled back"))
        await session.rollback()

    present = {
        w: await storage.roster.workspace(WorkspaceRef(Platform.SLACK, w)) is not None
        for w in ("released", "rolled back", "kept", "released then rolled back")
    }
    assert present == {
        "released": True,
        "rolled back": False,
        "kept": True,
        "released then rolled back": False,
    }


async def test_a_reader_does_not_wait_for_a_writer_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/hearth.db"
    await upgrade(url)
    async with await open_storage(url) as writer, await open_storage(url) as reader:
        await writer.roster.save_workspace(Workspace(ACME, "Acme"))
        async with writer.session_factory.begin() as session:
            await session.execute(text("UPDATE workspaces SET name = 'Acme Inc'"))
            # The write lock is held here; a read must still see the last commit.
            acme = await asyncio.wait_for(reader.roster.workspace(ACME), timeout=2)

    assert acme is not None
    assert acme.name == "Acme"
