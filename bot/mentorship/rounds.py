"""`/pairing`: peer pairing rounds that members join, and the jobs that run them.

A round runs every `pairing.weeks` weeks on `pairing.day` at `pairing.time`
in the team's time zone: each member taking part (and not away) gets a DM
naming who they meet; two days before the next round, each is asked
whether they met. A member away (`/pairing away until 2027-01-10`) is left
out until that day.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.chat import N_, Action, ButtonStyle, Directory, Message, Workspace
from bot.features import (
    Every,
    Invocation,
    Job,
    Press,
    Response,
    Setting,
    SettingKind,
    Shifted,
    Tick,
    dm,
    private,
    refuse,
)
from bot.mentions import channel_named
from bot.mentorship.matching import MEMORY, PairingStore, Round, match

USAGE = N_("/pairing | join | leave | away until DATE | back | stats | run")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ASK_BEFORE = timedelta(days=2)  # "did you meet?" this long before the next round
ANCHOR = date(2024, 1, 1)  # a Monday: rounds every N weeks count from its week, in every process

SETTINGS = (
    Setting(
        "pairing.weeks",
        N_("Weeks between peer pairing rounds, 1 to 4"),
        "2",
        SettingKind.CHOICE,
        ("1", "2", "3", "4"),
    ),
    Setting("pairing.day", N_("Day of the pairing rounds"), "mon", SettingKind.CHOICE, DAYS),
    Setting("pairing.time", N_("Time of the pairing rounds, HH:MM"), "10:00", SettingKind.TIME),
    Setting("pairing.channel", N_("Channel where each round is announced (empty: none)"), ""),
)
_BY_KEY = {s.key: s for s in SETTINGS}


def weeks_of(workspace: Workspace) -> int:
    return int(_BY_KEY["pairing.weeks"].value(workspace))


def _local_day(moment: datetime, workspace: Workspace) -> date:
    return moment.astimezone(ZoneInfo(workspace.timezone)).date()


class Rounds:
    def __init__(self, *, store: PairingStore, directory: Directory) -> None:
        self._store = store
        self._directory = directory

    # --- jobs ---------------------------------------------------------------

    async def jobs(self) -> list[Job]:
        jobs: list[Job] = []
        for ref in await self._store.workspaces_pairing():
            workspace = await self._directory.workspace(ref)
            if workspace is None:
                continue
            weeks = weeks_of(workspace)
            hour, _, minute = _BY_KEY["pairing.time"].value(workspace).partition(":")
            day = ANCHOR + timedelta(days=DAYS.index(_BY_KEY["pairing.day"].value(workspace)))
            start = datetime.combine(day, time(int(hour), int(minute)))
            every = Every(
                interval=timedelta(weeks=weeks),
                start=start.replace(tzinfo=ZoneInfo(workspace.timezone)),
                timezone=workspace.timezone,
            )
            name = f"{ref.platform.value}:{ref.workspace_id}"
            jobs += [
                Job(f"pairing.round:{name}", ref, every, self.scheduled, timedelta(hours=12)),
                Job(
                    f"pairing.check:{name}",
                    ref,
                    Shifted(every, timedelta(weeks=weeks) - ASK_BEFORE),
                    self.check,
                    timedelta(hours=12),
                ),
            ]
        return jobs

    async def scheduled(self, tick: Tick) -> Response:
        return await self.run(tick.workspace, slot=tick.scheduled_for, rng=tick.rng, now=tick.now)

    async def run(
        self, workspace: Workspace, *, slot: datetime, rng: random.Random, now: datetime
    ) -> list[Message]:
        """Pair everyone taking part and tell each who they meet."""
        ws = workspace.ref
        today = _local_day(slot, workspace)
        members = {m.ref.user_id: m for m in await self._directory.members(ws)}
        people = [
            p.user_id
            for p in await self._store.people(ws)
            if p.available(today)
            and p.user_id in members
            and members[p.user_id].active
            and not members[p.user_id].is_bot
        ]
        stamp = slot.isoformat()
        if len(people) < 2:
            return [
                dm(u, "mentorship/round_alone", {}, key=f"pairing.alone:{stamp}:{u}")
                for u in people
            ]
        groups = match(people, await self._store.rounds(ws, last=MEMORY), rng)
        round_id = await self._store.record(ws, slot, groups, at=now)
        if round_id is None:
            return []
        weeks = weeks_of(workspace)
        said = [
            dm(
                user,
                "mentorship/round",
                {"others": [o for o in group if o != user], "weeks": weeks},
                key=f"pairing.round:{round_id}:{user}",
            )
            for group in groups
            for user in group
        ]
        channel = channel_named(workspace.settings.get("pairing.channel", ""))
        if channel:
            said.append(
                Message(
                    "mentorship/round_posted",
                    {"people": len(people), "groups": len(groups)},
                    channel=channel,
                )
            )
        return said

    async def check(self, tick: Tick) -> Response:
        """Ask everyone of the latest round who has not said yet whether they met."""
        latest = await self._store.rounds(tick.workspace.ref, last=1)
        if not latest or latest[0].slot > tick.scheduled_for:
            return None
        past = latest[0]
        return [
            dm(
                user,
                "mentorship/round_check",
                {"others": [o for o in group if o != user]},
                key=f"pairing.check:{past.id}:{user}",
                actions=(
                    Action(N_("We met"), "pairing.met", f"{past.id}:yes", ButtonStyle.PRIMARY),
                    Action(N_("Not this time"), "pairing.met", f"{past.id}:no"),
                ),
            )
            for group in past.groups
            for user in group
            if user not in past.met
        ]

    # --- /pairing -------------------------------------------------------------

    async def pairing(self, call: Invocation) -> Response:
        assert call.actor is not None
        ws, user = call.workspace.ref, call.actor.ref.user_id
        words = call.event.text.strip().split()
        match [w.lower() for w in words[:2]]:
            case [] | ["me"]:
                return await self.me(call)
            case ["join"]:
                await self._store.join(ws, user, at=call.now)
                return private(call, "mentorship/pairing_changed", {"change": "join"})
            case ["leave"]:
                await self._store.leave(ws, user)
                return private(call, "mentorship/pairing_changed", {"change": "leave"})
            case ["back"]:
                await self._store.away(ws, user, None)
                return private(call, "mentorship/pairing_changed", {"change": "back"})
            case ["away", "until"] if len(words) == 3:
                return await self.away(call, words[2])
            case ["stats"]:
                return await self.stats(call)
            case ["run"]:
                if not call.actor.role.can_manage:
                    return refuse(call, N_("Only managers and admins start a round by hand."))
                said: list[Any] = await self.run(
                    call.workspace, slot=call.now, rng=call.rng, now=call.now
                )
                return [*said, private(call, "mentorship/pairing_ran", {"count": len(said)})]
        return private(call, "mentorship/usage", {"usage": USAGE})

    async def away(self, call: Invocation, text: str) -> Response:
        assert call.actor is not None
        try:
            until = date.fromisoformat(text)
        except ValueError:
            return refuse(call, N_("“%(text)s” is not a date: use YYYY-MM-DD."), text=text)
        if not await self._store.away(call.workspace.ref, call.actor.ref.user_id, until):
            return refuse(call, N_("You do not take part in the rounds: /pairing join."))
        return private(call, "mentorship/pairing_changed", {"change": "away", "until": until})

    async def me(self, call: Invocation) -> Response:
        assert call.actor is not None
        ws, user = call.workspace.ref, call.actor.ref.user_id
        me = next((p for p in await self._store.people(ws) if p.user_id == user), None)
        rounds = await self._store.rounds(ws, last=MEMORY)
        current = rounds[0].group_of(user) if rounds else None
        return private(
            call,
            "mentorship/pairing_me",
            {
                "taking_part": me is not None,
                "away_until": me.away_until if me else None,
                "others": [o for o in current if o != user] if current else [],
                "met": sum(1 for r in rounds if r.met.get(user)),
            },
        )

    async def stats(self, call: Invocation) -> Response:
        rounds = await self._store.rounds(call.workspace.ref, last=MEMORY)
        return private(
            call,
            "mentorship/pairing_stats",
            {
                "people": len(await self._store.people(call.workspace.ref)),
                "rounds": [_round_view(r) for r in rounds],
            },
        )

    async def on_button(self, call: Press) -> Response:
        assert call.actor is not None
        number, _, answer = call.event.value.partition(":")
        if not number.isdecimal() or answer not in ("yes", "no"):
            return None
        met = answer == "yes"
        if not await self._store.met(call.workspace.ref, int(number), call.actor.ref.user_id, met):
            return refuse(call, N_("You were not in that round."))
        return private(call, "mentorship/round_noted", {"met": met})


def _round_view(past: Round) -> dict[str, object]:
    answered = len(past.met)
    return {
        "slot": past.slot,
        "groups": len(past.groups),
        "people": sum(len(g) for g in past.groups),
        "answered": answered,
        "met": sum(1 for m in past.met.values() if m),
    }
