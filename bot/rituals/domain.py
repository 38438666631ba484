"""Rituals: what a ritual is, its options, and the store and ports it needs.

A ritual is a row a manager writes (`/ritual add watercooler every monday
16:00 in #team`): a kind, a schedule in the schedule language
(`bot.rituals.schedules`), a time zone, a channel and a few options. Each
kind is a template set plus its own logic in `bot.rituals.firing`. The
database holds every ritual and every run; this module only describes them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.chat import N_, MemberRef, WorkspaceRef
from bot.features import Recurrence
from bot.rituals.records import Entry, EntryKind, Person, Question, Turn
from bot.rituals.schedules import Schedule, parse


class Kind(StrEnum):
    SPOTLIGHT = "spotlight"  # get to know a team member
    WATERCOOLER = "watercooler"
    CELEBRATION = "celebration"
    GATHERING = "gathering"
    COWORKING = "coworking"
    CHECKIN = "checkin"
    CUSTOM = "custom"


KIND_NAMES: Mapping[str, Kind] = {
    **{kind.value: kind for kind in Kind},
    "get-to-know": Kind.SPOTLIGHT,
    "celebrations": Kind.CELEBRATION,
    "co-working": Kind.COWORKING,
    "check-in": Kind.CHECKIN,
    "standup": Kind.CHECKIN,
}


class State(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"


# --- options ------------------------------------------------------------------------

_DURATION = re.compile(r"^(\d{1,4})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def duration(text: str) -> timedelta | None:
    """`90m`, `36h`, `2d`, `1w` as a time span; None when it is not one."""
    match = _DURATION.match(text.strip().lower())
    if match is None:
        return None
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def durations(text: str) -> tuple[timedelta, ...] | None:
    """A comma-separated list of durations, longest first, each once."""
    found = [duration(part) for part in text.split(",") if part.strip()]
    if not found or any(d is None or d <= timedelta(0) for d in found):
        return None
    return tuple(sorted({d for d in found if d is not None}, reverse=True))


def _flag(text: str) -> str | None:
    lowered = text.strip().lower()
    if lowered in ("yes", "true", "on", "1", "oui"):
        return "yes"
    return "no" if lowered in ("no", "false", "off", "0", "non") else None


@dataclass(frozen=True, slots=True)
class Option:
    """An option a ritual's one-line form accepts as `key=value`."""

    key: str
    description: str  # an English msgid
    default: str
    kinds: frozenset[Kind]
    check: Callable[[str], str | None]  # the value as stored, or None when it does not fit
    rest_of_line: bool = False  # takes every word after `key=`


def _span(text: str) -> str | None:
    found = duration(text)
    return text.strip().lower() if found is not None and found > timedelta(0) else None


def _spans(text: str) -> str | None:
    return text.strip().lower().replace(" ", "") if durations(text) else None


def _text(text: str) -> str | None:
    return text.strip()[:1500] or None


def _days(text: str) -> str | None:
    text = text.strip()
    return str(int(text)) if text.isascii() and text.isdecimal() and int(text) <= 365 else None


ALL = frozenset(Kind)
OPTIONS: Mapping[str, Option] = {
    option.key: option
    for option in (
        Option(
            "text",
            N_("The words to post (custom), the question (check-in) or the event's name"),
            "",
            frozenset({Kind.CUSTOM, Kind.CHECKIN, Kind.GATHERING, Kind.COWORKING}),
            _text,
            rest_of_line=True,
        ),
        Option("grace", N_("How late a missed slot may still fire"), "1h", ALL, _span),
        Option(
            "lead",
            N_("How long before the spotlight its speaker hears"),
            "2d",
            frozenset({Kind.SPOTLIGHT}),
            _span,
        ),
        Option(
            "newcomers",
            N_("Days a newcomer waits before their spotlight"),
            "14",
            frozenset({Kind.SPOTLIGHT}),
            _days,
        ),
        Option(
            "notice",
            N_("How long before a co-working session it is announced"),
            "1d",
            frozenset({Kind.COWORKING}),
            _span,
        ),
        Option(
            "countdown",
            N_("When countdown posts go out before a gathering"),
            "30d,7d,1d",
            frozenset({Kind.GATHERING}),
            _spans,
        ),
        Option(
            "summary",
            N_("When the check-in answers are summarised, after the prompt"),
            "4h",
            frozenset({Kind.CHECKIN}),
            _span,
        ),
        Option(
            "dm",
            N_("Send the check-in question to each member by DM"),
            "no",
            frozenset({Kind.CHECKIN}),
            _flag,
        ),
    )
}


# --- the ritual ---------------------------------------------------------------------


