"""The outbox port: scheduled and system messages survive crashes and outages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.chat import Message, WorkspaceRef


@dataclass(frozen=True, slots=True)
class Envelope:
    """A message waiting in the outbox, with its delivery history."""

    id: int
    workspace: WorkspaceRef
    message: Message
    attempts: int
    next_try: datetime
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Posted:
    """Where a keyed message landed, so later messages can thread under it."""

    channel: str
    message_id: str


class Outbox(Protocol):
    async def put(
        self, workspace: WorkspaceRef, messages: Sequence[Message], *, now: datetime
    ) -> int:
        """Queue messages in one transaction; a message whose `key` is already
        queued in the workspace is skipped. Returns how many were queued."""
        ...

    async def put_many(
        self, batches: Sequence[tuple[WorkspaceRef, Sequence[Message]]], *, now: datetime
    ) -> list[int]:
        """`put` for several workspaces' messages at once, as one statement;
        how many of each batch were queued (a key repeated across batches is
        queued for the first)."""
        ...

    async def take(self, *, now: datetime, lease_until: datetime, limit: int) -> list[Envelope]:
        """Lease up to `limit` due messages (next_try <= now, not sent, not dead,
        lease expired), oldest first, so that no other process sends them before
        `lease_until`."""
        ...

    async def sent(self, envelope_id: int, *, channel: str, message_id: str, now: datetime) -> None:
        """Mark sent; remember where a keyed message landed."""
        ...

    async def sent_many(self, marks: Sequence[tuple[int, Posted]], *, now: datetime) -> None:
        """`sent` for several messages (envelope id, where it landed), as one statement."""
        ...

    async def retry(self, envelope_id: int, *, at: datetime, error: str) -> None:
        """Count a failed attempt and try again at `at`."""
        ...

    async def postpone(self, envelope_id: int, *, at: datetime) -> None:
        """Try again at `at` without counting an attempt (waiting for a turn,
        a thread's first message, a platform to connect, a rate limit)."""
        ...

    async def dead(self, envelope_id: int, *, error: str, now: datetime) -> None:
        """Give up on a message that can never be delivered."""
        ...

    async def posted(self, workspace: WorkspaceRef, key: str) -> Posted | None: ...

    async def pending_count(self) -> int: ...
