"""The composition root: the one place that knows every part of Hearth.

It opens storage, lists the features that run, and wires the dispatcher,
the scheduler, the renderer and the courier together. Platforms connect
to the result (`Hearth`) and feed it neutral events.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import NoReturn, cast

from bot import community, kudos, learning, mentorship, onboarding, profile, rituals
from bot.catalogs import Catalogs
from bot.chat import (
    Event,
    Message,
    Platform,
    Role,
    Roster,
    Visibility,
    Workspace,
    WorkspaceRef,
)
from bot.delivery import Courier, Delivered, Transport
from bot.directory import CachedRoster
from bot.dispatch import Dispatcher, Handled
from bot.features import Command, Feature, Job, Tick, outcomes
from bot.kudos.domain import KudosStore
from bot.render import Renderer
from bot.rituals.domain import Recognition
from bot.schedule import Clock, LiveScheduler, Scheduler, SimulatedClock, fire_times
from bot.settings import Settings
from storage import Storage, open_storage, upgrade

log = logging.getLogger(__name__)

RESUME_AFTER = timedelta(minutes=1)
WORK_BATCH = 8  # claimed events processed in one transaction by a worker


def features(storage: Storage, roster: Roster, *, locales: frozenset[str]) -> list[Feature]:
    """Every feature that runs. A slice that is not listed here does not run."""
    listed: list[Feature] = []
    listed.append(profile.build(roster=roster, commands=lambda: listed, locales=locales))
    listed.append(kudos.build(store=storage.kudos, directory=roster))
    listed.append(
        onboarding.build(store=storage.onboarding, departures=storage.offboarding, roster=roster)
    )
    listed.append(
        mentorship.build(store=storage.mentorship, pairing=storage.pairing, roster=roster)
    )
    listed.append(learning.build(store=storage.learning, directory=roster, fire_times=fire_times))
    listed.append(community.build(store=storage.community, directory=roster))
    listed.append(
        rituals.build(
            store=storage.rituals,
            roster=roster,
            fire_times=fire_times,
            recognitions=KudosRecognitions(storage.kudos),
        )
    )
    return listed


class KudosRecognitions:
    """The week's kudos for the rituals' celebration digest, read from the kudos
    store: slices never import each other, so the two meet here."""

    def __init__(self, store: KudosStore) -> None:
        self._store = store

    async def between(
        self, workspace: WorkspaceRef, *, start: datetime, end: datetime
    ) -> Recognition:
        # Only what the channel may know: a private kudos stays between two people.
        week = [
            k for k in await self._store.between(workspace, start=start, end=end) if not k.private
        ]
        public = {k.receiver for k in week} | {k.giver for k in week}
        awards = await self._store.awards_between(workspace, start=start, end=end)
        return Recognition(
            kudos=len(week),
            people=len({k.receiver for k in week}),
            top=tuple(Counter(k.receiver for k in week).most_common(3)),
            badges=tuple(
                (a.member, a.milestone.value.replace("_", " "))
                for a in awards
                if a.member in public
            ),
        )


def command_catalog() -> list[Command]:
    """The slash commands of every feature that runs, read without a database.

    Builders only keep their stores for later, so they are built against a
    stand-in that refuses any use: `hearth slack manifest` needs no storage.
    """
    absent = _Unopened()
    listed = features(cast(Storage, absent), cast(Roster, absent), locales=frozenset())
    return [command for feature in listed for command in feature.commands]


class _Unopened:
    """Storage and roster for `command_catalog`: any attribute, no call."""

    def __getattr__(self, name: str) -> _Unopened:
        return self

    def __call__(self, *args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError("storage is not open: only the command list can be read")


Answer = Callable[[Handled], Awaitable[None]]


@dataclass(order=True, frozen=True, slots=True)
class Later:
    """An event waiting for a worker: urgent first, then in arrival order."""

    rank: int
    order: int
    event: Event = field(compare=False)
    answer: Answer | None = field(compare=False)


@dataclass
class Hearth:
    """A running Hearth: feed it events, let it deliver, move its clock."""

    settings: Settings
    storage: Storage
    roster: Roster
    clock: Clock
    renderer: Renderer
    dispatcher: Dispatcher
    scheduler: Scheduler
    courier: Courier
    transports: dict[Platform, Transport] = field(default_factory=dict)
    paces: dict[Platform, timedelta] = field(default_factory=dict)
    _wake: asyncio.Event | None = None
    _backlog: asyncio.PriorityQueue[Later] | None = None
    _order: itertools.count[int] = field(default_factory=itertools.count)

    def connect(
        self, platform: Platform, transport: Transport, *, pace: timedelta | None = None
    ) -> None:
        """Send `platform`'s outbox messages through `transport`, at most one
        post per channel every `pace`."""
        self.transports[platform] = transport
        if pace is not None:
            self.paces[platform] = pace

    async def handle(self, event: Event) -> Handled:
        """Claim, process and route one inbound event; deliver what it queued."""
        handled = await self.dispatcher.handle(event, now=self.clock.now())
        await self._queued(handled)
        return handled

    async def handle_many(self, events: Sequence[Event]) -> list[Handled]:
        """`handle` for a batch: one claim, one transaction (a savepoint per
        handler), then one delivery of everything they queued."""
        handled = await self.dispatcher.handle_many(events, now=self.clock.now())
        await self._queued(Handled(queued=sum(one.queued for one in handled)))
        return handled

    async def claim(self, event: Event) -> bool:
        """Record an inbound delivery before acknowledging it; False for a duplicate."""
        return await self.dispatcher.claim(event, now=self.clock.now())

    async def finish(self, event: Event) -> Handled:
        """Process a claimed event; what it queued is delivered by `deliver_forever`."""
        handled = await self.dispatcher.finish(event, now=self.clock.now())
        await self._queued(handled)
        return handled

    def later(self, event: Event, *, answer: Answer | None = None, urgent: bool = False) -> None:
        """Process a claimed event soon, in `work_forever`, then `answer` with what it produced.

        An adapter acknowledges the platform first and leaves the work to a
        bounded set of workers, so a burst of events cannot starve the next
        acknowledgement. `urgent` ones (a member waiting for an answer) go first.
        `answer` is called whenever the event was processed, also with no
        direct reply: a Discord interaction must be closed either way.
        """
        if self._backlog is None:
            raise RuntimeError("no worker is running: start work_forever() first")
        self._backlog.put_nowait(Later(0 if urgent else 1, next(self._order), event, answer))

    async def work_forever(self, *, workers: int = 1) -> None:
        """Process what `later` queued until cancelled; left over work is resumed on restart."""
        self._backlog = asyncio.PriorityQueue()
        try:
            async with asyncio.TaskGroup() as group:
                for number in range(workers):
                    group.create_task(self._work(self._backlog), name=f"worker-{number}")
        finally:
            self._backlog = None

    async def _work(self, backlog: asyncio.PriorityQueue[Later]) -> None:
        """Take what is waiting, up to WORK_BATCH at a time, the urgent on their
        own, and process it in one transaction: a backlog drains in a few
        commits and takes SQLite's write lock a few times, not once per event."""
        while True:
            batch = [await backlog.get()]
            while len(batch) < WORK_BATCH and not backlog.empty():
                following = backlog.get_nowait()
                if following.rank != batch[0].rank:  # the urgent go without the backlog
                    backlog.put_nowait(following)
                    break
                batch.append(following)
            events = [item.event for item in batch]
            try:
                handled = await self.dispatcher.finish_many(events, now=self.clock.now())
            except Exception:
                log.exception("processing %s events failed; they will be resumed", len(events))
                handled = [Handled() for _ in events]  # still close what is waiting
            await self._queued(Handled(queued=sum(one.queued for one in handled)))
            for item, outcome in zip(batch, handled, strict=True):
                if item.answer is None:
                    continue
                try:
                    await item.answer(outcome)  # even with nothing to say: it closes the wait
                except Exception:
                    log.exception("answering %s failed", item.event.delivery_id)

    async def _queued(self, handled: Handled) -> None:
        """Deliver what an event queued: now, or by waking `deliver_forever`."""
        if not handled.queued:
            return
        if self._wake is not None:
            self._wake.set()
        else:
            await self.deliver()

    async def deliver_forever(self, *, every: timedelta = timedelta(seconds=1)) -> None:
        """Drain the outbox until cancelled: at once when an event queued
        messages, and every `every` for jobs, retries and paced channels."""
        self._wake = asyncio.Event()
        try:
            while True:
                try:
                    await self.deliver()
                except Exception:
                    log.exception("delivering the outbox failed; trying again shortly")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), every.total_seconds())
                self._wake.clear()
        finally:
            self._wake = None

    async def reader(self, workspace: WorkspaceRef, user_id: str | None) -> tuple[str, str]:
        """The locale and time zone a message is read in: its reader's, else the workspace's."""
        found = await self.roster.workspace(workspace)
        space = found or Workspace(ref=workspace, name=workspace.workspace_id)
        member = await self.roster.member(workspace.member(user_id)) if user_id else None
        if member is None:
            return space.locale, space.timezone
        return member.locale_in(space), member.timezone_in(space)

    async def unreachable(self, workspace: WorkspaceRef, channel: str, reason: str) -> None:
        """Tell the workspace's admins, once per channel, that a channel refuses the bot."""
        admins = [
            m
            for m in await self.roster.members(workspace)
            if m.role is Role.ADMIN and m.active and not m.is_bot
        ]
        notes = [
            Message(
                "hearth/cannot_post",
                {"channel": channel, "reason": reason},
                visibility=Visibility.DM,
                to=admin.ref.user_id,
                key=f"cannot-post:{channel}:{admin.ref.user_id}",
            )
            for admin in admins
        ]
        if notes:
            await self.storage.outbox.put(workspace, notes, now=self.clock.now())

    async def deliver(self) -> Delivered:
        """Send everything due in the outbox now."""
        total = Delivered(0, 0, 0)
        while True:
            batch = await self.courier.deliver(now=self.clock.now())
            total = Delivered(
                total.sent + batch.sent, total.retried + batch.retried, total.dead + batch.dead
            )
            if batch.sent + batch.retried + batch.dead < self.courier.batch:
                return total  # the outbox had no more due than one batch

    async def resume(self) -> int:
        """Process events claimed before a crash and never finished."""
        now = self.clock.now()
        pending = await self.storage.inbox.unfinished(claimed_before=now - RESUME_AFTER)
        for event in pending:
            log.info("resuming %s %s", type(event).__name__, event.delivery_id)
            await self.dispatcher.finish(event, now=now)
        return len(pending)

    async def advance(self, to: datetime) -> int:
        """Move a simulated clock, firing due jobs in order and delivering."""
        if not isinstance(self.clock, SimulatedClock):
            raise TypeError("only a simulated clock can be moved")
        await self.scheduler.refresh()
        fired = 0
        while (moment := self.scheduler.next_due()) is not None and moment <= to:
            self.clock.set(max(moment, self.clock.now()))
            fired += await self.scheduler.run_due()
            await self.deliver()
        self.clock.set(to)
        fired += await self.scheduler.run_due()
        await self.deliver()
        return fired

    async def run_job(self, job: Job, scheduled_for: datetime) -> None:
        """Run one claimed slot of a job and queue what it says."""
        workspace = await self.roster.workspace(job.workspace)
        if workspace is None:
            workspace = Workspace(ref=job.workspace, name=job.workspace.workspace_id)
        now = self.clock.now()
        tick = Tick(job.key, scheduled_for, now, workspace, random.Random())
        messages: list[Message] = []
        for outcome in outcomes(await job.run(tick)):
            if isinstance(outcome, Message):
                if outcome.channel is None and outcome.visibility is not Visibility.DM:
                    log.error("job %s said %s with no channel", job.key, outcome.template)
                    continue
                messages.append(outcome)
        if messages:
            await self.storage.outbox.put(job.workspace, messages, now=now)

    def live(self, reconcile_every: timedelta = timedelta(seconds=30)) -> LiveScheduler:
        return LiveScheduler(self.scheduler, reconcile_every=reconcile_every)


