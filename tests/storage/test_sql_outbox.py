from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.chat import Action, Message, Platform, Visibility, WorkspaceRef
from bot.outbox import Posted
from storage import Storage

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
LATER = NOW + timedelta(minutes=1)
LEASE = NOW + timedelta(seconds=30)
ACME = WorkspaceRef(Platform.SLACK, "T1")


def say(text: str, *, key: str | None = None) -> Message:
    return Message("kudos/given", {"text": text}, channel="C1", key=key)


async def take_all(storage: Storage, now: datetime = NOW) -> list[str]:
    envelopes = await storage.outbox.take(
        now=now, lease_until=now + timedelta(seconds=30), limit=100
    )
    return [str(e.message.context["text"]) for e in envelopes]


async def test_queued_messages_are_taken_oldest_first_with_their_history(
    storage: Storage,
) -> None:
    welcome = Message(
        "onboarding/welcome",
        {"name": "Ana", "day": NOW.date()},
        visibility=Visibility.DM,
        to="U1",
        key="welcome:U1",
        actions=(Action("Say hi", "onboarding.hi", "U1"),),
    )
    assert await storage.outbox.put(ACME, [welcome, say("second")], now=NOW) == 2
    await storage.outbox.put(ACME, [say("third")], now=NOW + timedelta(seconds=1))

    taken = await storage.outbox.take(now=LATER, lease_until=LATER + timedelta(seconds=30), limit=2)

    assert [e.message for e in taken] == [welcome, say("second")]
    assert taken[0].workspace == ACME
    assert taken[0].attempts == 0
    assert taken[0].next_try == NOW
    assert taken[0].created_at == NOW
    assert taken[0].id < taken[1].id


async def test_a_taken_message_is_not_taken_again_before_its_lease_ends(
    storage: Storage,
) -> None:
    await storage.outbox.put(ACME, [say("hello")], now=NOW)
    [first] = await storage.outbox.take(now=NOW, lease_until=LEASE, limit=10)

    assert (
        await storage.outbox.take(now=LEASE - timedelta(seconds=1), lease_until=LATER, limit=10)
        == []
    )
    [again] = await storage.outbox.take(now=LEASE, lease_until=LATER, limit=10)
    assert again.id == first.id


async def test_a_message_waits_for_its_next_try(storage: Storage) -> None:
    await storage.outbox.put(ACME, [say("hello")], now=NOW)

    assert await take_all(storage, now=NOW - timedelta(seconds=1)) == []
    assert await take_all(storage, now=NOW) == ["hello"]


async def test_a_keyed_message_is_queued_once_per_workspace(storage: Storage) -> None:
    other = WorkspaceRef(Platform.DISCORD, "T1")

    assert await storage.outbox.put(ACME, [say("a", key="k"), say("b", key="k")], now=NOW) == 1
    assert await storage.outbox.put(ACME, [say("c", key="k"), say("d")], now=NOW) == 1
    assert await storage.outbox.put(other, [say("e", key="k")], now=NOW) == 1
    assert await storage.outbox.put(ACME, [say("f"), say("f")], now=NOW) == 2

    assert sorted(await take_all(storage)) == ["a", "d", "e", "f", "f"]


async def test_putting_nothing_queues_nothing(storage: Storage) -> None:
    assert await storage.outbox.put(ACME, [], now=NOW) == 0
    assert await storage.outbox.pending_count() == 0


async def test_a_failed_message_is_tried_again_later_with_the_attempt_counted(
    storage: Storage,
) -> None:
    await storage.outbox.put(ACME, [say("hello")], now=NOW)
    [envelope] = await storage.outbox.take(now=NOW, lease_until=LEASE, limit=1)
    retry_at = NOW + timedelta(seconds=5)

    await storage.outbox.retry(envelope.id, at=retry_at, error="ratelimited")

    assert (
        await storage.outbox.take(now=retry_at - timedelta(seconds=1), lease_until=LEASE, limit=1)
        == []
    )
    [again] = await storage.outbox.take(now=retry_at, lease_until=LATER, limit=1)
    assert (again.id, again.attempts, again.next_try) == (envelope.id, 1, retry_at)


async def test_a_dead_message_is_never_taken_again(storage: Storage) -> None:
    await storage.outbox.put(ACME, [say("hello")], now=NOW)
    [envelope] = await storage.outbox.take(now=NOW, lease_until=LEASE, limit=1)

    await storage.outbox.dead(envelope.id, error="channel_not_found", now=NOW)
    await storage.outbox.retry(envelope.id, at=NOW, error="too late")

    assert await take_all(storage, now=NOW + timedelta(days=1)) == []
    assert await storage.outbox.pending_count() == 0


async def test_a_sent_message_is_final_and_its_key_tells_where_it_landed(
    storage: Storage,
) -> None:
    await storage.outbox.put(ACME, [say("welcome", key="welcome:U1")], now=NOW)
    assert await storage.outbox.posted(ACME, "welcome:U1") is None
    [envelope] = await storage.outbox.take(now=NOW, lease_until=LEASE, limit=1)

    await storage.outbox.sent(envelope.id, channel="C1", message_id="1712.0001", now=NOW)
    await storage.outbox.retry(envelope.id, at=NOW, error="too late")

    assert await take_all(storage, now=NOW + timedelta(days=1)) == []
    assert await storage.outbox.posted(ACME, "welcome:U1") == Posted("C1", "1712.0001")
    assert await storage.outbox.posted(WorkspaceRef(Platform.SLACK, "T2"), "welcome:U1") is None
    assert await storage.outbox.posted(ACME, "unknown") is None
    assert await storage.outbox.put(ACME, [say("welcome", key="welcome:U1")], now=LATER) == 0


async def test_pending_counts_messages_neither_sent_nor_dead(storage: Storage) -> None:
    await storage.outbox.put(ACME, [say("a"), say("b"), say("c")], now=NOW)
    a, b, _ = await storage.outbox.take(now=NOW, lease_until=LEASE, limit=3)

    await storage.outbox.sent(a.id, channel="C1", message_id="1", now=NOW)
    await storage.outbox.dead(b.id, error="gone", now=NOW)

    assert await storage.outbox.pending_count() == 1


async def test_concurrent_senders_never_take_the_same_message(
    storage: Storage, other_storage: Storage
) -> None:
    await storage.outbox.put(ACME, [say(str(i)) for i in range(12)], now=NOW)

    batches = await asyncio.gather(
        *(s.outbox.take(now=NOW, lease_until=LEASE, limit=3) for s in [storage, other_storage] * 4)
    )

    ids = [envelope.id for batch in batches for envelope in batch]
    assert len(ids) == len(set(ids)) == 12
