"""Learning: learning days, sessions, and a learning log with streaks.

"Be 1% smarter every day": members log what they learned; a streak counts
the days in a row with at least one entry, where only a working day with
nothing logged breaks it (a weekend never does; learning on a weekend
still counts). Learning days (the first
Tuesday and the first Thursday of each month by default) are announced in
the team's channel with the sessions members proposed for them.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.chat import WorkspaceRef

DEFAULT_DAYS = "1st tue,1st thu"
_DAY = re.compile(r"^(1st|2nd|3rd|4th|5th|last) (mon|tue|wed|thu|fri|sat|sun)$")
_TOPIC = re.compile(r"(?<![\w#])#([\w-]{1,40})")
MAX_ENTRY = 500


def learning_days(value: str) -> str:
    """The learning days a setting names, in cron's `day` syntax ("1st tue,1st thu");
    the default when the setting does not read as such."""
    parts = [" ".join(p.split()).lower() for p in value.split(",") if p.strip()]
    if parts and all(_DAY.match(p) for p in parts):
        return ",".join(parts)
    return DEFAULT_DAYS


def topics_of(text: str) -> tuple[str, ...]:
    """The #topics of an entry, lower-cased, each once, in order."""
    seen: dict[str, None] = {}
    for topic in _TOPIC.findall(text):
        seen.setdefault(topic.lower(), None)
    return tuple(seen)


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    user_id: str
    text: str
    topics: tuple[str, ...]
    at: datetime
    day: date  # in the member's time zone when they logged it


@dataclass(frozen=True, slots=True)
class Streak:
    current: int
    best: int


def _continues(earlier: date, later: date) -> bool:
    """Whether only weekend days lie strictly between two days."""
    day = earlier + timedelta(days=1)
    while day < later:
        if day.weekday() < 5:
            return False
        day += timedelta(days=1)
    return True


def streak(days: Collection[date], today: date) -> Streak:
    """Days in a row with an entry, where only a working day without one breaks
    the run: a weekend never does, and a weekend entry still counts. The current
    streak holds until a working day passes with nothing logged (today is open)."""
    best = run = 0
    previous: date | None = None
    for day in sorted({d for d in days if d <= today}):
        run = run + 1 if previous is not None and _continues(previous, day) else 1
        best = max(best, run)
        previous = day
    alive = previous is not None and (previous == today or _continues(previous, today))
    return Streak(current=run if alive else 0, best=best)


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    day: date  # the learning day it is for
    title: str
    presenter: str
    attendees: tuple[str, ...] = ()


class LearningStore(Protocol):
    async def log(
        self,
        workspace: WorkspaceRef,
        user_id: str,
        text: str,
        *,
        topics: Sequence[str],
        at: datetime,
        day: date,
    ) -> Entry: ...

    async def entries(
        self, workspace: WorkspaceRef, *, since: datetime, user_id: str | None = None
    ) -> list[Entry]:
        """Entries since a moment, newest first (one member's when named)."""
        ...

    async def days(self, workspace: WorkspaceRef, user_id: str) -> list[date]:
        """Every day a member logged something, for their streaks."""
        ...

    async def forget(self, workspace: WorkspaceRef, user_id: str, entry_id: int) -> bool:
        """Delete one of the member's own entries."""
        ...

    async def propose(
        self, workspace: WorkspaceRef, *, day: date, title: str, presenter: str, at: datetime
    ) -> Session: ...

    async def sessions(self, workspace: WorkspaceRef, *, since: date) -> list[Session]:
        """Sessions of learning days from `since` on, by day then proposal order."""
        ...

    async def attend(self, workspace: WorkspaceRef, session_id: int, user_id: str) -> bool:
        """Sign up; False when already signed up or no such session."""
        ...