@functools.lru_cache(maxsize=8192)
def parsed(schedule: str) -> Schedule:
    """`schedules.parse`, remembered: the job source re-reads every ritual often."""
    return parse(schedule)


@dataclass(frozen=True, slots=True)
class Ritual:
    """One of a workspace's rituals, as stored.

    `active_since` is when it was created or last resumed: no slot before it
    fires, so a ritual paused for a month does not catch up on resuming.
    """

    id: int
    workspace: WorkspaceRef
    kind: Kind
    schedule: str  # canonical text in the schedule language
    timezone: str
    channel: str
    state: State
    created_by: str
    created_at: datetime
    active_since: datetime
    options: Mapping[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The scheduler's job key for the ritual's own moment (other steps add a suffix)."""
        return f"ritual:{self.id}"

    def recurrence(self) -> Recurrence:
        return parsed(self.schedule).recurrence(self.timezone, self.created_at)

    def option(self, key: str) -> str:
        return self.options.get(key) or OPTIONS[key].default

    def span(self, key: str) -> timedelta:
        return duration(self.option(key)) or duration(OPTIONS[key].default) or timedelta(0)

    @property
    def grace(self) -> timedelta:
        return self.span("grace")

    @property
    def text(self) -> str:
        return self.options.get("text", "")


@dataclass(frozen=True, slots=True)
class Draft:
    """A ritual about to be added."""

    workspace: WorkspaceRef
    kind: Kind
    schedule: str
    timezone: str
    channel: str
    created_by: str
    created_at: datetime
    options: Mapping[str, str] = field(default_factory=dict)


class RitualStore(Protocol):
    async def add(self, draft: Draft) -> Ritual: ...

    async def get(self, workspace: WorkspaceRef, ritual_id: int) -> Ritual | None: ...

    async def of_workspace(self, workspace: WorkspaceRef) -> list[Ritual]:
        """The workspace's rituals, by id."""
        ...

    async def active(self) -> list[Ritual]:
        """Every active ritual of every workspace (the scheduler's job source)."""
        ...

    async def save(self, ritual: Ritual) -> None:
        """Update schedule, time zone, channel, state, options and active_since."""
        ...

    async def remove(self, workspace: WorkspaceRef, ritual_id: int) -> bool:
        """Delete the ritual with its turns and entries; False if there was none."""
        ...

    async def turns(self, ritual_id: int) -> list[Turn]:
        """Every turn of a spotlight ritual, oldest slot first."""
        ...

    async def record_turn(self, ritual_id: int, turn: Turn) -> None:
        """Insert or update the turn of (slot, user)."""
        ...

    async def questions(self, workspace: WorkspaceRef, bank: str) -> list[Question]:
        """The questions admins added to a bank, oldest first."""
        ...

    async def add_question(
        self, workspace: WorkspaceRef, bank: str, text: str, *, by: str, at: datetime
    ) -> Question: ...

    async def asked(self, workspace: WorkspaceRef, bank: str) -> set[str]:
        """Keys of the bank's questions asked since the bank was last used up."""
        ...

    async def mark_asked(
        self,
        workspace: WorkspaceRef,
        bank: str,
        keys: Sequence[str],
        *,
        at: datetime,
        fresh_cycle: bool,
    ) -> None:
        """Remember questions as asked; `fresh_cycle` forgets the earlier ones first."""
        ...

    async def put_entry(self, workspace: WorkspaceRef, entry: Entry) -> None: ...

    async def entries(
        self,
        workspace: WorkspaceRef,
        kind: EntryKind,
        *,
        ritual_id: int | None = None,
        occasion: datetime | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Entry]:
        """Entries of a kind, oldest first: of one ritual (and occasion) when
        given, else the workspace's own (wins), `at` within [since, until)."""
        ...

    async def person(self, member: MemberRef) -> Person: ...

    async def people(self, workspace: WorkspaceRef) -> list[Person]:
        """Everyone who shared anything, by user id."""
        ...

    async def save_person(self, workspace: WorkspaceRef, person: Person) -> None: ...


# --- ports the composition root fills --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Recognition:
    """A week of kudos, as the celebration digest shows it."""

    kudos: int = 0
    people: int = 0
    top: tuple[tuple[str, int], ...] = ()  # (user id, kudos received), most first
    badges: tuple[tuple[str, str], ...] = ()  # (user id, badge name) earned


class Recognitions(Protocol):
    """Read access to recognition, wired to the kudos slice in the composition root."""

    async def between(
        self, workspace: WorkspaceRef, *, start: datetime, end: datetime
    ) -> Recognition: ...


class NoRecognitions:
    """For a Hearth that runs without kudos."""

    async def between(
        self, workspace: WorkspaceRef, *, start: datetime, end: datetime
    ) -> Recognition:
        return Recognition()
