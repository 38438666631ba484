"""Sending what the outbox holds, at a pace the platforms accept.

A message is never lost because a platform was down or rate limited, and
never sent twice: the courier leases due messages, sends each through the
platform's transport, and records the outcome. (A process that dies between
a platform's acceptance and that record leaves the message to be sent again
when its lease ends: the one duplicate no outbox can rule out.) Transient
failures are retried with exponential backoff, long enough to outlast an
outage of about three hours; a `Retry-After` is a wait, not a failure; a
message that can never be delivered (the bot may not post in that channel)
is set aside as dead instead of being retried forever.

Marking a message sent is a database write; after a quick send (the local
workspace prints in microseconds) the marks wait and are written together,
at the latest `MARK_WITHIN` after the first of them began and at the end of
each pass. After a send slower than that (any network platform) the mark is
written at once, as it always was. So a crash can send again at most what
was sent in the last `MARK_WITHIN`, or the one message in flight.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.chat import Message, Platform, WorkspaceRef
from bot.outbox import Envelope, Outbox, Posted

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 16  # 2 s, 4 s, ... 17 min, then 30 min: about three hours in all
BASE_BACKOFF = timedelta(seconds=2)
MAX_BACKOFF = timedelta(minutes=30)
LEASE = timedelta(minutes=2)
MARK_WITHIN = 0.02  # seconds: sends that quick share one write of their sent marks
THREAD_WAIT = timedelta(days=1)  # then the message to thread under is not coming


class DeliveryError(Exception):
    """A send that failed. `permanent` ones are never retried."""

    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        unreachable: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent or unreachable
        self.retry_after = retry_after
        self.unreachable = unreachable  # the bot may not post in that channel


Unreachable = Callable[[WorkspaceRef, str, str], Awaitable[None]]
"""Told once a message dies because the bot may not post in a channel."""


class Transport(Protocol):
    """A platform's way of posting a message the outbox holds."""

    async def send(
        self, workspace: WorkspaceRef, message: Message, *, thread: Posted | None
    ) -> Posted: ...


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s, ... capped at 30 minutes."""
    doublings = min(max(attempts - 1, 0), 32)  # far past the cap, short of overflow
    return min(BASE_BACKOFF * (1 << doublings), MAX_BACKOFF)


@dataclass(frozen=True, slots=True)
class Delivered:
    sent: int
    retried: int
    dead: int


Lane = tuple[WorkspaceRef, str]


class Courier:
    """Drains the outbox through the transports, one lease at a time.

    `pace` is the least time between two posts to one channel (Slack asks
    about one message per second per channel), per platform in `paces`; a
    message for a busy channel
    waits for its next turn instead of holding up the others. A channel
    that answered with `Retry-After` gets no post before that time either.
    Only failed sends count as attempts: waiting for a turn, for a thread's
    first message, for a platform to connect or for a rate limit to pass
    does not.
    """

    def __init__(
        self,
        *,
        outbox: Outbox,
        transports: Mapping[Platform, Transport],
        pace: timedelta = timedelta(seconds=0),
        paces: Mapping[Platform, timedelta] | None = None,
        batch: int = 50,
        unreachable: Unreachable | None = None,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._outbox = outbox
        self._transports = transports  # platforms connect after the courier is built
        self._pace = pace
        self._paces = paces if paces is not None else {}  # filled as platforms connect
        self._unreachable = unreachable
        self.batch = batch
        self._next_turn: dict[Lane, datetime] = {}
        self._timer = timer  # real time, for MARK_WITHIN; `now` may be simulated
        self._marks: list[tuple[int, Posted]] = []  # sent, not yet written
        self._marks_since = 0.0

    async def deliver(self, *, now: datetime) -> Delivered:
        self._next_turn = {lane: t for lane, t in self._next_turn.items() if t > now}
        sent = retried = dead = 0
        envelopes = await self._outbox.take(now=now, lease_until=now + LEASE, limit=self.batch)
        try:
            for envelope in envelopes:
                outcome = await self._deliver_one(envelope, now=now)
                sent += outcome == "sent"
                retried += outcome == "retried"
                dead += outcome == "dead"
        finally:
            await self._write_marks(now=now)
        return Delivered(sent=sent, retried=retried, dead=dead)

    async def _mark(self, envelope_id: int, posted: Posted, *, began: float, now: datetime) -> None:
        """Remember a send; write the waiting marks once MARK_WITHIN has passed."""
        if not self._marks:
            self._marks_since = began
        self._marks.append((envelope_id, posted))
        if self._timer() - self._marks_since >= MARK_WITHIN:
            await self._write_marks(now=now)

    async def _write_marks(self, *, now: datetime) -> None:
        if self._marks:
            marks, self._marks = self._marks, []
            await self._outbox.sent_many(marks, now=now)

    async def _deliver_one(self, envelope: Envelope, *, now: datetime) -> str:
        message = envelope.message
        transport = self._transports.get(envelope.workspace.platform)
        if transport is None:
            log.info("outbox message %s waits for its platform to connect", envelope.id)
            await self._outbox.postpone(envelope.id, at=now + LEASE)
            return "retried"
        lane = (envelope.workspace, message.channel or f"dm:{message.to}")
        turn = self._next_turn.get(lane)
        if turn is not None and turn > now:
            await self._outbox.postpone(envelope.id, at=turn)
            return "retried"
        thread = None
        if message.thread_key is not None:
            await self._write_marks(now=now)  # the message to thread under may be among them
            thread = await self._outbox.posted(envelope.workspace, message.thread_key)
            if thread is None:
                return await self._wait_for_thread(envelope, now=now)
        began = self._timer()
        try:
            posted = await transport.send(envelope.workspace, message, thread=thread)
        except DeliveryError as error:
            return await self._failed(envelope, error, lane=lane, now=now)
        except Exception as error:
            # An adapter's bug must not stall the outbox: count it as a failure.
            log.exception("sending outbox message %s raised", envelope.id)
            failure = DeliveryError(f"{type(error).__name__}: {error}")
            return await self._failed(envelope, failure, lane=lane, now=now)
        pace = self._paces.get(envelope.workspace.platform, self._pace)
        if pace:
            self._next_turn[lane] = now + pace
        await self._mark(envelope.id, posted, began=began, now=now)
        return "sent"

    async def _wait_for_thread(self, envelope: Envelope, *, now: datetime) -> str:
        """Wait, checking less and less often, for the message to thread under."""
        waited = now - envelope.created_at
        if waited >= THREAD_WAIT:
            reason = f"{envelope.message.thread_key!r} was never posted to thread under"
            log.warning("giving up on outbox message %s: %s", envelope.id, reason)
            await self._outbox.dead(envelope.id, error=reason, now=now)
            return "dead"
        await self._outbox.postpone(
            envelope.id, at=now + min(max(waited, BASE_BACKOFF), MAX_BACKOFF)
        )
        return "retried"

    async def _failed(
        self, envelope: Envelope, error: DeliveryError, *, lane: Lane, now: datetime
    ) -> str:
        if error.permanent:
            log.warning("giving up on outbox message %s: %s", envelope.id, error.reason)
            await self._outbox.dead(envelope.id, error=error.reason, now=now)
            channel = envelope.message.channel
            if error.unreachable and channel is not None and self._unreachable is not None:
                await self._unreachable(envelope.workspace, channel, error.reason)
            return "dead"
        if error.retry_after is not None:
            # Rate limited: the message is fine, the channel has to wait.
            at = now + timedelta(seconds=max(error.retry_after, 0))
            self._next_turn[lane] = max(at, self._next_turn.get(lane, at))
            log.info("outbox message %s rate limited until %s", envelope.id, at.isoformat())
            await self._outbox.postpone(envelope.id, at=at)
            return "retried"
        attempts = envelope.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            log.warning("giving up on outbox message %s: %s", envelope.id, error.reason)
            await self._outbox.dead(envelope.id, error=error.reason, now=now)
            return "dead"
        wait = backoff(attempts)
        log.info("outbox message %s will be retried in %s: %s", envelope.id, wait, error.reason)
        await self._outbox.retry(envelope.id, at=now + wait, error=error.reason)
        return "retried"
