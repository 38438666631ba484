"""Community: interest circles, anonymous questions to leaders, and pulse surveys.

Anonymity here is a property of what is stored, not a promise about who
looks: an anonymous question is kept without its author, and a pulse
answer only as one more in a count per value, while the list of who has
answered (to ask nobody twice) holds no value and no time. Results are
shown only once enough people answered (`MIN_ANSWERS`), so a small team
cannot read one person's answer off the chart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from bot.chat import WorkspaceRef

MIN_ANSWERS = 5
SCALE = ("1", "2", "3", "4", "5")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,30}$")


def circle_name(word: str) -> str | None:
    """A circle's name as members type it (`Climbing`, `#board-games`), or None."""
    name = word.strip().lstrip("#").lower()
    return name if _NAME.match(name) else None


@dataclass(frozen=True, slots=True)
class Circle:
    id: int
    name: str
    description: str
    channel: str | None
    created_by: str
    members: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Pulse:
    id: int
    question: str
    created_by: str
    opened_at: datetime
    closes_at: datetime
    counts: Mapping[str, int] = field(default_factory=dict)  # value -> how many
    closed: bool = False

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    @property
    def shown(self) -> bool:
        """Whether enough people answered for the results to reveal nobody."""
        return self.answers >= MIN_ANSWERS

    @property
    def average(self) -> float:
        total = sum(int(value) * n for value, n in self.counts.items())
        return total / self.answers if self.answers else 0.0


class CommunityStore(Protocol):
    async def create_circle(
        self,
        workspace: WorkspaceRef,
        *,
        name: str,
        description: str,
        channel: str | None,
        created_by: str,
        at: datetime,
    ) -> Circle | None:
        """A new circle (its creator its first member); None when the name is taken."""
        ...

    async def circles(self, workspace: WorkspaceRef) -> list[Circle]: ...

    async def circle(self, workspace: WorkspaceRef, name: str) -> Circle | None: ...

    async def join(self, workspace: WorkspaceRef, circle_id: int, user_id: str) -> bool: ...

    async def leave(self, workspace: WorkspaceRef, circle_id: int, user_id: str) -> bool: ...

    async def remove_circle(self, workspace: WorkspaceRef, circle_id: int) -> bool: ...

    async def ask(self, workspace: WorkspaceRef, text: str, *, day: date) -> int:
        """Keep an anonymous question (no author: only its text and day)."""
        ...

    async def open_pulse(
        self,
        workspace: WorkspaceRef,
        *,
        question: str,
        created_by: str,
        at: datetime,
        closes_at: datetime,
    ) -> Pulse: ...

    async def pulse(self, workspace: WorkspaceRef, pulse_id: int) -> Pulse | None: ...

    async def pulses(self, workspace: WorkspaceRef, *, last: int) -> list[Pulse]:
        """The latest pulses, newest first."""
        ...

    async def answer(
        self, workspace: WorkspaceRef, pulse_id: int, user_id: str, value: str
    ) -> bool:
        """Count one answer, once per member and pulse, keeping no link between them;
        False when they had answered, or the pulse is closed or unknown."""
        ...

    async def answered(self, workspace: WorkspaceRef, pulse_id: int) -> frozenset[str]:
        """Who answered (never what)."""
        ...

    async def close(self, workspace: WorkspaceRef, pulse_id: int) -> bool: ...

    async def workspaces_polling(self) -> list[WorkspaceRef]:
        """Workspaces with an open pulse."""
        ...
