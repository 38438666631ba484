"""`hearth run`: Hearth connected to its chat platforms until it is stopped.

One event loop owns everything: the platform connections, the outbox's
delivery loop, the live scheduler and a periodic sweep that resumes events
a crashed process claimed and never finished. SIGINT or SIGTERM stops them
in order and closes the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

import uvicorn

from bot.app import RESUME_AFTER, Hearth, open_hearth
from bot.chat import Platform, WorkspaceRef
from bot.features import Feature
from bot.platforms.discord import GatewayTuning
from bot.platforms.discord_gateway import DiscordGateway, discord_rest
from bot.platforms.slack_http import http_app, oauth_adapter, slack_adapter, socket_mode
from bot.schedule import Clock, SystemClock
from bot.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_HTTP_PORT = 3000


async def resume_forever(hearth: Hearth, *, every: timedelta = RESUME_AFTER) -> None:
    """Process events left unfinished by a crash, here or in another process."""
    while True:
        try:
            await hearth.resume()
        except Exception:
            log.exception("resuming unfinished events failed")
        await asyncio.sleep(every.total_seconds())


async def run(
    settings: Settings,
    *,
    http: bool,
    port: int | None = None,
    ready: Callable[[Hearth], Awaitable[None]] | None = None,
    stop: asyncio.Event | None = None,
    clock: Clock | None = None,
    extra_features: Sequence[Feature] = (),
    workers: int = 1,
    discord: GatewayTuning | None = None,
) -> int:
    """Serve until `stop` is set (or a signal arrives); returns the exit code.

    `workers` processes claimed events (0 leaves them claimed, for tests of
    what a crash leaves behind); `clock`, `extra_features` and `discord`
    (shorter Discord timings) are for tests. Slack and Discord run side by
    side when both are configured; a Discord refusal of the token or an
    intent stops the whole run with exit code 1.
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for number in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(number, stop.set)
    async with AsyncExitStack() as stack:
        hearth = await stack.enter_async_context(
            open_hearth(settings, clock=clock or SystemClock(), extra_features=extra_features)
        )
        tasks: list[asyncio.Task[Any]] = []
        server: uvicorn.Server | None = None
        if settings.slack_enabled:
            if settings.slack_client_id:
                adapter, http = oauth_adapter(hearth, settings), True
            else:
                adapter = slack_adapter(hearth, settings, http=http)
                identity = await adapter.app.client.auth_test()
                team = WorkspaceRef(Platform.SLACK, str(identity["team_id"]))
                members = await adapter.sync(team, adapter.app.client)
                log.info("connected to Slack workspace %s (%s members)", team.workspace_id, members)
            if http:
                server = uvicorn.Server(
                    uvicorn.Config(
                        http_app(adapter, hearth),
                        host="0.0.0.0",
                        port=port or settings.http_port or DEFAULT_HTTP_PORT,
                        log_level="warning",
                        lifespan="off",
                    )
                )
                tasks.append(asyncio.create_task(server.serve(), name="http"))
            else:
                await stack.enter_async_context(socket_mode(adapter, settings))
        live = hearth.live()
        await live.start()
        stack.push_async_callback(live.stop)
        if workers:
            tasks.append(asyncio.create_task(hearth.work_forever(workers=workers), name="work"))
        tasks.append(asyncio.create_task(hearth.deliver_forever(), name="delivery"))
        tasks.append(asyncio.create_task(resume_forever(hearth), name="resume"))
        gateway: asyncio.Task[bool] | None = None
        if settings.discord_enabled:
            await stack.enter_async_context(discord_rest(hearth, settings))
            held = DiscordGateway(hearth, settings, tuning=discord).hold_forever()
            gateway = asyncio.create_task(held, name="discord")
            gateway.add_done_callback(lambda _: stop.set())
            tasks.append(gateway)
        if ready is not None:
            await ready(hearth)
        try:
            await stop.wait()
        finally:
            if server is not None:
                server.should_exit = True  # finish the requests under way first
            for task in tasks:
                if task.get_name() != "http":
                    task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
    refused = gateway is not None and not gateway.cancelled() and gateway.result() is False
    return 1 if refused else 0
