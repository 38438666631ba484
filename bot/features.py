"""A feature is a value: the commands, listeners, buttons, forms and jobs of a slice.

`kudos.build(...)` returns a `Feature`; the composition root lists the features
that run. Nothing registers itself at import time.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

from bot.chat import (
    Action,
    ButtonPressed,
    CommandInvoked,
    Event,
    FormSubmitted,
    Member,
    Message,
    Reply,
    Visibility,
    Workspace,
    WorkspaceRef,
)

E = TypeVar("E", bound=Event)


@dataclass(frozen=True, slots=True)
class Signal:
    """A neutral fact one slice announces and others may act on.

    Slices never import each other: onboarding returns
    `Signal("newcomer.joined", ...)` and the composition root routes it to
    whichever features listen to that topic.
    """

    topic: str
    workspace: WorkspaceRef
    data: Mapping[str, str] = field(default_factory=dict)


# Topics slices announce, named here so that announcer and listeners agree.
NEWCOMER_JOINED = "newcomer.joined"  # onboarding: `user_id`; `channel`, `thread_key` of
# their welcome thread when one was opened. Mentorship pairs a mentor.

Outcome = Reply | Signal
Response = Outcome | Sequence[Outcome] | None


@dataclass(frozen=True, slots=True)
class Call(Generic[E]):
    """One inbound event, with who sent it and when, ready for a handler."""

    event: E
    workspace: Workspace
    actor: Member | None
    now: datetime
    rng: random.Random

    @property
    def locale(self) -> str:
        return self.actor.locale_in(self.workspace) if self.actor else self.workspace.locale

    @property
    def timezone(self) -> str:
        return self.actor.timezone_in(self.workspace) if self.actor else self.workspace.timezone


def private(call: Call[Any], template: str, context: Mapping[str, object]) -> Message:
    """A message only the actor sees, where they acted (a DM when there is no channel)."""
    if call.actor is None:
        raise ValueError("a private answer needs a member who acted")
    return Message(
        template,
        context,
        visibility=Visibility.PRIVATE,
        channel=getattr(call.event, "channel", None),
        to=call.actor.ref.user_id,
    )


def dm(
    to: str,
    template: str,
    context: Mapping[str, object],
    *,
    key: str | None = None,
    actions: tuple[Action, ...] = (),
) -> Message:
    """A direct message to `to`; with a `key`, sent once however often it is said."""
    return Message(template, context, visibility=Visibility.DM, to=to, key=key, actions=actions)


def refuse(call: Call[Any], reason: str, **values: object) -> Message:
    """A private, helpful "no": `reason` is an English msgid that `values` fill."""
    return private(call, "hearth/error", {"reason": reason, "values": values})


Invocation = Call[CommandInvoked]
Press = Call[ButtonPressed]
Submission = Call[FormSubmitted]

Handler = Callable[[Call[Any]], Awaitable[Response]]


class OptionKind(StrEnum):
    TEXT = "text"
    MEMBER = "member"
    CHOICE = "choice"
    NUMBER = "number"


@dataclass(frozen=True, slots=True)
class Option:
    """A typed argument, for platforms whose commands have them (Discord).

    Handlers still read one line of text: the adapter writes the chosen
    values back into it, in order, members as mentions, each after its
    `prefix` (`#` for a value, `badge:` for a badge). `description` and
    `choices` are English msgids.
    """

    name: str
    description: str
    kind: OptionKind = OptionKind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    prefix: str = ""


@dataclass(frozen=True, slots=True)
class Subcommand:
    """One form of a command: `/kudos board period:month` is the text "board month".

    `words` start the text (the subcommand's name when None; "" for the
    command's default form, such as giving kudos).
    """

    name: str
    description: str
    options: tuple[Option, ...] = ()
    words: str | None = None

    def text(self, values: Sequence[str]) -> str:
        """The command text these option values (already written out) stand for."""
        start = self.name if self.words is None else self.words
        return " ".join(part for part in (start, *values) if part)


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command. `description` and `usage` are English msgids; `subcommands`
    give platforms with typed options (Discord) a form for each use."""

    name: str
    handler: Callable[[Invocation], Awaitable[Response]]
    description: str
    usage: str = ""
    subcommands: tuple[Subcommand, ...] = ()


@dataclass(frozen=True, slots=True)
class Listener:
    event: type[Event]
    handler: Handler


@dataclass(frozen=True, slots=True)
class ButtonRoute:
    """Buttons whose action id starts with `prefix` (for example "kudos.")."""

    prefix: str
    handler: Callable[[Press], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class FormRoute:
    prefix: str
    handler: Callable[[Submission], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class SignalListener:
    topic: str
    handler: Callable[[Signal, datetime], Awaitable[Response]]


# --- recurrences: when a job fires, described without any scheduler library --


@dataclass(frozen=True, slots=True)
class Cron:
    """Calendar fields in APScheduler's cron syntax, evaluated in `timezone`.

    `Cron(hour="10", day="1st tue,1st thu", timezone="Europe/Paris")`.
    """

    timezone: str
    minute: str = "0"
    hour: str = "*"
    day: str = "*"
    month: str = "*"
    day_of_week: str = "*"
    week: str = "*"
    year: str = "*"
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class Every:
    """A fixed period from `start` (aware), e.g. every two weeks."""

    interval: timedelta
    start: datetime
    timezone: str


@dataclass(frozen=True, slots=True)
class Once:
    """Fixed moments (aware datetimes)."""

    moments: tuple[datetime, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    """Fires whenever any of its parts fires."""

    parts: tuple[Recurrence, ...]


@dataclass(frozen=True, slots=True)
class Shifted:
    """Another recurrence's fire times moved by `offset` (negative: earlier).

    A reminder two days before each ritual is `Shifted(ritual, -timedelta(days=2))`:
    exact for any recurrence, where rewriting cron fields cannot be.
    """

    recurrence: Recurrence
    offset: timedelta


Recurrence = Cron | Every | Once | AnyOf | Shifted

FireTimes = Callable[[Recurrence, datetime, int], list[datetime]]
"""The next `count` fire times of a recurrence after a moment: the scheduler's own
calculation, handed to the slices that show or plan around them."""


@dataclass(frozen=True, slots=True)
class Tick:
    """One claimed firing of a job, handed to the job's function."""

    key: str
    scheduled_for: datetime
    now: datetime
    workspace: Workspace
    rng: random.Random

    @property
    def late_by(self) -> timedelta:
        return self.now - self.scheduled_for


@dataclass(frozen=True, slots=True)
class Job:
    """A recurring piece of work in one workspace.

    `key` is stable across restarts and processes: the run table claims
    `(key, scheduled_for)` once, whichever process gets there first. Messages a
    job returns must name their channel or recipient.
    """

    key: str
    workspace: WorkspaceRef
    recurrence: Recurrence
    run: Callable[[Tick], Awaitable[Response]]
    grace: timedelta = timedelta(hours=1)
    since: datetime | None = None  # no slot before this fires (e.g. creation time)


JobSource = Callable[[], Awaitable[Sequence[Job]]]


class SettingKind(StrEnum):
    TEXT = "text"
    NUMBER = "number"  # a whole number, 0 or more
    TIME = "time"  # HH:MM, 24-hour
    FLAG = "flag"  # yes or no
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class Setting:
    """A workspace setting a feature reads, which admins change with `/hearth set`."""

    key: str
    description: str  # an English msgid
    default: str
    kind: SettingKind = SettingKind.TEXT
    choices: tuple[str, ...] = ()

    def check(self, value: str) -> str | None:
        """The value as stored, or None when it does not fit the setting."""
        value = value.strip()
        match self.kind:
            case SettingKind.NUMBER:
                return str(int(value)) if value.isascii() and value.isdecimal() else None
            case SettingKind.TIME:
                hour, _, minute = value.partition(":")
                fits = (
                    hour.isascii() and hour.isdecimal() and minute.isascii() and minute.isdecimal()
                )
                if not fits or int(hour) > 23 or int(minute) > 59 or len(minute) != 2:
                    return None
                return f"{int(hour):02d}:{minute}"
            case SettingKind.FLAG:
                lowered = value.lower()
                if lowered in ("yes", "true", "on", "1", "oui"):
                    return "yes"
                return "no" if lowered in ("no", "false", "off", "0", "non") else None
            case SettingKind.CHOICE:
                return value.lower() if value.lower() in self.choices else None
        return value

    def value(self, workspace: Workspace) -> str:
        """The workspace's value, or the default when it has none that fits."""
        return self.check(workspace.settings.get(self.key, self.default)) or self.default

    def daily(self, workspace: Workspace, *, day: str = "*", day_of_week: str = "*") -> Cron:
        """Every day (or those cron's `day` and `day_of_week` name) at the time
        this TIME setting names, in the workspace's time zone."""
        hour, _, minute = self.value(workspace).partition(":")
        return Cron(
            timezone=workspace.timezone,
            hour=str(int(hour)),
            minute=str(int(minute)),
            day=day,
            day_of_week=day_of_week,
        )


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    commands: tuple[Command, ...] = ()
    listeners: tuple[Listener, ...] = ()
    buttons: tuple[ButtonRoute, ...] = ()
    forms: tuple[FormRoute, ...] = ()
    signals: tuple[SignalListener, ...] = ()
    jobs: JobSource | None = None
    templates: Path | None = None
    settings: tuple[Setting, ...] = ()


def outcomes(response: Response) -> list[Outcome]:
    """Flatten what a handler returned into a list."""
    if response is None:
        return []
    if isinstance(response, Sequence):
        return list(response)
    return [response]
