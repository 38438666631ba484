"""Claimed events are processed by workers after the platform was answered."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime

from bot.app import open_hearth
from bot.chat import CommandInvoked, Message, MessagePosted, Platform, Visibility, WorkspaceRef
from bot.dispatch import Handled
from bot.schedule import SimulatedClock
from bot.settings import Settings
from tests.probe import Probe, build

ACME = WorkspaceRef(Platform.LOCAL, "acme")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def command(text: str, delivery: str) -> CommandInvoked:
    return CommandInvoked(
        delivery_id=delivery,
        workspace=ACME,
        occurred_at=NOW,
        actor="ana",
        channel="general",
        command="probe",
        text=text,
    )


def posted(text: str, delivery: str) -> MessagePosted:
    return MessagePosted(
        delivery_id=delivery,
        workspace=ACME,
        occurred_at=NOW,
        actor="bob",
        channel="general",
        message_id=delivery,
        text=text,
    )


async def test_a_member_waiting_for_an_answer_goes_before_the_backlog(settings: Settings) -> None:
    probe = Probe(weekly_in=[])
    answered: list[str] = []
    heard_before_answer: list[str] = []
    done = asyncio.Event()

    async def answer(handled: Handled) -> None:
        texts = [m.context["text"] for m in handled.direct if isinstance(m, Message)]
        answered.extend(str(t) for t in texts)
        heard_before_answer.extend(probe.calls)
        done.set()

    async with open_hearth(
        settings, clock=SimulatedClock(NOW), extra_features=[build(probe)]
    ) as hearth:
        worker = asyncio.create_task(hearth.work_forever())
        await asyncio.sleep(0)  # the worker owns its backlog once it runs
        backlog = [posted(f"chatter {n}", f"m{n}") for n in range(20)]
        urgent = command("private", "c1")
        for event in [*backlog, urgent]:
            assert await hearth.claim(event)
        for event in backlog:
            hearth.later(event)
        hearth.later(urgent, answer=answer, urgent=True)
        await asyncio.wait_for(done.wait(), timeout=10)
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker

    assert answered == ["only you"]
    assert heard_before_answer == []  # the backlog waited


async def test_work_left_in_the_backlog_is_resumed_after_a_restart(settings: Settings) -> None:
    probe = Probe(weekly_in=[])
    clock = SimulatedClock(NOW)
    async with open_hearth(settings, clock=clock, extra_features=[build(probe)]) as hearth:
        assert await hearth.claim(command("dm", "c2"))  # acknowledged, then the process died

    later = SimulatedClock(NOW.replace(minute=5))
    async with open_hearth(settings, clock=later, extra_features=[build(probe)]) as hearth:
        assert await hearth.resume() == 1
        queued = await hearth.storage.outbox.take(now=later.now(), lease_until=later.now(), limit=5)
        assert [e.message.visibility for e in queued] == [Visibility.DM]
