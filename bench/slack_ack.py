"""Slack acknowledgement latency over real HTTP on loopback.

Starts `hearth run --http` as its own process, pointed at a local Slack Web
API, and sends it signed kudos message events at a steady rate (5,000 at
200 per second by default), 10% of them delivered a second time as Slack
retries with the same event id. For each request: the time to its HTTP
response (the acknowledgement). Then the same load against a bare Bolt app
whose only listener acknowledges, in its own process, for the ratio. Last,
it waits until Hearth has processed every event and checks, in Hearth's
database, that each event gave exactly one kudos: none lost, none doubled.

    python -m bench.slack_ack            # the full run
    python -m bench.slack_ack --smoke    # 200 events at 100/s, in seconds

The last line printed is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp

from bench.databases import generous_workspace, read_only
from bench.servers import free_port, start, stop
from bot.chat import Platform, WorkspaceRef
from bot.settings import sqlite_url
from tests.platforms.slack.emulator import SlackEmulator

TEAM = "T0BENCH"
BOT_TOKEN = "xoxb-bench"
SECRET = "bench-signing-secret"
CHANNEL = "C0BENCH"
MEMBERS = 100


def _signed(body: bytes, *, retry: int | None) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
    }
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return headers


def _event(number: int, rng: random.Random) -> bytes:
    giver = rng.randrange(MEMBERS)
    receiver = (giver + 1 + rng.randrange(MEMBERS - 1)) % MEMBERS
    ts = f"{1_800_000_000 + number}.{number:06d}"
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM,
            "api_app_id": "A0BENCH",
            "event_id": f"Ev{number:08d}",
            "event_time": 1_800_000_000 + number,
            "event": {
                "type": "message",
                "channel": CHANNEL,
                "channel_type": "channel",
                "user": f"U{giver:04d}",
                "text": f"<@U{receiver:04d}>++ thanks for the review",
                "ts": ts,
                "event_ts": ts,
            },
        }
    ).encode()


async def _load(url: str, *, count: int, rate: float, retries: float) -> dict[str, Any]:
    """Send `count` events at `rate` per second, plus `retries` of them again."""
    rng = random.Random(7)
    bodies = [_event(n, rng) for n in range(count)]
    again = set(rng.sample(range(count), int(count * retries)))
    latencies: list[float] = []
    failures = 0
    connector = aiohttp.TCPConnector(limit=200)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def send(body: bytes, retry: int | None) -> None:
            nonlocal failures
            started = time.perf_counter()
            async with session.post(url, data=body, headers=_signed(body, retry=retry)) as answer:
                await answer.read()
                if answer.status != 200:
                    failures += 1
            latencies.append(time.perf_counter() - started)

        tasks: list[asyncio.Task[None]] = []
        start = time.perf_counter()
        for number, body in enumerate(bodies):
            delay = start + number / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(body, None)))
            if number in again:
                tasks.append(asyncio.create_task(send(body, 1)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "non_200": failures,
        "p50_ms": round(statistics.median(ordered) * 1000, 2),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
    }


async def _wait_http(url: str, process: subprocess.Popen[bytes], patience: float = 60) -> None:
    deadline = time.monotonic() + patience
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited with {process.returncode}")
            try:
                async with session.get(url) as answer:
                    if answer.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


async def _settled(path: Path, *, events: int, patience: float) -> dict[str, Any]:
    """Wait for every event to be processed; count kudos per event in the database.

    Read with plain sqlite3 in WAL mode, which never waits for the server's writers.
    """

    started = time.monotonic()
    deadline = started + patience
    while True:
        [(done,)] = read_only(path, "SELECT count(*) FROM inbox WHERE done_at IS NOT NULL")
        if done >= events or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    per_event = [
        n for _, n in read_only(path, "SELECT source_ref, count(*) FROM kudos GROUP BY source_ref")
    ]
    return {
        "processed": done,
        "kudos": sum(per_event),
        "lost": events - len(per_event),
        "doubled": sum(1 for n in per_event if n > 1),
        "drain_seconds": round(time.monotonic() - started, 1),
    }


async def bench(*, count: int, rate: float, retries: float, drain_timeout: float) -> dict[str, Any]:
    async with SlackEmulator(bot_token=BOT_TOKEN) as slack:
        slack.add_team(TEAM, name="Bench")
        for n in range(MEMBERS):
            slack.add_user(TEAM, f"U{n:04d}", name=f"m{n}", tz="Europe/Paris")
        slack.add_channel(TEAM, CHANNEL, "bench", members=[f"U{n:04d}" for n in range(MEMBERS)])
        with tempfile.TemporaryDirectory(prefix="hearth-bench-") as folder:
            path = Path(folder) / "hearth.db"
            database = sqlite_url(path)
            await generous_workspace(database, WorkspaceRef(Platform.SLACK, TEAM))
            hearth_port, bare_port = free_port(), free_port()
            env = {
                "HEARTH_DATABASE_URL": database,
                "HEARTH_LOG_LEVEL": "WARNING",
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": slack.api_url,
            }
            server = start(["-m", "bot", "run", "--http", "--port", str(hearth_port)], env)
            try:
                await _wait_http(f"http://127.0.0.1:{hearth_port}/healthz", server)
                hearth = await _load(
                    f"http://127.0.0.1:{hearth_port}/slack/events",
                    count=count,
                    rate=rate,
                    retries=retries,
                )
                outcome = await _settled(path, events=count, patience=drain_timeout)
            finally:
                stop(server)
        bare_server = start(["-m", "bench.slack_bare", str(bare_port)], {"SLACK_SECRET": SECRET})
        try:
            await _wait_http(f"http://127.0.0.1:{bare_port}/healthz", bare_server)
            bare = await _load(
                f"http://127.0.0.1:{bare_port}/slack/events",
                count=count,
                rate=rate,
                retries=retries,
            )
        finally:
            stop(bare_server)
    return {
        "events": count,
        "rate_per_second": rate,
        "retries": int(count * retries),
        "hearth": hearth,
        "bare_bolt": bare,
        "p50_ratio": round(hearth["p50_ms"] / bare["p50_ms"], 2),
        "p99_ratio": round(hearth["p99_ms"] / bare["p99_ms"], 2),
        **outcome,
        "meets_target": hearth["p99_ms"] < 100
        and hearth["p99_ms"] / bare["p99_ms"] < 2
        and outcome["lost"] == 0
        and outcome["doubled"] == 0,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="200 events at 100/s")
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--retries", type=float, default=0.10)
    args = parser.parse_args(argv)
    count, rate = (200, 100.0) if args.smoke else (args.events, args.rate)
    figures = asyncio.run(bench(count=count, rate=rate, retries=args.retries, drain_timeout=600.0))
    hearth, bare = figures["hearth"], figures["bare_bolt"]
    print(f"{count} signed message events at {rate:.0f}/s, {figures['retries']} retried")
    print(f"hearth    p50 {hearth['p50_ms']} ms  p99 {hearth['p99_ms']} ms")
    print(f"bare bolt p50 {bare['p50_ms']} ms  p99 {bare['p99_ms']} ms")
    print(f"ratio     p50 {figures['p50_ratio']}  p99 {figures['p99_ratio']}")
    print(
        f"processed {figures['processed']}, lost {figures['lost']}, doubled {figures['doubled']},"
        f" drained in {figures['drain_seconds']} s"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
