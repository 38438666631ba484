"""The run-claim port: the database decides which process fires a slot."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class RunStatus(StrEnum):
    CLAIMED = "claimed"
    DONE = "done"
    FAILED = "failed"
    MISSED = "missed"


class RunStore(Protocol):
    async def claim(self, key: str, scheduled_for: datetime, *, owner: str, now: datetime) -> bool:
        """Insert the run (key, scheduled_for) if absent. True for the one
        caller that inserted it: that caller, and only it, fires the slot."""
        ...

    async def finish(
        self, key: str, scheduled_for: datetime, *, status: RunStatus, now: datetime
    ) -> None: ...

    async def record_missed(self, key: str, scheduled_for: datetime, *, now: datetime) -> bool:
        """Record a slot skipped for being older than its grace; False if the
        slot already has a run row."""
        ...

    async def last_slot(self, key: str) -> datetime | None:
        """The latest scheduled_for recorded for the key, whatever its status."""
        ...

    async def last_slots(self, keys: Sequence[str]) -> dict[str, datetime]:
        """`last_slot` of many keys at once; keys with no run are left out."""
        ...

    async def forget(self, key: str, *, before: datetime) -> int:
        """Delete the key's runs scheduled before a moment; how many went."""
        ...
