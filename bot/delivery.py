"""Sending what the outbox holds, at a pace the platforms accept.

A message is never lost because a platform was down or rate limited, and
never sent twice: the courier leases due messages, sends each through the
platform's transport, and records the outcome. Transient failures are
retried with exponential backoff (or after the platform's `Retry-After`);
a message that can never be delivered (the bot may not post in that
channel) is set aside as dead instead of being retried forever.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.chat import Message, Platform, WorkspaceRef
from bot.outbox import Envelope, Outbox, Posted

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BASE_BACKOFF = timedelta(seconds=2)
MAX_BACKOFF = timedelta(minutes=30)
LEASE = timedelta(minutes=2)


class DeliveryError(Exception):
    """A send that failed. `permanent` ones are never retried."""

    def __init__(
        self, reason: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


class Transport(Protocol):
    """A platform's way of posting a message the outbox holds."""

    async def send(
        self, workspace: WorkspaceRef, message: Message, *, thread: Posted | None
    ) -> Posted: ...


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s, ... capped at 30 minutes."""
    return min(BASE_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


@dataclass(frozen=True, slots=True)
class Delivered:
    sent: int
    retried: int
    dead: int


class Courier:
    """Drains the outbox through the transports, one lease at a time.

    `pace` is the least time between two posts to one channel (Slack asks
    about one message per second per channel); a message for a busy channel
    waits for its next turn instead of holding up the others.
    """

    def __init__(
        self,
        *,
        outbox: Outbox,
        transports: Mapping[Platform, Transport],
        pace: timedelta = timedelta(seconds=0),
        batch: int = 50,
    ) -> None:
        self._outbox = outbox
        self._transports = transports  # platforms connect after the courier is built
        self._pace = pace
        self._batch = batch
        self._last_post: dict[tuple[WorkspaceRef, str], datetime] = {}

    async def deliver(self, *, now: datetime) -> Delivered:
        sent = retried = dead = 0
        envelopes = await self._outbox.take(now=now, lease_until=now + LEASE, limit=self._batch)
        for envelope in envelopes:
            outcome = await self._deliver_one(envelope, now=now)
            sent += outcome == "sent"
            retried += outcome == "retried"
            dead += outcome == "dead"
        return Delivered(sent=sent, retried=retried, dead=dead)

    async def _deliver_one(self, envelope: Envelope, *, now: datetime) -> str:
        message = envelope.message
        transport = self._transports.get(envelope.workspace.platform)
        if transport is None:
            await self._outbox.retry(envelope.id, at=now + LEASE, error="platform not connected")
            return "retried"
        lane = (envelope.workspace, message.channel or f"dm:{message.to}")
        last = self._last_post.get(lane)
        if self._pace and last is not None and now - last < self._pace:
            await self._outbox.retry(envelope.id, at=last + self._pace, error="paced")
            return "retried"
        thread = None
        if message.thread_key is not None:
            thread = await self._outbox.posted(envelope.workspace, message.thread_key)
            if thread is None:
                await self._outbox.retry(
                    envelope.id, at=now + backoff(1), error="thread not posted yet"
                )
                return "retried"
        try:
            posted = await transport.send(envelope.workspace, message, thread=thread)
        except DeliveryError as error:
            return await self._failed(envelope, error, now=now)
        self._last_post[lane] = now
        await self._outbox.sent(
            envelope.id, channel=posted.channel, message_id=posted.message_id, now=now
        )
        return "sent"

    async def _failed(self, envelope: Envelope, error: DeliveryError, *, now: datetime) -> str:
        attempts = envelope.attempts + 1
        if error.permanent or attempts >= MAX_ATTEMPTS:
            log.warning("giving up on outbox message %s: %s", envelope.id, error.reason)
            await self._outbox.dead(envelope.id, error=error.reason, now=now)
            return "dead"
        wait = (
            timedelta(seconds=error.retry_after)
            if error.retry_after is not None
            else backoff(attempts)
        )
        log.info("outbox message %s will be retried in %s: %s", envelope.id, wait, error.reason)
        await self._outbox.retry(envelope.id, at=now + wait, error=error.reason)
        return "retried"
