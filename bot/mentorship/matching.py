"""Peer pairing rounds: who meets whom this round, and what the rounds remember.

Every few weeks the members who joined the rounds are put in pairs (one
group of three when their number is odd) to meet for a virtual coffee.
People who met recently are kept apart: a pair that met `k` rounds ago
costs `MEMORY - k`, and of many random arrangements the cheapest is kept,
so repeats only happen when the group is too small to avoid them.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from typing import Protocol

from bot.chat import WorkspaceRef

MEMORY = 6  # rounds a meeting is remembered
TRIES = 40  # random arrangements compared
Group = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Participant:
    user_id: str
    away_until: date | None = None

    def available(self, day: date) -> bool:
        return self.away_until is None or self.away_until <= day


@dataclass(frozen=True, slots=True)
class Round:
    id: int
    slot: datetime
    groups: tuple[Group, ...]
    met: Mapping[str, bool] = field(default_factory=dict)  # who answered "did you meet?"

    def group_of(self, user_id: str) -> Group | None:
        return next((g for g in self.groups if user_id in g), None)


def last_met(rounds: Sequence[Round]) -> dict[frozenset[str], int]:
    """For each pair that met in `rounds` (newest first), how many rounds ago (0: the last)."""
    ago: dict[frozenset[str], int] = {}
    for age, past in enumerate(rounds):
        for group in past.groups:
            for a, b in combinations(group, 2):
                ago.setdefault(frozenset((a, b)), age)
    return ago


def _cost(group: Group, ago: Mapping[frozenset[str], int]) -> int:
    return sum(
        max(0, MEMORY - ago[pair]) for pair in map(frozenset, combinations(group, 2)) if pair in ago
    )


def _arrange(people: list[str], ago: Mapping[frozenset[str], int]) -> list[Group]:
    """Greedy: each person in turn, with the remaining partner they met least recently."""
    left = list(people)
    groups: list[Group] = []
    while len(left) >= 2:
        first = left.pop(0)
        partner = min(left, key=lambda other: _cost((first, other), ago))
        left.remove(partner)
        groups.append((first, partner))
    if left:  # odd: the last one joins the group where they repeat least
        last = left[0]
        best = min(range(len(groups)), key=lambda i: _cost((*groups[i], last), ago))
        groups[best] = (*groups[best], last)
    return groups


def match(people: Sequence[str], history: Sequence[Round], rng: random.Random) -> list[Group]:
    """This round's groups: pairs, and one group of three when the number is odd."""
    if len(people) < 2:
        return []
    ago = last_met(history[:MEMORY])
    best: list[Group] = []
    best_cost = -1
    for _ in range(TRIES):
        order = sorted(people)
        rng.shuffle(order)
        groups = _arrange(order, ago)
        cost = sum(_cost(g, ago) for g in groups)
        if best_cost < 0 or cost < best_cost:
            best, best_cost = groups, cost
        if cost == 0:
            break
    return [tuple(sorted(g)) for g in best]


class PairingStore(Protocol):
    async def people(self, workspace: WorkspaceRef) -> list[Participant]: ...

    async def join(self, workspace: WorkspaceRef, user_id: str, *, at: datetime) -> bool:
        """Take part in the rounds; False when already in."""
        ...

    async def leave(self, workspace: WorkspaceRef, user_id: str) -> bool: ...

    async def away(self, workspace: WorkspaceRef, user_id: str, until: date | None) -> bool:
        """Skip rounds until a day (None: back now); False when not taking part."""
        ...

    async def record(
        self, workspace: WorkspaceRef, slot: datetime, groups: Sequence[Group], *, at: datetime
    ) -> int | None:
        """Keep a round's groups; None when that slot's round exists already."""
        ...

    async def rounds(self, workspace: WorkspaceRef, *, last: int) -> list[Round]:
        """The latest rounds, newest first."""
        ...

    async def met(self, workspace: WorkspaceRef, round_id: int, user_id: str, met: bool) -> bool:
        """Record a member's answer; False when they were not in that round."""
        ...

    async def workspaces_pairing(self) -> list[WorkspaceRef]:
        """Workspaces where at least one member takes part."""
        ...
