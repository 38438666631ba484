"""From one inbound event to the replies it produces.

The dispatcher claims the event in the inbox (a duplicate delivery stops
here), keeps the directory current for joins and departures, finds the
features that answer, and sorts what they return: private replies and forms
go straight back to the adapter that holds the interaction; everything
public, in a thread or by DM goes to the outbox, which survives crashes and
outages. A handler that fails yields a private apology, never a half reply.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.chat import (
    ButtonPressed,
    CommandInvoked,
    Event,
    Form,
    FormSubmitted,
    Member,
    MemberJoined,
    MemberLeft,
    Message,
    Reply,
    Role,
    Roster,
    Visibility,
    Workspace,
    WorkspaceRef,
)
from bot.features import Call, Feature, Outcome, Response, Signal, outcomes
from bot.inbox import Inbox
from bot.outbox import Outbox

log = logging.getLogger(__name__)

MAX_SIGNAL_DEPTH = 4

Atomic = Callable[[], AbstractAsyncContextManager[object]]
"""Opens a transaction every store call inside shares; nested, a savepoint."""


def _no_transaction() -> AbstractAsyncContextManager[object]:
    return nullcontext()


@dataclass(frozen=True, slots=True)
class Handled:
    """What an event produced: replies for the adapter to deliver now, and
    how many messages went to the outbox."""

    direct: tuple[Reply, ...] = ()
    queued: int = 0
    duplicate: bool = False
    signals: tuple[Signal, ...] = field(default=())


def _actor_of(event: Event) -> str | None:
    if isinstance(event, MemberJoined):
        return event.member.ref.user_id
    actor = getattr(event, "actor", None)
    return actor if isinstance(actor, str) else None


def _channel_of(event: Event) -> str | None:
    channel = getattr(event, "channel", None)
    return channel if isinstance(channel, str) else None


class Dispatcher:
    def __init__(
        self,
        *,
        features: Sequence[Feature],
        roster: Roster,
        inbox: Inbox,
        outbox: Outbox,
        rng: random.Random,
        atomic: Atomic = _no_transaction,
        rolled_back: Callable[[], None] | None = None,
    ) -> None:
        self._features = list(features)
        self._atomic = atomic
        # Told when an event's transaction or a handler's savepoint rolls back,
        # so that a cache in front of the database forgets rows that never were.
        self._rolled_back = rolled_back or (lambda: None)
        self._roster = roster
        self._inbox = inbox
        self._outbox = outbox
        self._rng = rng
        self._commands = {c.name: c for f in self._features for c in f.commands}

    @property
    def features(self) -> list[Feature]:
        return list(self._features)

    async def handle(self, event: Event, *, now: datetime) -> Handled:
        if not await self.claim(event, now=now):
            return Handled(duplicate=True)
        return await self.finish(event, now=now)

    async def claim(self, event: Event, *, now: datetime) -> bool:
        """Record the delivery before it is acknowledged; False for a duplicate.

        Adapters that must answer the platform fast claim first, acknowledge,
        then `finish`: a crash in between leaves the event to be resumed.
        """
        if await self._inbox.claim(event, now=now):
            return True
        log.info("skipping duplicate delivery %s", event.delivery_id)
        return False

    async def finish(self, event: Event, *, now: datetime) -> Handled:
        """Process a claimed event and mark it done, in one transaction: its
        effects and "done" commit together, or it stays unfinished for a retry."""
        try:
            async with self._atomic():
                handled = await self.process(event, now=now)
                await self._inbox.done(event, now=now)
        except Exception:
            self._rolled_back()
            raise
        return handled

    async def handle_many(self, events: Sequence[Event], *, now: datetime) -> list[Handled]:
        """`handle` for a batch: one claim for all of them, then `finish_many`.

        For each event in order, what it produced; a duplicate delivery (of
        an earlier batch, or of an event earlier in this one) is skipped.
        """
        claimed = await self._inbox.claim_many(events, now=now)
        for event, fresh in zip(events, claimed, strict=True):
            if not fresh:
                log.info("skipping duplicate delivery %s", event.delivery_id)
        fresh_events = [event for event, fresh in zip(events, claimed, strict=True) if fresh]
        finished = iter(await self.finish_many(fresh_events, now=now))
        return [next(finished) if fresh else Handled(duplicate=True) for fresh in claimed]

    async def finish_many(self, events: Sequence[Event], *, now: datetime) -> list[Handled]:
        """`finish` for a batch of claimed events, in one transaction.

        Each event is processed as `finish` processes one, its handlers each
        in a savepoint (one that fails rolls back alone and its actor gets
        the apology); what they all queue goes to the outbox in one
        statement and they are marked done in another, before the one
        commit. If the batch fails as a whole (the database, or a step
        outside the handlers), it is rolled back and each event is finished
        alone, so that one bad event cannot hold the others back; an event
        that fails alone too stays claimed and unfinished, for `resume`, as
        after a crash.
        """
        if not events:
            return []
        held: list[tuple[WorkspaceRef, Sequence[Message]]] = []
        try:
            async with self._atomic():
                handled = [await self.process(event, now=now, held=held) for event in events]
                queued = await self._outbox.put_many(held, now=now)
                await self._inbox.done_many(events, now=now)
        except Exception:
            log.exception("a batch of %s events failed; finishing each alone", len(events))
            self._rolled_back()
            return [await self._finish_alone(event, now=now) for event in events]
        return [replace(one, queued=count) for one, count in zip(handled, queued, strict=True)]

    async def _finish_alone(self, event: Event, *, now: datetime) -> Handled:
        try:
            return await self.finish(event, now=now)
        except Exception:
            log.exception("%s %s failed; left for resume", type(event).__name__, event.delivery_id)
            return Handled()

    async def process(
        self,
        event: Event,
        *,
        now: datetime,
        held: list[tuple[WorkspaceRef, Sequence[Message]]] | None = None,
    ) -> Handled:
        """Handle an event already claimed (also used to resume after a crash).

        With `held`, what the event queues is appended there (with its
        workspace) instead of being put in the outbox: `finish_many` puts a
        whole batch's messages at once.
        """
        workspace = await self._roster.workspace(event.workspace)
        if workspace is None:
            workspace = Workspace(ref=event.workspace, name=event.workspace.workspace_id)
            await self._roster.save_workspace(workspace)
        if isinstance(event, MemberJoined):
            await self._roster.save_member(await self._joined(event.member))
        elif isinstance(event, MemberLeft):
            await self._roster.member_left(event.workspace.member(event.user_id), now)
        actor = await self._actor(event)
        call: Call[Event] = Call(event, workspace, actor, now, self._rng)
        results = await self._route(call)
        return await self._settle(call, results, now=now, held=held)

    async def _joined(self, member: Member) -> Member:
        """The newcomer, keeping what is already known of them (an adapter may have
        looked up their language; a returning member keeps their role)."""
        known = await self._roster.member(member.ref)
        if known is None:
            return member
        return replace(
            member,
            timezone=member.timezone or known.timezone,
            locale=member.locale or known.locale,
            role=known.role if member.role is Role.MEMBER else member.role,
            opt_outs=member.opt_outs or known.opt_outs,
        )

    async def _actor(self, event: Event) -> Member | None:
        user_id = _actor_of(event)
        if user_id is None:
            return None
        ref = event.workspace.member(user_id)
        member = await self._roster.member(ref)
        if member is None:
            member = Member(ref=ref, name=user_id)
            await self._roster.save_member(member)
        return member

    async def _route(self, call: Call[Event]) -> list[Outcome]:
        event = call.event
        results: list[Outcome] = []
        if isinstance(event, CommandInvoked):
            command = self._commands.get(event.command)
            if command is None:
                return [self._private(call, "hearth/unknown_command", {"command": event.command})]
            return await self._guard(call, command.handler(call))  # type: ignore[arg-type]
        if isinstance(event, ButtonPressed):
            for feature in self._features:
                for button in feature.buttons:
                    if event.action_id.startswith(button.prefix):
                        return await self._guard(call, button.handler(call))  # type: ignore[arg-type]
            return []
        if isinstance(event, FormSubmitted):
            for feature in self._features:
                for form in feature.forms:
                    if event.form_id.startswith(form.prefix):
                        return await self._guard(call, form.handler(call))  # type: ignore[arg-type]
            return []
        for feature in self._features:
            for listener in feature.listeners:
                if isinstance(event, listener.event):
                    results += await self._guard(call, listener.handler(call))
        return results

    async def _guard(self, call: Call[Event], pending: object) -> list[Outcome]:
        """Await a handler; a failure becomes a private apology to the actor."""
        try:
            async with self._atomic():
                response: Response = await pending  # type: ignore[misc]
        except Exception:
            log.exception("a handler failed on %s", type(call.event).__name__)
            self._rolled_back()
            if call.actor is None or not isinstance(
                call.event, CommandInvoked | ButtonPressed | FormSubmitted
            ):
                return []
            return [self._private(call, "hearth/error", {})]
        return outcomes(response)

    def _private(self, call: Call[Event], template: str, context: dict[str, object]) -> Message:
        assert call.actor is not None
        return Message(
            template,
            context,
            visibility=Visibility.PRIVATE,
            channel=_channel_of(call.event),
            to=call.actor.ref.user_id,
        )

    async def _signal(self, signal: Signal, now: datetime, depth: int) -> list[Outcome]:
        if depth > MAX_SIGNAL_DEPTH:
            log.error("signal %s looped; dropped", signal.topic)
            return []
        results: list[Outcome] = []
        for feature in self._features:
            for listener in feature.signals:
                if listener.topic == signal.topic:
                    try:
                        results += outcomes(await listener.handler(signal, now))
                    except Exception:
                        log.exception("a listener of %s failed", signal.topic)
        return results

    async def _settle(
        self,
        call: Call[Event],
        results: list[Outcome],
        *,
        now: datetime,
        held: list[tuple[WorkspaceRef, Sequence[Message]]] | None = None,
    ) -> Handled:
        direct: list[Reply] = []
        queued: list[Message] = []
        signals: list[Signal] = []
        pending = list(results)
        depth = 0
        while pending:
            later: list[Outcome] = []
            for outcome in pending:
                if isinstance(outcome, Signal):
                    signals.append(outcome)
                    later += await self._signal(outcome, now, depth)
                elif isinstance(outcome, Form):
                    direct.append(outcome)
                else:
                    message = self._addressed(call, outcome)
                    if message.visibility in (Visibility.PRIVATE, Visibility.HOME):
                        direct.append(message)
                    else:
                        queued.append(message)
            pending, depth = later, depth + 1
        if held is not None:
            held.append((call.workspace.ref, queued))
            return Handled(direct=tuple(direct), queued=len(queued), signals=tuple(signals))
        count = await self._outbox.put(call.workspace.ref, queued, now=now) if queued else 0
        return Handled(direct=tuple(direct), queued=count, signals=tuple(signals))

    def _addressed(self, call: Call[Event], message: Message) -> Message:
        """Fill in the channel (and recipient of a private reply) from the event."""
        if message.channel is None and message.visibility is not Visibility.DM:
            channel = _channel_of(call.event)
            if channel is not None:
                message = replace(message, channel=channel)
        return message
