"""A warm offboarding: what a departure keeps, and the checklist around it.

When someone leaves, a manager starts their offboarding with the last day.
The person leaving hands over their objectives and deliverables, leaves a
short note for future projects and may stay in touch through the alumni;
their manager holds a feedback conversation and writes a recommendation.
A farewell thread opens a few days before the last day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from bot.chat import WorkspaceRef

FAREWELL_DAYS = 2  # the farewell thread opens this many days before the last day


class Part(StrEnum):
    """What an offboarding gathers, each kept as a small object of strings."""

    HANDOVER = "handover"  # the person leaving: what goes to whom
    NOTE = "note"  # the person leaving: a note kept for future projects
    ALUMNI = "alumni"  # the person leaving: stay in touch, and how
    RECOMMENDATION = "recommendation"  # the manager
    FEEDBACK = "feedback"  # the manager: the feedback conversation was held


@dataclass(frozen=True, slots=True)
class Departure:
    user_id: str
    manager: str
    last_day: date
    started_at: datetime
    parts: Mapping[Part, Mapping[str, str]] = field(default_factory=dict)
    open: bool = True  # False once cancelled, or once the last day is over

    def has(self, part: Part) -> bool:
        return part in self.parts

    @property
    def farewell_key(self) -> str:
        return f"offboarding.farewell:{self.user_id}:{self.last_day.isoformat()}"


def checklist(departure: Departure) -> dict[str, bool]:
    """Which parts of the offboarding are done, in the order they are shown."""
    return {part.value: departure.has(part) for part in Part}


class DepartureStore(Protocol):
    async def start(
        self,
        workspace: WorkspaceRef,
        user_id: str,
        *,
        manager: str,
        last_day: date,
        at: datetime,
    ) -> bool:
        """Begin an offboarding (again, with a new last day, after one ended or was
        cancelled); False when one is open: its last day moves to `last_day`."""
        ...

    async def departure(self, workspace: WorkspaceRef, user_id: str) -> Departure | None: ...

    async def departures(self, workspace: WorkspaceRef) -> list[Departure]:
        """Open offboardings, soonest last day first."""
        ...

    async def keep(
        self, workspace: WorkspaceRef, user_id: str, part: Part, answers: Mapping[str, str]
    ) -> bool:
        """Keep one part; False when there is no offboarding for that member."""
        ...

    async def close(self, workspace: WorkspaceRef, user_id: str, *, cancelled: bool) -> bool:
        """End an open offboarding: cancelled, or over after the last day."""
        ...

    async def notes(self, workspace: WorkspaceRef) -> list[tuple[str, date, str]]:
        """Every note kept for future projects: who, their last day, the note."""
        ...

    async def workspaces_offboarding(self) -> list[WorkspaceRef]:
        """Workspaces with an open offboarding."""
        ...
