from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bot.chat import Event, Member, MemberJoined, MessagePosted, Platform, Role, WorkspaceRef
from storage import Storage

NOW = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)
ACME = WorkspaceRef(Platform.SLACK, "T1")


def posted(delivery_id: str, *, workspace: WorkspaceRef = ACME) -> MessagePosted:
    return MessagePosted(
        delivery_id=delivery_id,
        workspace=workspace,
        occurred_at=NOW,
        actor="U1",
        channel="C1",
        message_id="1712345678.000100",
        text="thanks <@U2> ++",
    )


async def test_a_duplicate_delivery_is_claimed_only_once(storage: Storage) -> None:
    event = posted("Ev1")

    assert await storage.inbox.claim(event, now=NOW) is True
    assert await storage.inbox.claim(event, now=NOW + timedelta(seconds=3)) is False
    await storage.inbox.done(event, now=NOW)
    assert await storage.inbox.claim(event, now=NOW + timedelta(minutes=5)) is False


async def test_the_same_delivery_id_in_another_workspace_is_another_delivery(
    storage: Storage,
) -> None:
    assert await storage.inbox.claim(posted("Ev1"), now=NOW)
    assert await storage.inbox.claim(
        posted("Ev1", workspace=WorkspaceRef(Platform.SLACK, "T2")), now=NOW
    )
    assert await storage.inbox.claim(
        posted("Ev1", workspace=WorkspaceRef(Platform.DISCORD, "T1")), now=NOW
    )


async def test_an_event_claimed_but_never_done_comes_back_whole(storage: Storage) -> None:
    joined = MemberJoined(
        delivery_id="Ev2",
        workspace=ACME,
        occurred_at=NOW,
        member=Member(
            ref=ACME.member("U9"),
            name="Noé",
            timezone="Europe/Paris",
            role=Role.MEMBER,
            joined_at=NOW,
            opt_outs=frozenset({"pairing"}),
        ),
    )
    await storage.inbox.claim(joined, now=NOW)

    assert await storage.inbox.unfinished(claimed_before=NOW + timedelta(minutes=1)) == [joined]


async def test_a_done_event_is_not_unfinished(storage: Storage) -> None:
    event = posted("Ev1")
    await storage.inbox.claim(event, now=NOW)

    await storage.inbox.done(event, now=NOW + timedelta(seconds=1))

    assert await storage.inbox.unfinished(claimed_before=NOW + timedelta(hours=1)) == []


async def test_unfinished_lists_events_claimed_before_the_cutoff_oldest_first(
    storage: Storage,
) -> None:
    events = [posted(f"Ev{i}") for i in range(5)]
    for minutes, event in zip([3, 1, 2, 0, 10], events, strict=True):
        await storage.inbox.claim(event, now=NOW + timedelta(minutes=minutes))

    unfinished = await storage.inbox.unfinished(claimed_before=NOW + timedelta(minutes=5))
    first_two = await storage.inbox.unfinished(claimed_before=NOW + timedelta(minutes=5), limit=2)

    assert [e.delivery_id for e in unfinished] == ["Ev3", "Ev1", "Ev2", "Ev0"]
    assert [e.delivery_id for e in first_two] == ["Ev3", "Ev1"]


async def test_two_processes_receiving_one_delivery_handle_it_once(
    storage: Storage, other_storage: Storage
) -> None:
    event: Event = posted("Ev1")

    claims = await asyncio.gather(
        *(s.inbox.claim(event, now=NOW) for s in [storage, other_storage] * 10)
    )

    assert sorted(claims) == [False] * 19 + [True]


async def test_what_an_event_said_is_erased_once_it_is_processed(storage: Storage) -> None:
    kept, done = posted("Ev-kept"), posted("Ev-done")
    await storage.inbox.claim_many([kept, done], now=NOW)
    await storage.inbox.done(done, now=NOW)

    async with storage.engine.connect() as connection:
        rows = dict(
            (await connection.execute(text("SELECT delivery_id, payload FROM inbox"))).all()
        )
    assert "thanks <@U2> ++" in rows["Ev-kept"], "still needed to resume it"
    assert rows["Ev-done"] == ""
    assert "U1" not in rows["Ev-done"]
