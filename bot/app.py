"""The composition root: the one place that knows every part of Hearth.

It opens storage, lists the features that run, and wires the dispatcher,
the scheduler, the renderer and the courier together. Platforms connect
to the result (`Hearth`) and feed it neutral events.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot import kudos, profile
from bot.catalogs import Catalogs
from bot.chat import Event, Message, Platform, Roster, Visibility, Workspace
from bot.delivery import Courier, Delivered, Transport
from bot.directory import CachedRoster
from bot.dispatch import Dispatcher, Handled
from bot.features import Feature, Job, Tick, outcomes
from bot.render import Renderer
from bot.schedule import Clock, LiveScheduler, Scheduler, SimulatedClock
from bot.settings import Settings
from storage import Storage, open_storage, upgrade

log = logging.getLogger(__name__)

RESUME_AFTER = timedelta(minutes=1)


def features(storage: Storage, roster: Roster, *, locales: frozenset[str]) -> list[Feature]:
    """Every feature that runs. A slice that is not listed here does not run."""
    listed: list[Feature] = []
    listed.append(profile.build(roster=roster, commands=lambda: listed, locales=locales))
    listed.append(kudos.build(store=storage.kudos, directory=roster))
    return listed


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

    def connect(self, platform: Platform, transport: Transport) -> None:
        self.transports[platform] = transport

    async def handle(self, event: Event) -> Handled:
        """Claim, process and route one inbound event; deliver what it queued."""
        handled = await self.dispatcher.handle(event, now=self.clock.now())
        if handled.queued:
            await self.deliver()
        return handled

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
        hearth_ref: list[Hearth] = []

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
            ),
            scheduler=Scheduler(
                runs=storage.runs,
                clock=clock,
                sources=[f.jobs for f in listed if f.jobs is not None],
                execute=execute,
                owner=settings.instance,
            ),
            courier=Courier(outbox=storage.outbox, transports=transports),
            transports=transports,
        )
        hearth_ref.append(hearth)
        yield hearth
    finally:
        await storage.close()


def with_database(settings: Settings, url: str | None) -> Settings:
    return settings if url is None else replace(settings, database_url=url)
