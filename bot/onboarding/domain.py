"""The newcomer's first month: a program of steps in four weeks, and the rules over it.

A journey starts when a member joins (or when a manager starts it for
someone already there). Its week is counted in days from that start; a
step is ticked by the newcomer, or ticked for them when they do what it
asks through Hearth (introducing themselves, giving feedback). The
program is the shipped steps, minus those a workspace hid, plus its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.chat import N_, WorkspaceRef

WEEKS = 4
DAYS = WEEKS * 7
MAX_STEP_TEXT = 200


@dataclass(frozen=True, slots=True)
class Step:
    """One thing to do in a given week. Shipped steps' texts are English msgids,
    translated when shown; a workspace's own steps are shown as written."""

    id: str
    week: int
    text: str
    shipped: bool = True


INTRO_STEP = "platform.intro"
FEEDBACK_STEP = "first.feedback"

PROGRAM: tuple[Step, ...] = (
    Step("platform.tools", 1, N_("Set up your accounts and the tools the team uses")),
    Step(INTRO_STEP, 1, N_("Introduce yourself: your interests, your hobbies, a photo")),
    Step("platform.mentor", 1, N_("Have a first chat with your mentor")),
    Step("mission.read", 2, N_("Read how the company works: its mission and its story")),
    Step("mission.shadow", 2, N_("Shadow a teammate for a few hours")),
    Step("mission.coffee", 2, N_("Have a virtual coffee with someone outside your team")),
    Step("values.read", 3, N_("Read the team's values and how we live them")),
    Step("values.kudos", 3, N_("Thank someone for their help with /kudos")),
    Step("values.circle", 3, N_("Join a channel for an interest beyond work")),
    Step("first.contribution", 4, N_("Ship a first contribution, however small")),
    Step("first.share", 4, N_("Share something you learned this month")),
    Step(FEEDBACK_STEP, 4, N_("Tell us how your first month went")),
)
SHIPPED = {step.id: step for step in PROGRAM}


@dataclass(frozen=True, slots=True)
class CustomStep:
    """A workspace's change to the program: a step of its own, or a shipped one hidden."""

    id: int
    week: int
    text: str
    hides: str | None = None


def program(changes: Sequence[CustomStep]) -> list[Step]:
    """The workspace's program, ordered by week: shipped steps first within a week."""
    hidden = {c.hides for c in changes if c.hides}
    own = [Step(f"c{c.id}", c.week, c.text, shipped=False) for c in changes if not c.hides]
    steps = [s for s in PROGRAM if s.id not in hidden] + own
    return sorted(steps, key=lambda s: s.week)  # stable: shipped order, then added order


class Answers(StrEnum):
    INTRO = "intro"
    FEEDBACK = "feedback"


INTRO_FIELDS = ("interests", "hobbies", "photo", "about")
FEEDBACK_FIELDS = ("rating", "helped", "improve")
RATINGS = ("5", "4", "3", "2", "1")


@dataclass(frozen=True, slots=True)
class Journey:
    """One member's onboarding. `channel` is where their welcome thread was
    opened (None when the workspace names no welcome channel)."""

    user_id: str
    started_at: datetime
    channel: str | None = None
    done: frozenset[str] = frozenset()
    intro: Mapping[str, str] = field(default_factory=dict)
    feedback: Mapping[str, str] = field(default_factory=dict)
    finished_at: datetime | None = None
    left_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.finished_at is None and self.left_at is None

    @property
    def welcome_key(self) -> str:
        """The key of the welcome post: the thread everything about them goes under."""
        return welcome_key(self.user_id)


def welcome_key(user_id: str) -> str:
    return f"onboarding.welcome:{user_id}"


def day_of(started_at: datetime, now: datetime, timezone: str) -> int:
    """Days since the start, counted in calendar days of the reader's time zone
    (the day they joined is day 0)."""
    zone = ZoneInfo(timezone)
    first: date = started_at.astimezone(zone).date()
    return (now.astimezone(zone).date() - first).days


def week_of(day: int) -> int:
    """The program's week for a day: 1 to 4, then 5 once the month is over."""
    return min(day // 7 + 1, WEEKS + 1)


@dataclass(frozen=True, slots=True)
class Progress:
    week: int
    done: int
    total: int
    overdue: tuple[Step, ...]  # steps of past weeks still open
    next: tuple[Step, ...]  # open steps of this week (all of week 4 after it)

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def needs_attention(self) -> bool:
        """A newcomer more than a week behind: two steps of past weeks still open."""
        return len(self.overdue) >= 2


def progress(journey: Journey, steps: Sequence[Step], *, day: int) -> Progress:
    week = week_of(day)
    current = min(week, WEEKS)
    open_steps = [s for s in steps if s.id not in journey.done]
    return Progress(
        week=week,
        done=sum(1 for s in steps if s.id in journey.done),
        total=len(steps),
        overdue=tuple(s for s in open_steps if s.week < current),
        next=tuple(s for s in open_steps if s.week == current),
    )


def numbered(steps: Sequence[Step], number: str) -> Step | None:
    """The step a member names by its number in the program (from 1)."""
    text = number.strip().lstrip("#")
    if not (text.isascii() and text.isdecimal()):
        return None
    index = int(text) - 1
    return steps[index] if 0 <= index < len(steps) else None


class OnboardingStore(Protocol):
    """Journeys, ticks, answers and the workspace's program changes."""

    async def start(
        self, workspace: WorkspaceRef, user_id: str, *, at: datetime, channel: str | None
    ) -> bool:
        """Begin a journey; False when the member already has one (joined before)."""
        ...

    async def journey(self, workspace: WorkspaceRef, user_id: str) -> Journey | None: ...

    async def journeys(self, workspace: WorkspaceRef, *, since: datetime) -> list[Journey]:
        """Journeys that are active, or ended after `since`, oldest first."""
        ...

    async def workspaces_onboarding(self) -> list[WorkspaceRef]:
        """Workspaces with at least one active journey."""
        ...

    async def tick(self, workspace: WorkspaceRef, user_id: str, step: str, *, at: datetime) -> bool:
        """Mark a step done; False when it already was."""
        ...

    async def untick(self, workspace: WorkspaceRef, user_id: str, step: str) -> bool: ...

    async def answer(
        self,
        workspace: WorkspaceRef,
        user_id: str,
        kind: Answers,
        answers: Mapping[str, str],
        *,
        at: datetime,
    ) -> None: ...

    async def end(self, workspace: WorkspaceRef, user_id: str, *, at: datetime, left: bool) -> bool:
        """Close an active journey: the program is over, or the member left."""
        ...

    async def changes(self, workspace: WorkspaceRef) -> list[CustomStep]: ...

    async def add_step(
        self, workspace: WorkspaceRef, *, week: int, text: str, hides: str | None, at: datetime
    ) -> int: ...

    async def remove_step(self, workspace: WorkspaceRef, step_id: int) -> bool: ...