@asynccontextmanager
async def open_hearth(
    settings: Settings,
    *,
    clock: Clock,
    rng: random.Random | None = None,
    migrate: bool = True,
    extra_features: Sequence[Feature] = (),
) -> AsyncIterator[Hearth]:
    """Open storage (upgrading the schema), build every part, close on exit."""
    if migrate:
        await upgrade(settings.database_url)
    storage = await open_storage(settings.database_url)
    try:
        catalogs = Catalogs()
        roster = CachedRoster(storage.roster)
        listed = [*features(storage, roster, locales=catalogs.available), *extra_features]
        renderer = Renderer.from_features(listed, catalogs=catalogs)
        transports: dict[Platform, Transport] = {}
        paces: dict[Platform, timedelta] = {}
        hearth_ref: list[Hearth] = []

        async def unreachable(workspace: WorkspaceRef, channel: str, reason: str) -> None:
            await hearth_ref[0].unreachable(workspace, channel, reason)

        async def execute(job: Job, scheduled_for: datetime) -> None:
            await hearth_ref[0].run_job(job, scheduled_for)

        hearth = Hearth(
            settings=settings,
            storage=storage,
            roster=roster,
            clock=clock,
            renderer=renderer,
            dispatcher=Dispatcher(
                features=listed,
                roster=roster,
                inbox=storage.inbox,
                outbox=storage.outbox,
                rng=rng or random.Random(),
                atomic=storage.unit_of_work,
                rolled_back=roster.forget_all,
            ),
            scheduler=Scheduler(
                runs=storage.runs,
                clock=clock,
                sources=[f.jobs for f in listed if f.jobs is not None],
                execute=execute,
                owner=settings.instance,
                atomic=storage.unit_of_work,
            ),
            courier=Courier(
                outbox=storage.outbox,
                transports=transports,
                paces=paces,
                unreachable=unreachable,
            ),
            transports=transports,
            paces=paces,
        )
        hearth_ref.append(hearth)
        yield hearth
    finally:
        await storage.close()


def with_database(settings: Settings, url: str | None) -> Settings:
    return settings if url is None else replace(settings, database_url=url)
