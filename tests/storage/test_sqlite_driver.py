"""The SQLite driver: statements of a write transaction run on the loop's
thread, and nothing that can wait ever does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.chat import Member, Platform, Workspace, WorkspaceRef
from storage import Storage, open_storage, upgrade

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
