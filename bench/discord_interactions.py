"""Discord interaction round trip on loopback: `/kudos give` through a local Discord.

Starts `hearth run` as its own process, connected with the real discord.py
client to a local Discord gateway and REST API (the test suite's emulator,
in this process), and sends it `/kudos give` interactions as
INTERACTION_CREATE dispatches at a steady rate (2,000 at 100 per second by
default), 5% of them dispatched a second time as a gateway replay would.
For each: the time from the dispatch being sent to the first interaction
callback Discord receives (the answer, or the deferral). Then it waits
until Hearth has processed every interaction and checks, in Hearth's
database, that each gave exactly one kudos: none lost, none doubled.

    python -m bench.discord_interactions            # the full run
    python -m bench.discord_interactions --smoke    # 50 interactions, in seconds

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.databases import generous_workspace, read_only
from bench.servers import start, stop
from bot.chat import Platform, WorkspaceRef
from bot.settings import sqlite_url
from tests.platforms.discord.emulator import DiscordEmulator
from tests.platforms.discord.interactions import Option
from tests.platforms.discord.journal import InteractionCallback

GUILD, CHANNEL, FIRST_MEMBER = 4100, 4200, 6000
MEMBERS = 100
TARGET_P99_MS = 150
MESSAGE, DEFERRED = 4, 5  # interaction callback types


async def _connected(fake: DiscordEmulator, process: subprocess.Popen[bytes]) -> None:
    """Hearth registers its commands as the last step of connecting (a fresh database)."""
    deadline = time.monotonic() + 60
    while not fake.requests_to("PUT", "/applications/{application_id}/commands"):
        if process.poll() is not None:
            raise RuntimeError(f"hearth exited with {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError("hearth did not connect to the local Discord")
        await asyncio.sleep(0.05)


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[max(0, int(len(ordered) * share) - 1)]


async def _load(
    fake: DiscordEmulator, *, count: int, rate: float, replays: float
) -> dict[str, Any]:
    """Dispatch `count` interactions at `rate` per second; time each to its first callback."""
    rng = random.Random(7)
    arrived: dict[int, float] = {}
    journal = fake.responses.callbacks
    record = journal.append

    everyone = asyncio.Event()

    def timed(callback: InteractionCallback) -> None:
        arrived.setdefault(callback.interaction_id, time.perf_counter())
        record(callback)
        if len(arrived) >= count:
            everyone.set()

    journal.append = timed  # type: ignore[method-assign]
    sent: dict[int, float] = {}
    again = set(rng.sample(range(count), int(count * replays)))
    start = time.perf_counter()
    for number in range(count):
        giver = FIRST_MEMBER + rng.randrange(MEMBERS)
        receiver = FIRST_MEMBER + (giver - FIRST_MEMBER + 1 + rng.randrange(MEMBERS - 1)) % MEMBERS
        options = [Option.user("who", receiver), Option.string("why", f"the review {number}")]
        payload = fake.command_interaction(
            "kudos give", channel_id=CHANNEL, user_id=giver, options=options
        )
        delay = start + number / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent[int(payload["id"])] = time.perf_counter()
        await fake.dispatch("INTERACTION_CREATE", payload)
        if number in again:
            await fake.dispatch("INTERACTION_CREATE", payload)
    elapsed = time.perf_counter() - start
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(everyone.wait(), 60)
    latencies = sorted((arrived[i] - t) * 1000 for i, t in sent.items() if i in arrived)
    refused = sum(1 for c in journal if c.status != 200)
    kinds = [c.type for c in journal if c.status == 200]
    if not latencies:
        raise RuntimeError("no interaction was answered")
    return {
        "interactions": count,
        "replayed": len(again),
        "answered": len(latencies),
        "unanswered": count - len(latencies),
        "refused_callbacks": refused,
        "answered_at_once": kinds.count(MESSAGE),  # the first callback was the answer itself
        "deferred": kinds.count(DEFERRED),  # "thinking" first, the answer as a followup
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(_percentile(latencies, 0.99), 2),
        "max_ms": round(latencies[-1], 2),
        "dispatched_per_second": round(count / elapsed, 1),
    }


async def _settled(path: Path, *, count: int, patience: float) -> dict[str, Any]:
    """Wait until every interaction is processed; count kudos rows per interaction.

    Read with plain sqlite3 in WAL mode, which never waits for the server's writers.
    """

    started = time.monotonic()
    while True:
        [(given,)] = read_only(
            path, "SELECT count(DISTINCT source_ref) FROM kudos WHERE source = 'command'"
        )
        if given >= count or time.monotonic() - started > patience:
            break
        await asyncio.sleep(0.25)
    per_interaction = [
        n
        for _, n in read_only(
            path,
            "SELECT source_ref, count(*) FROM kudos WHERE source = 'command' GROUP BY source_ref",
        )
    ]
    return {
        "kudos": sum(per_interaction),
        "lost": count - len(per_interaction),
        "doubled": sum(1 for n in per_interaction if n > 1),
        "drain_seconds": round(time.monotonic() - started, 1),
    }


async def bench(*, count: int, rate: float, replays: float) -> dict[str, Any]:
    async with DiscordEmulator() as fake:
        fake.add_guild(GUILD, "Bench", owner_id=FIRST_MEMBER)
        for n in range(MEMBERS):
            fake.add_member(GUILD, FIRST_MEMBER + n, f"m{n}")
        fake.add_channel(GUILD, CHANNEL, "bench")
        with tempfile.TemporaryDirectory(prefix="hearth-bench-") as folder:
            path = Path(folder) / "hearth.db"
            database = sqlite_url(path)
            await generous_workspace(database, WorkspaceRef(Platform.DISCORD, str(GUILD)))
            env = {
                "HEARTH_DATABASE_URL": database,
                "HEARTH_LOG_LEVEL": "WARNING",
                "HEARTH_INSTANCE": "bench",
                "DISCORD_TOKEN": fake.token,
                "DISCORD_API_URL": fake.api_url,
                "DISCORD_GATEWAY_URL": fake.gateway_url,
            }
            server = start(["-m", "bot", "run"], env)
            try:
                await _connected(fake, server)
                figures = await _load(fake, count=count, rate=rate, replays=replays)
                outcome = await _settled(path, count=count, patience=300.0)
            finally:
                stop(server)
    return {
        "benchmark": "discord_interactions",
        "rate_per_second": rate,
        **figures,
        **outcome,
        "target_p99_ms": TARGET_P99_MS,
        "meets_target": figures["p99_ms"] < TARGET_P99_MS
        and figures["unanswered"] == 0
        and outcome["lost"] == 0
        and outcome["doubled"] == 0,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="50 interactions at 50/s")
    parser.add_argument("--interactions", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--replays", type=float, default=0.05)
    args = parser.parse_args(argv)
    count, rate = (50, 50.0) if args.smoke else (args.interactions, args.rate)
    figures = asyncio.run(bench(count=count, rate=rate, replays=args.replays))
    figures["smoke"] = args.smoke
    print(f"{count} /kudos give interactions at {rate:.0f}/s, {figures['replayed']} replayed")
    print(f"first callback p50 {figures['p50_ms']} ms  p99 {figures['p99_ms']} ms")
    print(
        f"answered {figures['answered']}, lost {figures['lost']}, doubled {figures['doubled']},"
        f" drained in {figures['drain_seconds']} s"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
