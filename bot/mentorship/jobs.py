"""Through the mentorship, once a day at `mentorship.time` in the team's time zone.

The mentor is asked how their newcomer is doing a week and a month in; at
the end (`mentorship.days`, 90 by default) the newcomer is asked how the
mentorship went, the mentor is thanked, and the mentorship ends. Each of
these is a keyed message: a second run the same day repeats nothing.
"""

from __future__ import annotations

from datetime import timedelta

from bot.chat import N_, Directory, Message
from bot.features import Job, Response, Setting, SettingKind, Tick, dm
from bot.mentorship.domain import CHECK_INS, MentorStore, day_of
from bot.mentorship.mentoring import FEEDBACK, length_of

CHECK_IN_TIME = Setting(
    "mentorship.time",
    N_("Time of the daily mentorship check-ins, HH:MM"),
    "10:00",
    SettingKind.TIME,
)


class CheckIns:
    def __init__(self, *, store: MentorStore, directory: Directory) -> None:
        self._store = store
        self._directory = directory

    async def jobs(self) -> list[Job]:
        jobs: list[Job] = []
        for ref in await self._store.workspaces_mentoring():
            workspace = await self._directory.workspace(ref)
            if workspace is None:
                continue
            jobs.append(
                Job(
                    key=f"mentorship.check_ins:{ref.platform.value}:{ref.workspace_id}",
                    workspace=ref,
                    recurrence=CHECK_IN_TIME.daily(workspace),
                    run=self.check_in,
                    grace=timedelta(hours=12),
                )
            )
        return jobs

    async def check_in(self, tick: Tick) -> Response:
        ws = tick.workspace.ref
        length = length_of(tick.workspace)
        said: list[Message] = []
        for pairing in await self._store.pairings(ws, since=tick.now):
            if not pairing.active:
                continue
            day = day_of(pairing, tick.now)
            newcomer, mentor = pairing.newcomer, pairing.mentor
            if day >= length:
                said += [
                    dm(
                        newcomer,
                        "mentorship/ended",
                        {"mentor": mentor},
                        key=f"mentorship.ended:{newcomer}:{mentor}",
                        actions=(FEEDBACK,),
                    ),
                    dm(
                        mentor,
                        "mentorship/thank_mentor",
                        {"newcomer": newcomer},
                        key=f"mentorship.thank:{newcomer}:{mentor}",
                    ),
                ]
                await self._store.end(ws, newcomer, at=tick.now)
                continue
            for check in CHECK_INS:
                if check <= day < length:
                    said.append(
                        dm(
                            mentor,
                            "mentorship/check_in",
                            {"newcomer": newcomer, "days": check},
                            key=f"mentorship.check_in{check}:{newcomer}:{mentor}",
                        )
                    )
        return said
