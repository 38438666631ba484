"""Follow-ups through the first month, once a day at `onboarding.time` in the team's time zone.

Each newcomer hears from Hearth after their first day (when they have not
introduced themselves yet), at the start of weeks 2, 3 and 4 (that week's
steps and where they stand), and at the end of the month (a thank-you and
a feedback form), after which the journey ends. A manager hears about a
newcomer who falls more than a week behind, once per week of it.

Every follow-up is a keyed message: a day the job runs twice (two
processes, a catch-up) or a follow-up it already sent never repeats, so
the job can look at every journey each day and say what is due.
"""

from __future__ import annotations

from datetime import timedelta

from bot.chat import N_, Action, ButtonStyle, Directory, Message
from bot.features import Job, Response, Setting, SettingKind, Tick, dm
from bot.onboarding.checklist import progress_view
from bot.onboarding.domain import DAYS, WEEKS, OnboardingStore, day_of, program, progress
from bot.onboarding.welcome import steps_view

FOLLOW_UP_TIME = Setting(
    "onboarding.time",
    N_("Time of the daily onboarding follow-ups, HH:MM"),
    "10:00",
    SettingKind.TIME,
)


class FollowUps:
    def __init__(self, *, store: OnboardingStore, directory: Directory) -> None:
        self._store = store
        self._directory = directory

    async def jobs(self) -> list[Job]:
        jobs: list[Job] = []
        for ref in await self._store.workspaces_onboarding():
            workspace = await self._directory.workspace(ref)
            if workspace is None:
                continue
            jobs.append(
                Job(
                    key=f"onboarding.follow_ups:{ref.platform.value}:{ref.workspace_id}",
                    workspace=ref,
                    recurrence=FOLLOW_UP_TIME.daily(workspace),
                    run=self.follow_up,
                    grace=timedelta(hours=12),
                )
            )
        return jobs

    async def follow_up(self, tick: Tick) -> Response:
        ws = tick.workspace.ref
        steps = program(await self._store.changes(ws))
        managers = [
            m.ref.user_id
            for m in await self._directory.members(ws)
            if m.role.can_manage and m.active and not m.is_bot
        ]
        said: list[Message] = []
        for journey in await self._store.journeys(ws, since=tick.now):
            if not journey.active:
                continue
            member = await self._directory.member(ws.member(journey.user_id))
            if member is None or not member.active:
                await self._store.end(ws, journey.user_id, at=tick.now, left=True)
                continue
            user = journey.user_id
            day = day_of(journey.started_at, tick.now, member.timezone_in(tick.workspace))
            p = progress(journey, steps, day=day)
            if day >= 1 and not journey.intro:
                said.append(
                    dm(
                        user,
                        "onboarding/nudge_intro",
                        {},
                        key=f"onboarding.nudge_intro:{user}",
                        actions=(
                            Action(
                                N_("Introduce myself"),
                                "onboarding.intro",
                                style=ButtonStyle.PRIMARY,
                            ),
                        ),
                    )
                )
            if 2 <= p.week <= WEEKS:
                said.append(
                    dm(
                        user,
                        "onboarding/week",
                        {
                            "steps": [
                                s for s in steps_view(steps, journey.done) if s["week"] == p.week
                            ],
                            "progress": progress_view(p),
                        },
                        key=f"onboarding.week{p.week}:{user}",
                        actions=(Action(N_("My checklist"), "onboarding.checklist"),),
                    )
                )
                if p.needs_attention:
                    said += [
                        dm(
                            manager,
                            "onboarding/attention",
                            {
                                "member": user,
                                "open": steps_view(steps, only=p.overdue),
                                "progress": progress_view(p),
                            },
                            key=f"onboarding.attention{p.week}:{user}:{manager}",
                        )
                        for manager in managers
                        if manager != user
                    ]
            if day >= DAYS:
                said.append(
                    dm(
                        user,
                        "onboarding/graduated",
                        {"progress": progress_view(p)},
                        key=f"onboarding.graduated:{user}",
                        actions=(
                            Action(
                                N_("Share feedback"),
                                "onboarding.feedback",
                                style=ButtonStyle.PRIMARY,
                            ),
                        ),
                    )
                )
                await self._store.end(ws, user, at=tick.now, left=False)
        return said
