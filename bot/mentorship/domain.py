"""Every newcomer gets a mentor: who is free to mentor, who mentors whom, and for how long.

A mentor is responsible for a newcomer's well-being and progress in their
first months. Mentors volunteer (or a manager names one); a newcomer is
paired with the volunteer who has the fewest mentees, then the one who
waited longest since their last newcomer, so the load spreads evenly and
nobody mentors more than the workspace allows. The mentorship lasts
`mentorship.days` (90 by default); at its end the newcomer tells how it went.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from bot.chat import WorkspaceRef

DAYS = 90
MAX_MENTEES = 3
CHECK_INS = (7, 30)  # days after the start when the mentor is asked how it goes
RATINGS = ("5", "4", "3", "2", "1")
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Pairing:
    newcomer: str
    mentor: str
    started_at: datetime
    ended_at: datetime | None = None
    feedback: Mapping[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        return self.ended_at is None


@dataclass(frozen=True, slots=True)
class Volunteer:
    user_id: str
    since: datetime


def choose_mentor(
    volunteers: Sequence[str],
    pairings: Sequence[Pairing],
    *,
    newcomer: str,
    limit: int,
) -> str | None:
    """The volunteer to mentor `newcomer`: fewest active mentees (below `limit`),
    then the longest wait since their last newcomer, then the user id."""
    load: dict[str, int] = {}
    last: dict[str, datetime] = {}
    for pairing in pairings:
        if pairing.active:
            load[pairing.mentor] = load.get(pairing.mentor, 0) + 1
        last[pairing.mentor] = max(last.get(pairing.mentor, _NEVER), pairing.started_at)
    free = [v for v in volunteers if v != newcomer and load.get(v, 0) < limit]
    if not free:
        return None
    return min(free, key=lambda v: (load.get(v, 0), last.get(v, _NEVER), v))


def day_of(pairing: Pairing, now: datetime) -> int:
    return (now - pairing.started_at).days


class MentorStore(Protocol):
    async def volunteers(self, workspace: WorkspaceRef) -> list[Volunteer]: ...

    async def volunteer(self, workspace: WorkspaceRef, user_id: str, *, at: datetime) -> bool:
        """Join the mentors; False when already one."""
        ...

    async def retire(self, workspace: WorkspaceRef, user_id: str) -> bool: ...

    async def pair(
        self, workspace: WorkspaceRef, newcomer: str, mentor: str, *, at: datetime
    ) -> bool:
        """Give `newcomer` a mentor; False when they have an active mentorship already."""
        ...

    async def pairings(self, workspace: WorkspaceRef, *, since: datetime) -> list[Pairing]:
        """Active mentorships and those ended after `since`, oldest first."""
        ...

    async def current(self, workspace: WorkspaceRef, newcomer: str) -> Pairing | None:
        """The newcomer's active mentorship, else their latest one."""
        ...

    async def end(self, workspace: WorkspaceRef, newcomer: str, *, at: datetime) -> bool: ...

    async def feedback(
        self, workspace: WorkspaceRef, newcomer: str, answers: Mapping[str, str]
    ) -> bool:
        """Keep the newcomer's word on their latest mentorship; False without one."""
        ...

    async def workspaces_mentoring(self) -> list[WorkspaceRef]: ...
