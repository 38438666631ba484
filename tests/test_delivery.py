"""The courier: every queued message goes out once, at a pace platforms accept.

Each test runs on the in-memory outbox and on `SqlOutbox` over a SQLite
file. Time is simulated: the test moves the clock and asks for delivery.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.chat import Message, Platform, Visibility, WorkspaceRef
from bot.delivery import (
    BASE_BACKOFF,
    LEASE,
    MAX_ATTEMPTS,
    MAX_BACKOFF,
    THREAD_WAIT,
    Courier,
    Delivered,
    DeliveryError,
    Transport,
    backoff,
)
from bot.outbox import Outbox, Posted
from bot.schedule import SimulatedClock
from storage import open_storage, upgrade
from tests.fakes import FakeOutbox, FakeTransport, rate_limited

T0 = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
SLACK = WorkspaceRef(Platform.SLACK, "T1")
SECOND = timedelta(seconds=1)
MILLISECOND = timedelta(milliseconds=1)


def transient(reason: str = "service_unavailable") -> DeliveryError:
    return DeliveryError(reason)


def say(template: str, channel: str = "C-general", **fields: Any) -> Message:
    return Message(template, channel=channel, **fields)


@pytest.fixture(params=["memory", "sqlite"])
async def outbox(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Outbox]:
    if request.param == "memory":
        yield FakeOutbox()
        return
    url = f"sqlite:///{tmp_path}/hearth.db"
    await upgrade(url)
    async with await open_storage(url) as storage:
        yield storage.outbox


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


@pytest.fixture
def slack(clock: SimulatedClock) -> FakeTransport:
    return FakeTransport(clock)


class Desk:
    """The outbox, the courier and the clock a test drives them with."""

    def __init__(
        self,
        outbox: Outbox,
        clock: SimulatedClock,
        transports: dict[Platform, Transport],
        *,
        pace: timedelta = timedelta(0),
    ) -> None:
        self.outbox = outbox
        self.clock = clock
        self.transports = transports
        self.courier = Courier(outbox=outbox, transports=transports, pace=pace)

    async def queue(self, *messages: Message, workspace: WorkspaceRef = SLACK) -> None:
        await self.outbox.put(workspace, messages, now=self.clock.now())

    async def deliver_at(self, moment: datetime) -> Delivered:
        self.clock.set(moment)
        return await self.courier.deliver(now=moment)

    async def deliver_every(self, step: timedelta, *, until: datetime) -> None:
        """Deliver at each `step` from now until `until`, as a busy loop would."""
        while self.clock.now() + step <= until:
            await self.deliver_at(self.clock.now() + step)


@pytest.fixture
def desk(outbox: Outbox, clock: SimulatedClock, slack: FakeTransport) -> Desk:
    return Desk(outbox, clock, {Platform.SLACK: slack})


async def test_a_queued_message_is_sent_once(desk: Desk, slack: FakeTransport) -> None:
    await desk.queue(say("kudos"))

    assert await desk.deliver_at(T0) == Delivered(sent=1, retried=0, dead=0)
    assert await desk.deliver_at(T0 + LEASE * 3) == Delivered(sent=0, retried=0, dead=0)

    assert [post.message.template for post in slack.posts] == ["kudos"]
    assert await desk.outbox.pending_count() == 0


@pytest.mark.parametrize(
    ("attempts", "wait"),
    [
        (0, BASE_BACKOFF),
        (1, timedelta(seconds=2)),
        (2, timedelta(seconds=4)),
        (3, timedelta(seconds=8)),
        (10, timedelta(seconds=1024)),
        (11, MAX_BACKOFF),
        (1000, MAX_BACKOFF),
    ],
)
def test_backoff_doubles_up_to_its_cap(attempts: int, wait: timedelta) -> None:
    assert backoff(attempts) == wait


async def test_a_transient_error_is_retried_with_exponential_backoff(
    desk: Desk, slack: FakeTransport
) -> None:
    slack.outcomes = [transient(), transient(), transient()]
    await desk.queue(say("welcome"))
    due = [T0, T0 + 2 * SECOND, T0 + 6 * SECOND, T0 + 14 * SECOND]

    await desk.deliver_at(T0)
    for moment in due[1:]:
        await desk.deliver_at(moment - MILLISECOND)  # not yet
        await desk.deliver_at(moment)

    assert slack.tries_of("welcome") == due
    assert [post.accepted for post in slack.posts] == [False, False, False, True]
    assert await desk.outbox.pending_count() == 0


async def test_retry_after_is_honoured_exactly(desk: Desk, slack: FakeTransport) -> None:
    slack.outcomes = [rate_limited(7.5)]
    await desk.queue(say("kudos"))

    await desk.deliver_at(T0)
    await desk.deliver_at(T0 + timedelta(seconds=7.499))
    await desk.deliver_at(T0 + timedelta(seconds=7.5))

    assert slack.tries_of("kudos") == [T0, T0 + timedelta(seconds=7.5)]
    assert await desk.outbox.pending_count() == 0


async def test_a_rate_limited_channel_waits_while_other_channels_go_on(
    desk: Desk, slack: FakeTransport
) -> None:
    slack.outcomes = [rate_limited(30)]
    await desk.queue(say("first"), say("second"), say("elsewhere", channel="C-random"))

    await desk.deliver_at(T0)
    await desk.deliver_every(5 * SECOND, until=T0 + timedelta(seconds=35))

    assert [(p.message.template, p.at - T0) for p in slack.delivered] == [
        ("elsewhere", timedelta(0)),
        ("first", timedelta(seconds=30)),
        ("second", timedelta(seconds=30)),
    ]


async def test_rate_limits_never_wear_a_message_down_to_dead(
    desk: Desk, slack: FakeTransport
) -> None:
    slack.outcomes = [rate_limited(60)] * (MAX_ATTEMPTS * 2)
    await desk.queue(say("kudos"))

    await desk.deliver_at(T0)
    await desk.deliver_every(timedelta(minutes=1), until=T0 + timedelta(hours=1))

    assert len(slack.tries_of("kudos")) == MAX_ATTEMPTS * 2 + 1
    assert [post.message.template for post in slack.delivered] == ["kudos"]


async def test_a_permanent_error_marks_the_message_dead_and_it_is_not_retried(
    desk: Desk, slack: FakeTransport
) -> None:
    slack.outcomes = [DeliveryError("not_in_channel", permanent=True)]
    await desk.queue(say("kudos"))

    assert await desk.deliver_at(T0) == Delivered(sent=0, retried=0, dead=1)
    await desk.deliver_every(MAX_BACKOFF, until=T0 + timedelta(days=1))

    assert slack.tries_of("kudos") == [T0]
    assert await desk.outbox.pending_count() == 0


async def test_a_message_is_dead_after_max_attempts(desk: Desk, slack: FakeTransport) -> None:
    slack.failing = transient()
    await desk.queue(say("kudos"))

    await desk.deliver_at(T0)
    await desk.deliver_every(timedelta(minutes=1), until=T0 + timedelta(hours=6))

    assert len(slack.tries_of("kudos")) == MAX_ATTEMPTS
    assert await desk.outbox.pending_count() == 0


async def test_a_message_outlasts_a_two_hour_outage(desk: Desk, slack: FakeTransport) -> None:
    slack.failing = transient()
    await desk.queue(say("kudos"))

    await desk.deliver_at(T0)
    await desk.deliver_every(timedelta(minutes=1), until=T0 + timedelta(hours=2))
    slack.failing = None
    await desk.deliver_every(timedelta(minutes=1), until=T0 + timedelta(hours=3))

    assert [post.message.template for post in slack.delivered] == ["kudos"]


async def test_an_adapter_bug_counts_as_a_failed_attempt_and_does_not_stall_the_others(
    desk: Desk, slack: FakeTransport
) -> None:
    slack.outcomes = [KeyError("blocks")]
    await desk.queue(say("broken"), say("fine", channel="C-random"))

    assert await desk.deliver_at(T0) == Delivered(sent=1, retried=1, dead=0)
    await desk.deliver_at(T0 + backoff(1))

    assert slack.tries_of("broken") == [T0, T0 + backoff(1)]
    assert await desk.outbox.pending_count() == 0


async def test_a_threaded_message_waits_for_its_parent_then_threads_under_it(
    desk: Desk, slack: FakeTransport
) -> None:
    slack.outcomes = [transient()]  # the parent's first try fails
    parent = say("welcome", key="welcome:U1")
    reply = say("first-steps", visibility=Visibility.THREAD, thread_key="welcome:U1")
    await desk.queue(parent, reply)

    await desk.deliver_at(T0)
    await desk.deliver_every(SECOND, until=T0 + 10 * SECOND)

    (welcome,) = [post for post in slack.delivered if post.message.template == "welcome"]
    (first_steps,) = [post for post in slack.delivered if post.message.template == "first-steps"]
    assert welcome.at == T0 + backoff(1)
    assert first_steps.thread == Posted(channel="C-general", message_id="ts-2")
    assert first_steps.at >= welcome.at


async def test_a_reply_queued_before_its_parent_is_sent_after_it(
    desk: Desk, slack: FakeTransport
) -> None:
    reply = say("first-steps", visibility=Visibility.THREAD, thread_key="welcome:U1")
    await desk.queue(reply)
    await desk.deliver_at(T0)
    await desk.queue(say("welcome", key="welcome:U1"))

    await desk.deliver_every(SECOND, until=T0 + timedelta(minutes=1))

    assert [post.message.template for post in slack.delivered] == ["welcome", "first-steps"]
    assert slack.delivered[1].thread == Posted(channel="C-general", message_id="ts-1")


async def test_waiting_for_a_parent_does_not_count_as_failed_attempts(
    desk: Desk, slack: FakeTransport
) -> None:
    reply = say("first-steps", visibility=Visibility.THREAD, thread_key="welcome:U1")
    await desk.queue(reply)
    await desk.deliver_at(T0)
    await desk.deliver_every(timedelta(minutes=1), until=T0 + timedelta(hours=6))  # no parent
    await desk.queue(say("welcome", key="welcome:U1"))
    slack.outcomes = [None] + [transient()] * (MAX_ATTEMPTS - 1)  # the parent goes out

    await desk.deliver_every(timedelta(minutes=1), until=T0 + timedelta(hours=12))

    assert len(slack.tries_of("first-steps")) == MAX_ATTEMPTS
    assert [post.message.template for post in slack.delivered] == ["welcome", "first-steps"]


async def test_a_reply_whose_parent_never_comes_is_dead_after_a_day(
    desk: Desk, slack: FakeTransport
) -> None:
    reply = say("first-steps", visibility=Visibility.THREAD, thread_key="never:posted")
    await desk.queue(reply)

    await desk.deliver_at(T0)
    step = timedelta(minutes=10)
    await desk.deliver_every(step, until=T0 + THREAD_WAIT - step)
    assert await desk.outbox.pending_count() == 1
    await desk.deliver_every(step, until=T0 + THREAD_WAIT + MAX_BACKOFF)

    assert await desk.outbox.pending_count() == 0
    assert slack.posts == []


async def test_pacing_spaces_posts_to_one_channel_without_holding_up_another(
    outbox: Outbox, clock: SimulatedClock, slack: FakeTransport
) -> None:
    desk = Desk(outbox, clock, {Platform.SLACK: slack}, pace=SECOND)
    await desk.queue(say("one"), say("two"), say("elsewhere", channel="C-random"))

    await desk.deliver_at(T0)
    await desk.deliver_at(T0 + SECOND - MILLISECOND)
    await desk.deliver_at(T0 + SECOND)

    assert [(p.message.template, p.at - T0) for p in slack.posts] == [
        ("one", timedelta(0)),
        ("elsewhere", timedelta(0)),
        ("two", SECOND),
    ]


async def test_paced_turns_do_not_count_as_failed_attempts(
    outbox: Outbox, clock: SimulatedClock, slack: FakeTransport
) -> None:
    desk = Desk(outbox, clock, {Platform.SLACK: slack}, pace=SECOND)
    count = MAX_ATTEMPTS * 2
    await desk.queue(*(say(f"m{n}") for n in range(count)))
    slack.outcomes = [None] * (count - 1) + [transient()]  # the last one fails once

    await desk.deliver_at(T0)
    await desk.deliver_every(SECOND / 4, until=T0 + timedelta(minutes=1))

    assert [post.message.template for post in slack.delivered] == [f"m{n}" for n in range(count)]
    gaps = [b.at - a.at for a, b in itertools.pairwise(slack.posts)]
    assert min(gaps) == SECOND


async def test_a_message_for_a_platform_with_no_transport_waits_and_is_not_lost(
    outbox: Outbox, clock: SimulatedClock, slack: FakeTransport
) -> None:
    transports: dict[Platform, Transport] = {}
    desk = Desk(outbox, clock, transports)
    await desk.queue(say("kudos"))

    assert await desk.deliver_at(T0) == Delivered(sent=0, retried=1, dead=0)
    await desk.deliver_every(LEASE, until=T0 + timedelta(hours=3))
    transports[Platform.SLACK] = slack
    slack.outcomes = [transient()] * (MAX_ATTEMPTS - 1)
    await desk.deliver_every(LEASE, until=T0 + timedelta(hours=8))

    assert await desk.outbox.pending_count() == 0
    assert [post.message.template for post in slack.delivered] == ["kudos"]


async def test_messages_of_another_platform_do_not_wait_for_a_missing_one(
    desk: Desk, slack: FakeTransport
) -> None:
    discord = WorkspaceRef(Platform.DISCORD, "G1")
    await desk.queue(say("hello"), workspace=discord)
    await desk.queue(say("kudos"))

    assert await desk.deliver_at(T0) == Delivered(sent=1, retried=1, dead=0)
    assert [post.message.template for post in slack.posts] == ["kudos"]
    assert await desk.outbox.pending_count() == 1


async def test_each_platform_keeps_its_own_pace(
    outbox: Outbox, clock: SimulatedClock, slack: FakeTransport
) -> None:
    discord = FakeTransport(clock)
    transports: dict[Platform, Transport] = {Platform.SLACK: slack, Platform.DISCORD: discord}
    courier = Courier(outbox=outbox, transports=transports, paces={Platform.SLACK: SECOND})
    guild = WorkspaceRef(Platform.DISCORD, "G1")
    await outbox.put(SLACK, [say("s1"), say("s2")], now=T0)
    await outbox.put(guild, [say("d1"), say("d2")], now=T0)

    await courier.deliver(now=T0)

    assert [p.message.template for p in discord.delivered] == ["d1", "d2"]
    assert [p.message.template for p in slack.delivered] == ["s1"]
    clock.set(T0 + SECOND)
    await courier.deliver(now=T0 + SECOND)
    assert [p.message.template for p in slack.delivered] == ["s1", "s2"]


async def test_a_channel_that_refuses_the_bot_is_reported_and_not_retried(
    desk: Desk, slack: FakeTransport
) -> None:
    reports: list[tuple[WorkspaceRef, str, str]] = []

    async def report(workspace: WorkspaceRef, channel: str, reason: str) -> None:
        reports.append((workspace, channel, reason))

    courier = Courier(outbox=desk.outbox, transports=desk.transports, unreachable=report)
    slack.failing = DeliveryError("not_in_channel", unreachable=True)
    await desk.queue(say("kudos", channel="C-secret"))

    assert await courier.deliver(now=T0) == Delivered(sent=0, retried=0, dead=1)
    await courier.deliver(now=T0 + timedelta(hours=1))

    assert len(slack.posts) == 1
    assert reports == [(SLACK, "C-secret", "not_in_channel")]
