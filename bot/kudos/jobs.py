"""The weekly kudos digest: the week's thanks, new badges, first-timers.

Each workspace that names a digest channel (`kudos.digest_channel`) gets a
job at `kudos.digest_day` `kudos.digest_time` in its own time zone
(default Friday 16:00), claimed once per slot like every job.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from bot.chat import Directory, Message
from bot.features import Cron, Job, Response, Setting, SettingKind, Tick
from bot.kudos.domain import KudosStore, Policy

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DIGEST_TIME = Setting("kudos.digest_time", "", "16:00", SettingKind.TIME)  # checks stored values


class Digest:
    def __init__(self, *, store: KudosStore, directory: Directory) -> None:
        self._store = store
        self._directory = directory

    async def jobs(self) -> list[Job]:
        jobs: list[Job] = []
        for workspace in await self._directory.workspaces():
            policy = Policy.of(workspace.settings)
            if policy.digest_channel is None:
                continue
            day = workspace.settings.get("kudos.digest_day", "fri").strip().lower()[:3]
            at = DIGEST_TIME.check(workspace.settings.get("kudos.digest_time", "16:00"))
            hour, _, minute = (at or "16:00").partition(":")
            jobs.append(
                Job(
                    key=f"kudos.digest:{workspace.ref.platform.value}:{workspace.ref.workspace_id}",
                    workspace=workspace.ref,
                    recurrence=Cron(
                        timezone=workspace.timezone,
                        day_of_week=day if day in DAYS else "fri",
                        hour=str(int(hour)),
                        minute=str(int(minute)),
                    ),
                    run=self.post,
                    grace=timedelta(hours=6),
                )
            )
        return jobs

    async def post(self, tick: Tick) -> Response:
        policy = Policy.of(tick.workspace.settings)
        if policy.digest_channel is None:
            return None
        ws = tick.workspace.ref
        end = tick.scheduled_for
        start = end - timedelta(days=7)
        week = [k for k in await self._store.between(ws, start=start, end=end) if not k.private]
        # Only what the channel may know: a private kudos stays between two people.
        public = {k.receiver for k in week} | {k.giver for k in week}
        awards = [
            a
            for a in await self._store.awards_between(ws, start=start, end=end)
            if a.member in public
        ]
        firsts = [
            u
            for u in await self._store.first_time_receivers(ws, start=start, end=end)
            if u in {k.receiver for k in week}
        ]
        gifts = list({k.gift_id: k for k in week if k.reason}.values())  # one line a gift
        top = Counter(k.receiver for k in week).most_common(3)
        return Message(
            "kudos/digest",
            {
                "count": len(week),
                "people": len({k.receiver for k in week}),
                "top": [{"member": ws.member(u), "count": n} for u, n in top],
                "highlights": [
                    {
                        "giver": ws.member(k.giver),
                        "receiver": ws.member(k.receiver),
                        "reason": k.reason,
                    }
                    for k in gifts[-5:]
                ],
                "awards": [
                    {"member": ws.member(a.member), "milestone": a.milestone.value} for a in awards
                ],
                "firsts": [ws.member(u) for u in firsts],
            },
            channel=policy.digest_channel,
            key=f"kudos.digest:{ws.workspace_id}:{end.isoformat()}",
        )
