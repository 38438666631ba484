"""Pointing the real discord.py client at a `DiscordEmulator`, and running one for a test.

discord.py keeps its REST base and its gateway URL in class attributes shared
by the whole process, so they are set for the length of a `with` block and
always restored after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import TypeVar

import discord
import yarl

from tests.platforms.discord.emulator import DiscordEmulator

# discord.py fires on_ready this long after the last GUILD_CREATE (2 s by default); the
# emulator sends every GUILD_CREATE right after READY, so a short quiet period is enough.
GUILD_READY_TIMEOUT = 0.05
STARTUP_TIMEOUT = 10.0
ClientT = TypeVar("ClientT", bound=discord.Client)


@contextmanager
def pointed_at(fake: DiscordEmulator) -> Iterator[None]:
    route, websocket = discord.http.Route, discord.gateway.DiscordWebSocket
    saved = route.BASE, websocket.DEFAULT_GATEWAY
    route.BASE = fake.api_url
    websocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        route.BASE, websocket.DEFAULT_GATEWAY = saved


@asynccontextmanager
async def running(client: ClientT, token: str) -> AsyncIterator[ClientT]:
    """`client` logged in and past on_ready; closed, and its task awaited, on the way out.

    A client that fails to start (a refused intent, a bad token) raises here."""
    async with client:
        task = asyncio.create_task(client.start(token), name="discord-client")
        ready = asyncio.create_task(client.wait_until_ready(), name="discord-client-ready")
        done, _ = await asyncio.wait(
            {task, ready}, timeout=STARTUP_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            await client.close()
            await asyncio.wait({task}, timeout=STARTUP_TIMEOUT)
            if task.done():
                task.result()  # the reason it never got ready, if it stopped with one
            raise TimeoutError(f"the client was not ready within {STARTUP_TIMEOUT}s")
        try:
            yield client
        finally:
            await client.close()
            await task
