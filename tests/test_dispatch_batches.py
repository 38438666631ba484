"""Batches of events: one claim, one transaction, and no guarantee weakened."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import RESUME_AFTER, Hearth, open_hearth
from bot.chat import CommandInvoked, Event, Member, Message, Platform, WorkspaceRef
from bot.features import Command, Feature, Invocation, Response
from bot.schedule import SimulatedClock
from bot.settings import Settings
from storage import SqlRoster
from tests.fakes import FakeTransport
from tests.probe import Probe, build, say

ACME = WorkspaceRef(Platform.LOCAL, "acme")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def command(name: str, text: str, delivery: str, actor: str = "ana") -> CommandInvoked:
    return CommandInvoked(
        delivery_id=delivery,
        workspace=ACME,
        occurred_at=NOW,
        actor=actor,
        channel="general",
        command=name,
        text=text,
    )


@dataclass
class Scribe:
    """`/scribe NAME [trip]`: records member NAME, then fails if asked to."""

    roster: SqlRoster | None = None

    async def scribe(self, call: Invocation) -> Response:
        assert self.roster is not None
        name, _, trip = call.event.text.partition(" ")
        await self.roster.save_member(Member(ACME.member(name), name))
        if trip:
            raise RuntimeError("the scribe tripped")
        return say(f"recorded {name}")


@pytest.fixture
async def hearth(settings: Settings) -> AsyncIterator[Hearth]:
    scribe = Scribe()
    features = [
        build(Probe(weekly_in=[])),
        Feature(name="scribe", commands=(Command("scribe", scribe.scribe, description="-"),)),
    ]
    async with open_hearth(settings, clock=SimulatedClock(NOW), extra_features=features) as opened:
        scribe.roster = opened.storage.roster
        yield opened


def templates(handled_direct: Sequence[object]) -> list[str]:
    return [reply.template for reply in handled_direct if isinstance(reply, Message)]


async def test_a_batch_answers_as_its_events_would_one_by_one(hearth: Hearth) -> None:
    events = [
        command("probe", "hello", "d1"),
        command("probe", "private", "d2"),
        command("probe", "dm", "d3"),
    ]

    handled = await hearth.dispatcher.handle_many(events, now=NOW)

    assert [one.queued for one in handled] == [1, 0, 1]
    assert [templates(one.direct) for one in handled] == [[], ["probe/say"], []]
    assert await hearth.storage.outbox.pending_count() == 2


async def test_a_delivery_repeated_in_a_batch_or_after_it_is_handled_once(
    hearth: Hearth,
) -> None:
    first = await hearth.dispatcher.handle_many(
        [command("probe", "hello", "d1"), command("probe", "hello", "d1")], now=NOW
    )
    again = await hearth.dispatcher.handle_many(
        [command("probe", "hello", "d1"), command("probe", "hello", "d2")], now=NOW
    )

    assert [(one.duplicate, one.queued) for one in first] == [(False, 1), (True, 0)]
    assert [(one.duplicate, one.queued) for one in again] == [(True, 0), (False, 1)]
    assert await hearth.storage.outbox.pending_count() == 2


async def test_a_failing_handler_in_a_batch_rolls_back_alone_and_its_actor_hears_why(
    hearth: Hearth,
) -> None:
    events = [
        command("scribe", "cy", "d1"),
        command("scribe", "dee trip", "d2", actor="bob"),
        command("scribe", "eve", "d3"),
    ]

    handled = await hearth.dispatcher.handle_many(events, now=NOW)

    roster = hearth.storage.roster
    assert [
        await roster.member(ACME.member(name)) is not None for name in ("cy", "dee", "eve")
    ] == [
        True,
        False,
        True,
    ]
    assert [one.queued for one in handled] == [1, 0, 1]
    assert templates(handled[1].direct) == ["hearth/error"]
    assert [reply.to for reply in handled[1].direct if isinstance(reply, Message)] == ["bob"]


async def test_a_batch_that_fails_as_a_whole_is_finished_event_by_event(
    hearth: Hearth, monkeypatch: pytest.MonkeyPatch
) -> None:
    outbox = hearth.storage.outbox
    put_many = outbox.put_many
    calls = 0

    async def fails_once(*args: object, **kwargs: object) -> list[int]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("the database went away for a moment")
        return await put_many(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(outbox, "put_many", fails_once)
    events = [command("scribe", "cy", "d1"), command("probe", "hello", "d2")]

    handled = await hearth.dispatcher.handle_many(events, now=NOW)

    assert [one.queued for one in handled] == [1, 1]
    assert await outbox.pending_count() == 2
    assert await hearth.storage.inbox.unfinished(claimed_before=NOW + timedelta(days=1)) == []


async def test_events_of_a_batch_that_cannot_finish_are_claimed_and_resumed_later(
    hearth: Hearth, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = hearth.storage.inbox

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the inbox is read-only today")

    events: list[Event] = [command("probe", "hello", "d1"), command("probe", "dm", "d2")]
    with monkeypatch.context() as patched:
        patched.setattr(inbox, "done_many", broken)
        patched.setattr(inbox, "done", broken)
        handled = await hearth.dispatcher.handle_many(events, now=NOW)

    assert [one.queued for one in handled] == [0, 0]
    assert await hearth.storage.outbox.pending_count() == 0
    # A retry of the same deliveries is a duplicate: they are claimed already.
    again = await hearth.dispatcher.handle_many(events, now=NOW)
    assert [one.duplicate for one in again] == [True, True]
    assert isinstance(hearth.clock, SimulatedClock)
    hearth.clock.set(NOW + RESUME_AFTER + timedelta(seconds=1))
    assert await hearth.resume() == 2
    assert await hearth.storage.outbox.pending_count() == 2
    assert await hearth.resume() == 0


async def test_hearth_delivers_what_a_batch_queued_in_one_go(hearth: Hearth) -> None:
    local = FakeTransport(hearth.clock)
    hearth.connect(Platform.LOCAL, local)

    handled = await hearth.handle_many(
        [command("probe", "hello", "d1"), command("probe", "dm", "d2")]
    )

    assert [one.queued for one in handled] == [1, 1]
    assert await hearth.storage.outbox.pending_count() == 0
    assert [post.message.context["text"] for post in local.posts] == ["probe heard hello", "psst"]
