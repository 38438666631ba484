"""A ritual's moments: the steps it takes around each occasion, and how they are named.

A ritual's own moment is one step (`MAIN`); some kinds add steps before or
after it, each on the ritual's schedule moved by an offset: the
spotlight's DM two days ahead, a co-working announcement, a gathering's
countdown posts and organiser's summary, a check-in's summary. Messages,
buttons and answers name an occasion by the ritual and its moment.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.chat import Action, Message, Workspace
from bot.rituals.domain import Kind, Ritual, durations

MAIN = ""  # the step at the ritual's own moment
SUMMARY_BEFORE_GATHERING = timedelta(days=1)
DEFAULT_COUNTDOWN = (timedelta(days=30), timedelta(days=7), timedelta(days=1))


def local_moment(at: datetime, timezone: str) -> dict[str, object]:
    """A moment as the ritual's time zone shows it: `day` (a date) and `time` ("HH:MM")."""
    local = at.astimezone(ZoneInfo(timezone))
    return {"day": local.date(), "time": f"{local:%H:%M}"}


def occasion_value(ritual_id: int, at: datetime) -> str:
    """What a button carries to name one occasion of a ritual."""
    return f"{ritual_id}|{at.isoformat()}"


def read_occasion(value: str) -> tuple[int, datetime] | None:
    ritual_id, _, moment = value.partition("|")
    try:
        at = datetime.fromisoformat(moment)
    except ValueError:
        return None
    if not ritual_id.isdecimal() or at.tzinfo is None:
        return None
    return int(ritual_id), at


def message_key(ritual: Ritual, step: str, at: datetime, *parts: str) -> str:
    return ":".join((ritual.key, step or "post", f"{at:%Y%m%dT%H%M%SZ}", *parts))


def steps(ritual: Ritual) -> list[tuple[str, timedelta]]:
    """(step, offset from the ritual's moment) for each job the ritual needs."""
    match ritual.kind:
        case Kind.SPOTLIGHT:
            return [("ahead", -ritual.span("lead")), (MAIN, timedelta(0))]
        case Kind.COWORKING:
            return [("announce", -ritual.span("notice")), (MAIN, timedelta(0))]
        case Kind.GATHERING:
            countdown = [
                (f"countdown-{span_text(span)}", -span)
                for span in _countdown(ritual.option("countdown"))
            ]
            return [*countdown, ("summary", -SUMMARY_BEFORE_GATHERING), (MAIN, timedelta(0))]
        case Kind.CHECKIN:
            return [(MAIN, timedelta(0)), ("summary", ritual.span("summary"))]
    return [(MAIN, timedelta(0))]


def _countdown(text: str) -> tuple[timedelta, ...]:
    return durations(text) or DEFAULT_COUNTDOWN


def span_text(span: timedelta) -> str:
    if span % timedelta(days=1) == timedelta(0):
        return f"{span.days}d"
    if span % timedelta(hours=1) == timedelta(0):
        return f"{int(span.total_seconds() // 3600)}h"
    return f"{int(span.total_seconds() // 60)}m"


@dataclass(frozen=True, slots=True)
class Moment:
    """One occasion of a ritual, as a step sees it."""

    ritual: Ritual
    at: datetime  # the ritual's own moment this step belongs to (UTC)
    now: datetime
    workspace: Workspace
    rng: random.Random
    step: str = MAIN
    dry_run: bool = False  # a preview: say what would be said, record nothing

    @property
    def when(self) -> dict[str, object]:
        return local_moment(self.at, self.ritual.timezone)

    def key(self, step: str, *parts: str) -> str:
        return message_key(self.ritual, step, self.at, *parts)

    def post(
        self,
        template: str,
        context: dict[str, object],
        step: str,
        *,
        actions: tuple[Action, ...] = (),
    ) -> Message:
        """A message in the ritual's channel, keyed by its step and occasion."""
        return Message(
            template, context, channel=self.ritual.channel, key=self.key(step), actions=actions
        )
