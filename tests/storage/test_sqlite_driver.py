"""The SQLite driver: statements of a write transaction run on the loop's
thread, and nothing that can wait ever does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import bindparam, func, literal, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from bot.chat import Member, Platform, Workspace, WorkspaceRef
from storage import Storage, open_storage, upgrade
from storage.base import Base
from storage.sqlite_driver import run

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
ACME = WorkspaceRef(Platform.SLACK, "T1")


@pytest.fixture
async def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path}/hearth.db"
    await upgrade(url)
    return url


@pytest.fixture
async def storage(url: str) -> AsyncIterator[Storage]:
    async with await open_storage(url) as opened:
        await opened.roster.save_workspace(Workspace(ACME, "Acme"))
        yield opened


async def test_a_writer_waiting_for_the_lock_leaves_the_event_loop_free(
    storage: Storage, url: str
) -> None:
    async with await open_storage(url) as other:
        holding = asyncio.Event()
        release = asyncio.Event()

        async def hold_the_write_lock() -> None:
            async with storage.unit_of_work():
                await storage.roster.save_member(Member(ACME.member("ana"), "Ana"))
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold_the_write_lock())
        await holding.wait()
        waiter = asyncio.create_task(other.roster.save_member(Member(ACME.member("bob"), "Bob")))
        turns = 0
        for _ in range(200):  # the loop keeps turning while the waiter waits
            await asyncio.sleep(0)
            turns += 1
        assert not waiter.done()
        release.set()
        await holder
        await waiter

    assert turns == 200
    assert await storage.roster.member(ACME.member("bob")) is not None


async def test_a_savepoint_rolled_back_undoes_only_its_own_writes(storage: Storage) -> None:
    async def fail_after_writing() -> None:
        async with storage.unit_of_work():
            await storage.roster.save_member(Member(ACME.member("bob"), "Bob"))
            raise RuntimeError("the handler failed")

    async with storage.unit_of_work():
        await storage.roster.save_member(Member(ACME.member("ana"), "Ana"))
        with pytest.raises(RuntimeError):
            await fail_after_writing()
        await storage.roster.save_member(Member(ACME.member("cy"), "Cy"))

    found = [await storage.roster.member(ACME.member(name)) for name in ("ana", "bob", "cy")]
    assert [member is not None for member in found] == [True, False, True]


async def test_a_transaction_that_sent_nothing_commits_and_rolls_back_quietly(
    storage: Storage,
) -> None:
    async def fail_before_writing() -> None:
        async with storage.unit_of_work():
            raise RuntimeError("nothing was written")

    async with storage.unit_of_work():
        pass
    with pytest.raises(RuntimeError):
        await fail_before_writing()

    assert await storage.roster.workspace(ACME) is not None


# --- statements sent straight to sqlite3 (`storage.sqlite_driver.run`) ---------------

OUTBOX = Base.metadata.tables["outbox"]
QUEUE = sqlite.insert(OUTBOX).returning(OUTBOX.c.id, OUTBOX.c.next_try, OUTBOX.c.created_at)
DUE = select(OUTBOX.c.message_key, OUTBOX.c.next_try).where(
    OUTBOX.c.next_try <= bindparam("now"), OUTBOX.c.platform == literal("slack")
)
PARIS = ZoneInfo("Europe/Paris")


def queued(key: str, at: datetime) -> dict[str, object]:
    return {
        "platform": ACME.platform.value,
        "workspace_id": ACME.workspace_id,
        "message_key": key,
        "payload": "{}",
        "attempts": 0,
        "next_try": at,
        "created_at": at,
    }


async def stored_text(storage: Storage) -> list[tuple[object, ...]]:
    """The rows as SQLite holds them, untouched by any type's processing."""
    async with storage.engine.connect() as connection:
        found = await connection.exec_driver_sql(
            "SELECT message_key, next_try, created_at, attempts FROM outbox ORDER BY message_key"
        )
        return [tuple(row) for row in found]


async def test_a_statement_run_straight_on_sqlite_stores_what_sqlalchemy_stores(
    storage: Storage,
) -> None:
    at = datetime(2025, 3, 4, 10, 30, 0, 250, tzinfo=PARIS)
    async with storage.session_factory.begin() as session:
        connection = await session.connection()
        await connection.execute(QUEUE, [queued("by-sqlalchemy", at)])
        returned = await run(connection, QUEUE, [queued("by-run", at), queued("by-run-2", at)])

    by_sqlalchemy, by_run, by_run_2 = await stored_text(storage)
    assert by_run[1:] == by_run_2[1:] == by_sqlalchemy[1:]
    assert by_run[1] == "2025-03-04 09:30:00.000250"  # naive UTC text, as UtcDateTime stores it
    assert [row[1:] for row in returned] == [(at, at), (at, at)]
    assert all(row[1].tzinfo is UTC for row in returned)  # read back aware, in UTC


async def test_a_statement_run_straight_on_sqlite_reads_what_sqlalchemy_reads(
    storage: Storage,
) -> None:
    async with storage.session_factory.begin() as session:
        connection = await session.connection()
        await run(connection, QUEUE, [queued("a", NOW), queued("b", NOW + timedelta(hours=1))])
        expected = [tuple(row) for row in await connection.execute(DUE, {"now": NOW})]
        found = await run(connection, DUE, {"now": NOW})

    assert found == expected == [("a", NOW)]


async def test_a_failing_statement_raises_as_sqlalchemy_raises_it(storage: Storage) -> None:
    async with storage.session_factory.begin() as session:
        await run(await session.connection(), QUEUE, {**queued("first", NOW), "id": 7})
    with pytest.raises(IntegrityError):
        async with storage.session_factory.begin() as session:
            await run(await session.connection(), QUEUE, {**queued("second", NOW), "id": 7})


async def test_statements_run_straight_on_sqlite_share_the_callers_savepoints(
    storage: Storage,
) -> None:
    async with storage.session_factory.begin() as session:
        connection = await session.connection()
        await run(connection, QUEUE, queued("kept", NOW))
        savepoint = await connection.begin_nested()
        await run(connection, QUEUE, queued("rolled back", NOW))
        await savepoint.rollback()
        await run(connection, QUEUE, queued("kept too", NOW))

    assert [row[0] for row in await stored_text(storage)] == ["kept", "kept too"]


async def test_a_statement_with_a_list_parameter_goes_through_sqlalchemy(
    storage: Storage,
) -> None:
    keys = select(OUTBOX.c.message_key).where(OUTBOX.c.message_key.in_(bindparam("keys")))
    async with storage.session_factory.begin() as session:
        connection = await session.connection()
        await run(connection, QUEUE, [queued("a", NOW), queued("b", NOW), queued("c", NOW)])
        found = await run(connection, keys, {"keys": ["a", "c"]})

    assert sorted(row[0] for row in found) == ["a", "c"]


async def test_statements_with_one_parameter_or_none_run_straight_on_sqlite(
    storage: Storage,
) -> None:
    count = select(func.count()).select_from(OUTBOX)
    one = select(OUTBOX.c.message_key).where(OUTBOX.c.message_key == bindparam("key"))
    async with storage.session_factory.begin() as session:
        connection = await session.connection()
        await run(connection, QUEUE, [queued("a", NOW), queued("b", NOW)])
        assert await run(connection, count) == [(2,)]
        assert await run(connection, one, {"key": "b"}) == [("b",)]


async def test_connections_keep_savepoint_journals_in_memory(storage: Storage) -> None:
    async with storage.engine.connect() as connection:
        found = await connection.exec_driver_sql("PRAGMA temp_store")
        assert found.scalar() == 2  # MEMORY
