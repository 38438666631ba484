"""Sent marks: written together after quick sends, at once after slow ones.

A mark not yet written is a message a crash would send again; these tests
hold the courier to sending nothing twice within a pass, and to leaving at
most `MARK_WITHIN` of quick sends unmarked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.chat import Message, Platform, Visibility, WorkspaceRef
from bot.delivery import MARK_WITHIN, Courier
from bot.outbox import Posted
from tests.fakes import FakeOutbox

T0 = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
SLACK = WorkspaceRef(Platform.SLACK, "T1")


@dataclass
class Stopwatch:
    """Real time as the courier reads it, moved by the transport below."""

    seconds: float = 0.0

    def __call__(self) -> float:
        return self.seconds


@dataclass
class TimedTransport:
    """Each send takes `takes` seconds and notes which messages were marked
    sent in the outbox when it began."""

    outbox: FakeOutbox
    watch: Stopwatch
    takes: float
    marked_at_start: list[list[int]] = field(default_factory=list)

    async def send(
        self, workspace: WorkspaceRef, message: Message, *, thread: Posted | None
    ) -> Posted:
        self.marked_at_start.append([row.id for row in self.outbox.rows if row.sent_at])
        self.watch.seconds += self.takes
        channel = thread.channel if thread else message.channel or "D1"
        return Posted(channel=channel, message_id=f"ts-{len(self.marked_at_start)}")


async def courier_for(takes: float) -> tuple[Courier, FakeOutbox, TimedTransport]:
    outbox = FakeOutbox()
    watch = Stopwatch()
    transport = TimedTransport(outbox, watch, takes)
    courier = Courier(outbox=outbox, transports={Platform.SLACK: transport}, timer=watch)
    await outbox.put(SLACK, [Message("t", channel=f"C{number}") for number in range(1, 4)], now=T0)
    return courier, outbox, transport


async def test_after_a_slow_send_the_message_is_marked_before_the_next_one_goes() -> None:
    courier, outbox, transport = await courier_for(takes=MARK_WITHIN * 2)

    delivered = await courier.deliver(now=T0)

    assert delivered.sent == 3
    assert transport.marked_at_start == [[], [1], [1, 2]]
    assert await outbox.pending_count() == 0


async def test_marks_of_quick_sends_are_written_together_by_the_end_of_the_pass() -> None:
    courier, outbox, transport = await courier_for(takes=MARK_WITHIN / 10)

    delivered = await courier.deliver(now=T0)

    assert delivered.sent == 3
    assert transport.marked_at_start == [[], [], []]
    assert await outbox.pending_count() == 0
    assert await courier.deliver(now=T0) == type(delivered)(0, 0, 0)  # nothing sent twice


async def test_quick_sends_are_left_unmarked_no_longer_than_mark_within() -> None:
    courier, _, transport = await courier_for(takes=MARK_WITHIN * 0.6)

    await courier.deliver(now=T0)

    # The second send ends 1.2 x MARK_WITHIN after the first began: both marked then.
    assert transport.marked_at_start == [[], [], [1, 2]]


async def test_a_reply_threads_under_a_parent_sent_earlier_in_the_same_pass() -> None:
    outbox = FakeOutbox()
    watch = Stopwatch()
    transport = TimedTransport(outbox, watch, takes=0.0)
    courier = Courier(outbox=outbox, transports={Platform.SLACK: transport}, timer=watch)
    await outbox.put(
        SLACK,
        [
            Message("root", channel="C1", key="root-1"),
            Message("reply", visibility=Visibility.THREAD, thread_key="root-1", channel="C1"),
        ],
        now=T0,
    )

    delivered = await courier.deliver(now=T0)

    assert delivered.sent == 2
    assert await outbox.posted(SLACK, "root-1") == Posted("C1", "ts-1")
