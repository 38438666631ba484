"""The inbox and outbox take batches in one statement, and keep their promises.

A batch of deliveries is claimed once each; a batch of messages is queued
with each key once; marks of a batch of sends settle each message once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.chat import Message, MessagePosted, Platform, WorkspaceRef
from bot.outbox import Posted
from storage import Storage

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
ACME = WorkspaceRef(Platform.SLACK, "T1")
GLOBEX = WorkspaceRef(Platform.SLACK, "T2")


def posted(delivery_id: str, *, workspace: WorkspaceRef = ACME) -> MessagePosted:
    return MessagePosted(
        delivery_id=delivery_id,
        workspace=workspace,
        occurred_at=NOW,
        actor="U1",
        channel="C1",
        message_id=f"m-{delivery_id}",
        text="thanks <@U2> ++",
    )


def say(text: str, *, key: str | None = None) -> Message:
    return Message("kudos/given", {"text": text}, channel="C1", key=key)


async def test_a_batch_claims_each_delivery_once_however_often_it_comes(
    storage: Storage,
) -> None:
    assert await storage.inbox.claim(posted("Ev0"), now=NOW)
    events = [
        posted("Ev1"),
        posted("Ev0"),  # claimed before
        posted("Ev1"),  # twice in this batch
        posted("Ev1", workspace=GLOBEX),  # the same id elsewhere: another delivery
        posted("Ev2"),
    ]

    claimed = await storage.inbox.claim_many(events, now=NOW)

    assert claimed == [True, False, False, True, True]
    assert await storage.inbox.claim_many([posted("Ev2")], now=NOW) == [False]
    assert await storage.inbox.claim_many([], now=NOW) == []


async def test_a_batch_is_marked_done_at_once_and_nothing_else_is(storage: Storage) -> None:
    events = [posted("Ev1"), posted("Ev2"), posted("Ev3")]
    await storage.inbox.claim_many(events, now=NOW)

    await storage.inbox.done_many(events[:2], now=NOW)

    unfinished = await storage.inbox.unfinished(claimed_before=NOW + timedelta(minutes=1))
    assert [event.delivery_id for event in unfinished] == ["Ev3"]


async def test_queueing_a_batch_counts_what_each_workspace_queued(storage: Storage) -> None:
    await storage.outbox.put(ACME, [say("old", key="k1")], now=NOW)

    counts = await storage.outbox.put_many(
        [
            (ACME, [say("a"), say("again", key="k1"), say("b", key="k2")]),
            (GLOBEX, [say("c", key="k1")]),  # keys are per workspace
            (ACME, [say("d", key="k2"), say("e")]),  # k2 went with the first batch
            (ACME, []),
        ],
        now=NOW,
    )

    assert counts == [2, 1, 1, 0]
    assert await storage.outbox.pending_count() == 5
    assert await storage.outbox.put_many([], now=NOW) == []


async def test_sent_marks_of_a_batch_settle_each_message_once(storage: Storage) -> None:
    await storage.outbox.put(ACME, [say("a", key="ka"), say("b"), say("c")], now=NOW)
    taken = await storage.outbox.take(now=NOW, lease_until=NOW + timedelta(seconds=30), limit=10)
    first, second, third = (envelope.id for envelope in taken)
    await storage.outbox.dead(third, error="channel_not_found", now=NOW)

    await storage.outbox.sent_many(
        [(first, Posted("C1", "ts-1")), (second, Posted("C1", "ts-2")), (third, Posted("C1", "x"))],
        now=NOW,
    )

    assert await storage.outbox.pending_count() == 0
    assert await storage.outbox.posted(ACME, "ka") == Posted("C1", "ts-1")
    later = NOW + timedelta(minutes=5)
    assert await storage.outbox.take(now=later, lease_until=later, limit=10) == []
