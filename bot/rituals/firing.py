"""What each kind of ritual does when its moment comes.

Every ritual is one or more scheduler jobs (`Firing.jobs`, re-read by the
scheduler's reconcile loop, so an edit or a pause on one process reaches all
of them within a minute): its own moment (key `ritual:<id>`) and, for some
kinds, steps before or after it (`ritual:<id>:<step>`), such as the DM to
the spotlight's speaker two days ahead. The scheduler claims each slot once
across processes; what a step says goes through the outbox under a key that
names the ritual, step and moment, so it is never queued twice either.

The same code previews a ritual (`dry_run`: nothing is recorded) and runs it
on demand (`/ritual run-now`).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.chat import N_, Action, Directory, Message, Visibility, Workspace
from bot.features import FireTimes, Job, Response, Shifted, Tick
from bot.rituals import banks
from bot.rituals.celebrations import Occasion, celebrations
from bot.rituals.domain import (
    Kind,
    Recognitions,
    Ritual,
    RitualStore,
)
from bot.rituals.moments import (
    MAIN,
    Moment,
    occasion_value,
    steps,
)
from bot.rituals.occasions import Occasions
from bot.rituals.records import EntryKind, Turn, TurnStatus
from bot.rituals.rotation import (
    OPT_OUT_SPOTLIGHT,
    eligible,
    holder,
    pick,
    swapped_out,
)

log = logging.getLogger(__name__)

Step = Callable[[Moment], Awaitable[list[Message]]]

SPOTLIGHT_QUESTIONS = 3
WEEK = timedelta(days=7)
_DAY = timedelta(days=1)


class Firing:
    def __init__(
        self,
        *,
        store: RitualStore,
        directory: Directory,
        fire_times: FireTimes,
        recognitions: Recognitions,
    ) -> None:
        self._store = store
        self._directory = directory
        self._fire_times = fire_times
        self._recognitions = recognitions
        self._occasions = Occasions(store=store, directory=directory)

    # --- jobs -------------------------------------------------------------------------

    async def jobs(self) -> list[Job]:
        jobs: list[Job] = []
        for ritual in await self._store.active():
            try:
                jobs += self.jobs_of(ritual)
            except ValueError:
                log.exception("ritual %s has a schedule that no longer parses", ritual.id)
        return jobs

    def jobs_of(self, ritual: Ritual) -> list[Job]:
        recurrence = ritual.recurrence()
        return [
            Job(
                key=ritual.key if step == MAIN else f"{ritual.key}:{step}",
                workspace=ritual.workspace,
                recurrence=recurrence if not offset else Shifted(recurrence, offset),
                run=self._runner(ritual, step, offset),
                grace=ritual.grace,
                since=ritual.active_since,
            )
            for step, offset in steps(ritual)
        ]

    def _runner(
        self, ritual: Ritual, step: str, offset: timedelta
    ) -> Callable[[Tick], Awaitable[Response]]:
        async def run(tick: Tick) -> Response:
            # The ritual as the job source last read it: the scheduler reloads
            # every ritual each reconcile, so a pause or an edit made on another
            # process applies within that time (30 seconds by default).
            at = tick.scheduled_for - offset
            return await self.perform(ritual, step, at=at, now=tick.now, workspace=tick.workspace)

        return run

    def moment(
        self,
        ritual: Ritual,
        at: datetime,
        *,
        now: datetime,
        workspace: Workspace,
        step: str = MAIN,
        dry_run: bool = False,
    ) -> Moment:
        # Seeded by the occasion: every process, and a preview, would choose alike.
        rng = random.Random(f"{ritual.id}:{at.isoformat()}:{step}")
        return Moment(ritual, at, now, workspace, rng, step, dry_run)

    async def perform(
        self,
        ritual: Ritual,
        step: str,
        *,
        at: datetime,
        now: datetime,
        workspace: Workspace,
        dry_run: bool = False,
    ) -> list[Message]:
        """What one step of the ritual says for the occasion at `at`."""
        moment = self.moment(ritual, at, now=now, workspace=workspace, step=step, dry_run=dry_run)
        handler = self._step(ritual.kind, step)
        if handler is None:
            return []
        return await handler(moment)

    def _step(self, kind: Kind, step: str) -> Step | None:
        if step.startswith("countdown-"):
            return self._occasions.gathering_countdown
        table: dict[tuple[Kind, str], Step] = {
            (Kind.SPOTLIGHT, "ahead"): self.spotlight_ahead,
            (Kind.SPOTLIGHT, MAIN): self.spotlight,
            (Kind.WATERCOOLER, MAIN): self.watercooler,
            (Kind.CUSTOM, MAIN): self.custom,
            (Kind.CELEBRATION, MAIN): self.celebration,
            (Kind.GATHERING, "summary"): self._occasions.gathering_summary,
            (Kind.GATHERING, MAIN): self._occasions.gathering,
            (Kind.COWORKING, "announce"): self._occasions.coworking_announce,
            (Kind.COWORKING, MAIN): self._occasions.coworking,
            (Kind.CHECKIN, MAIN): self._occasions.checkin,
            (Kind.CHECKIN, "summary"): self._occasions.checkin_summary,
        }
        return table.get((kind, step))

    # --- get to know a team member ----------------------------------------------------------

    async def candidates(self, moment: Moment) -> list[str]:
        """Who may hold the spotlight at this occasion."""
        ritual = moment.ritual
        people = {p.user_id: p for p in await self._store.people(ritual.workspace)}
        today = moment.at.astimezone(ZoneInfo(ritual.timezone)).date()
        newcomer_days = int(ritual.option("newcomers"))
        return [
            member.ref.user_id
            for member in await self._directory.members(ritual.workspace)
            if eligible(
                member,
                ritual_id=ritual.id,
                at=moment.at,
                today=today,
                newcomer_days=newcomer_days,
                person=people.get(member.ref.user_id),
            )
        ]

    async def speaker(self, moment: Moment) -> str | None:
        """The slot's speaker: the one told ahead if they still can, else the next in line."""
        ritual = moment.ritual
        turns = await self._store.turns(ritual.id)
        candidates = await self.candidates(moment)
        held = holder(turns, moment.at)
        if held is not None and held.user_id in candidates:
            return held.user_id
        if held is not None and not moment.dry_run:
            await self._store.record_turn(
                ritual.id, replace(held, status=TurnStatus.SWAPPED)
            )  # left, opted out or went away since: not their turn after all
        exclude = swapped_out(turns, moment.at) | ({held.user_id} if held else set())
        return pick(candidates, turns, salt=str(ritual.id), exclude=exclude)

    async def questions(
        self, moment: Moment, bank: str, count: int, *, reader: str | None = None
    ) -> list[str]:
        """Questions from a bank in the reader's language (the workspace's by default)."""
        ws = moment.ritual.workspace
        locale = moment.workspace.locale
        if reader is not None:
            member = await self._directory.member(ws.member(reader))
            locale = member.locale_in(moment.workspace) if member else locale
        bank_questions = [*banks.shipped(bank), *await self._store.questions(ws, bank)]
        asked = await self._store.asked(ws, bank)
        chosen, fresh_cycle = banks.choose(bank_questions, asked, moment.rng, count=count)
        if not moment.dry_run and chosen:
            await self._store.mark_asked(
                ws, bank, [q.key for q in chosen], at=moment.now, fresh_cycle=fresh_cycle
            )
        return [q.text(locale) for q in chosen]

    async def spotlight_ahead(self, moment: Moment) -> list[Message]:
        """Tell this occasion's speaker ahead of time, with a few questions to think about."""
        ritual = moment.ritual
        speaker = await self.speaker(moment)
        if speaker is None:
            return []
        if not moment.dry_run:
            await self._store.record_turn(ritual.id, Turn(moment.at, speaker, TurnStatus.PICKED))
        return [await self.invitation(moment, speaker)]

    async def invitation(self, moment: Moment, speaker: str) -> Message:
        ritual = moment.ritual
        questions = await self.questions(
            moment, banks.SPOTLIGHT, SPOTLIGHT_QUESTIONS, reader=speaker
        )
        return Message(
            "rituals/spotlight_ahead",
            {
                "member": ritual.workspace.member(speaker),
                "channel": ritual.channel,
                "questions": questions,
                **moment.when,
            },
            visibility=Visibility.DM,
            to=speaker,
            key=moment.key("ahead", speaker),
            actions=(
                Action(
                    N_("Swap to another week"),
                    "rituals.swap",
                    occasion_value(ritual.id, moment.at),
                ),
                Action(N_("Opt out of spotlights"), "rituals.optout", OPT_OUT_SPOTLIGHT),
            ),
        )

    async def spotlight(self, moment: Moment) -> list[Message]:
        ritual = moment.ritual
        speaker = await self.speaker(moment)
        if speaker is None:
            log.info("ritual %s: nobody can hold the spotlight at %s", ritual.id, moment.at)
            return [moment.post("rituals/spotlight_nobody", {}, MAIN)]
        if not moment.dry_run:
            await self._store.record_turn(ritual.id, Turn(moment.at, speaker, TurnStatus.SPOKE))
        member = ritual.workspace.member(speaker)
        questions = await self.questions(moment, banks.SPOTLIGHT, SPOTLIGHT_QUESTIONS)
        main = moment.post("rituals/spotlight", {"member": member, **moment.when}, MAIN)
        thread = Message(
            "rituals/spotlight_thread",
            {"member": member, "questions": questions},
            visibility=Visibility.THREAD,
            channel=ritual.channel,
            thread_key=main.key,
            key=moment.key(MAIN, "thread"),
        )
        return [main, thread]

    # --- watercooler and custom ------------------------------------------------------------

    async def watercooler(self, moment: Moment) -> list[Message]:
        question = await self.questions(moment, banks.WATERCOOLER, 1)
        if not question:
            return []
        main = moment.post("rituals/watercooler", {"question": question[0]}, MAIN)
        thread = Message(
            "rituals/watercooler_thread",
            {},
            visibility=Visibility.THREAD,
            channel=moment.ritual.channel,
            thread_key=main.key,
            key=moment.key(MAIN, "thread"),
        )
        return [main, thread]

    async def custom(self, moment: Moment) -> list[Message]:
        return [moment.post("rituals/custom", {"text": moment.ritual.text}, MAIN)]

    # --- celebration digest ------------------------------------------------------------

    async def celebration(self, moment: Moment) -> list[Message]:
        ritual = moment.ritual
        ws = ritual.workspace
        zone = ZoneInfo(ritual.timezone)
        today = moment.at.astimezone(zone).date()
        following = self._fire_times(ritual.recurrence(), moment.at, 1)
        until = following[0].astimezone(zone).date() if following else today + WEEK
        recognition = await self._recognitions.between(ws, start=moment.at - WEEK, end=moment.at)
        wins = await self._store.entries(
            ws, EntryKind.WIN, since=moment.at - WEEK, until=moment.at + timedelta(microseconds=1)
        )
        members = {m.ref.user_id: m for m in await self._directory.members(ws)}
        found = celebrations(
            await self._store.people(ws), members, start=today, end=max(until, today + _DAY)
        )
        context: dict[str, object] = {
            "kudos": recognition.kudos,
            "people": recognition.people,
            "top": [{"member": ws.member(u), "count": n} for u, n in recognition.top],
            "badges": [{"member": ws.member(u), "badge": b} for u, b in recognition.badges],
            "wins": [{"member": ws.member(w.user_id), "text": w.value} for w in wins[-10:]],
            "birthdays": [
                {"member": ws.member(c.user_id), "day": c.on}
                for c in found
                if c.occasion is Occasion.BIRTHDAY
            ],
            "anniversaries": [
                {"member": ws.member(c.user_id), "day": c.on, "years": c.years}
                for c in found
                if c.occasion is Occasion.ANNIVERSARY
            ],
        }
        return [moment.post("rituals/celebration", context, MAIN)]
