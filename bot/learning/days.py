"""Learning days: announced in `learning.channel` in the morning, recapped in the evening.

The announcement lists the sessions members proposed for the day, each in
the thread with an "I'll join" button; the recap, eight hours later,
gathers in the same thread what the team logged that
day, and who keeps a streak. Both are keyed by the day: one post each,
whichever process fires them.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.chat import Directory, Message, Visibility
from bot.features import Job, Response, Shifted, Tick
from bot.learning.domain import LearningStore, streak
from bot.learning.log import join_action, learning_day_recurrence, session_view
from bot.mentions import channel_named

RECAP_AFTER = timedelta(hours=8)


class LearningDays:
    def __init__(self, *, store: LearningStore, directory: Directory) -> None:
        self._store = store
        self._directory = directory

    async def jobs(self) -> list[Job]:
        jobs: list[Job] = []
        for workspace in await self._directory.workspaces():
            if channel_named(workspace.settings.get("learning.channel", "")) is None:
                continue
            ref = workspace.ref
            when = learning_day_recurrence(workspace)
            name = f"{ref.platform.value}:{ref.workspace_id}"
            jobs += [
                Job(f"learning.day:{name}", ref, when, self.announce, timedelta(hours=6)),
                Job(
                    f"learning.recap:{name}",
                    ref,
                    Shifted(when, RECAP_AFTER),
                    self.recap,
                    timedelta(hours=6),
                ),
            ]
        return jobs

    async def announce(self, tick: Tick) -> Response:
        channel = channel_named(tick.workspace.settings.get("learning.channel", ""))
        if channel is None:
            return None
        day = tick.scheduled_for.astimezone(ZoneInfo(tick.workspace.timezone)).date()
        key = f"learning.day:{day.isoformat()}"
        sessions = [
            s for s in await self._store.sessions(tick.workspace.ref, since=day) if s.day == day
        ]
        said = [
            Message(
                "learning/day",
                {"day": day, "sessions": [session_view(s) for s in sessions]},
                channel=channel,
                key=key,
            )
        ]
        said += [
            Message(
                "learning/session",
                {"session": session_view(s), "new": False},
                visibility=Visibility.THREAD,
                channel=channel,
                thread_key=key,
                actions=(join_action(s),),
            )
            for s in sessions
        ]
        return said

    async def recap(self, tick: Tick) -> Response:
        channel = channel_named(tick.workspace.settings.get("learning.channel", ""))
        if channel is None:
            return None
        zone = ZoneInfo(tick.workspace.timezone)
        day = (tick.scheduled_for - RECAP_AFTER).astimezone(zone).date()
        ws = tick.workspace.ref
        midnight = datetime.combine(day, time(), tzinfo=zone)
        entries = [
            e
            for e in await self._store.entries(ws, since=midnight)
            if e.at.astimezone(zone).date() == day
        ]
        streaks = []
        for user in sorted({e.user_id for e in entries}):
            current = streak(await self._store.days(ws, user), day).current
            if current >= 3:
                streaks.append({"member": user, "days": current})
        return Message(
            "learning/recap",
            {
                "entries": [{"member": e.user_id, "text": e.text} for e in reversed(entries)],
                "streaks": streaks,
            },
            visibility=Visibility.THREAD,
            channel=channel,
            thread_key=f"learning.day:{day.isoformat()}",
            key=f"learning.recap:{day.isoformat()}",
        )
