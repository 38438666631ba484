"""The inbox port: every inbound delivery is claimed once before it is handled."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.chat import Event


class Inbox(Protocol):
    async def claim(self, event: Event, *, now: datetime) -> bool:
        """Record the event keyed by (platform, workspace, delivery id).

        True when this call recorded it; False for a duplicate delivery,
        which must then be acknowledged and skipped.
        """
        ...

    async def claim_many(self, events: Sequence[Event], *, now: datetime) -> list[bool]:
        """`claim` for a batch, in one transaction: for each event in order,
        whether this call recorded it (a delivery repeated within the batch
        is recorded for its first occurrence only)."""
        ...

    async def done(self, event: Event, *, now: datetime) -> None:
        """Mark a claimed event processed."""
        ...

    async def done_many(self, events: Sequence[Event], *, now: datetime) -> None:
        """`done` for a batch, as one statement."""
        ...

    async def unfinished(self, *, claimed_before: datetime, limit: int = 100) -> list[Event]:
        """Events claimed before the given time and never marked done (a crash)."""
        ...
