"""What rituals remember of their members: spotlight turns, answers, shared dates, questions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class TurnStatus(StrEnum):
    PICKED = "picked"  # told ahead of time; counts as their turn
    SPOKE = "spoke"  # their spotlight was posted
    SWAPPED = "swapped"  # asked for another week, or could not make it: not a turn


@dataclass(frozen=True, slots=True)
class Turn:
    """Who holds a spotlight slot (`slot`: the ritual's moment, UTC)."""

    slot: datetime
    user_id: str
    status: TurnStatus


class EntryKind(StrEnum):
    RSVP = "rsvp"
    SURVEY = "survey"
    JOIN = "join"
    ANSWER = "answer"
    WIN = "win"


@dataclass(frozen=True, slots=True)
class Entry:
    """Something a member said to a ritual: an RSVP, an answer, a win.

    Entries of one ritual occasion are one per member and kind (the latest
    wins); wins belong to the workspace and accumulate.
    """

    kind: EntryKind
    user_id: str
    value: str
    at: datetime
    ritual_id: int | None = None
    occasion: datetime | None = None


@dataclass(frozen=True, slots=True)
class Person:
    """What a member chose to share with rituals."""

    user_id: str
    birthday: str | None = None  # "MM-DD": no year, on purpose
    started_on: date | None = None  # for work anniversaries
    away_until: date | None = None  # inclusive, in the ritual's time zone


@dataclass(frozen=True, slots=True)
class Question:
    """A question from a bank; shipped ones have a text per language."""

    key: str
    texts: Mapping[str, str]

    def text(self, locale: str) -> str:
        return self.texts.get(locale) or self.texts.get("en") or next(iter(self.texts.values()))
