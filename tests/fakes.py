"""Hand-written in-memory fakes of the ports, for tests that need no database.

Each keeps the contract its port documents (the storage contract suite holds
the SQL implementations to the same one) and exposes what it holds, so a
test can say what a user would see: which slots ran, which messages went
out, which are dead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.chat import Message, WorkspaceRef
from bot.delivery import DeliveryError
from bot.outbox import Envelope, Posted
from bot.runs import RunStatus
from bot.schedule import Clock

# --- runs ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    key: str
    scheduled_for: datetime
    owner: str | None
    status: RunStatus


class FakeRunStore:
    """The run table as a dict: the first claim of a slot wins."""

    def __init__(self) -> None:
        self.runs: dict[tuple[str, datetime], Run] = {}

    async def claim(self, key: str, scheduled_for: datetime, *, owner: str, now: datetime) -> bool:
        return self._insert(Run(key, scheduled_for, owner, RunStatus.CLAIMED))

    async def finish(
        self, key: str, scheduled_for: datetime, *, status: RunStatus, now: datetime
    ) -> None:
        run = self.runs.get((key, scheduled_for))
        if run is not None:
            self.runs[key, scheduled_for] = replace(run, status=status)

    async def record_missed(self, key: str, scheduled_for: datetime, *, now: datetime) -> bool:
        return self._insert(Run(key, scheduled_for, None, RunStatus.MISSED))

    async def last_slot(self, key: str) -> datetime | None:
        return max((slot for k, slot in self.runs if k == key), default=None)

    async def last_slots(self, keys: Sequence[str]) -> dict[str, datetime]:
        wanted = set(keys)
        found: dict[str, datetime] = {}
        for key, slot in self.runs:
            if key in wanted:
                found[key] = max(slot, found.get(key, slot))
        return found

    async def forget(self, key: str, *, before: datetime) -> int:
        gone = [(k, slot) for k, slot in self.runs if k == key and slot < before]
        for run in gone:
            del self.runs[run]
        return len(gone)

    def statuses(self, key: str) -> dict[datetime, RunStatus]:
        """The recorded slots of one job, in time order."""
        return {slot: run.status for (k, slot), run in sorted(self.runs.items()) if k == key}

    def _insert(self, run: Run) -> bool:
        if (run.key, run.scheduled_for) in self.runs:
            return False
        self.runs[run.key, run.scheduled_for] = run
        return True


# --- outbox -------------------------------------------------------------------


@dataclass
class Row:
    id: int
    workspace: WorkspaceRef
    message: Message
    created_at: datetime
    next_try: datetime
    attempts: int = 0
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    dead_at: datetime | None = None
    last_error: str | None = None
    posted: Posted | None = None

    @property
    def pending(self) -> bool:
        return self.sent_at is None and self.dead_at is None


class FakeOutbox:
    """The outbox as a list of rows, leased and settled as `SqlOutbox` does."""

    def __init__(self) -> None:
        self.rows: list[Row] = []

    async def put(
        self, workspace: WorkspaceRef, messages: Sequence[Message], *, now: datetime
    ) -> int:
        queued = 0
        for message in messages:
            if message.key is not None and any(
                r.workspace == workspace and r.message.key == message.key for r in self.rows
            ):
                continue
            self.rows.append(Row(len(self.rows) + 1, workspace, message, now, next_try=now))
            queued += 1
        return queued

    async def put_many(
        self, batches: Sequence[tuple[WorkspaceRef, Sequence[Message]]], *, now: datetime
    ) -> list[int]:
        return [await self.put(workspace, messages, now=now) for workspace, messages in batches]

    async def take(self, *, now: datetime, lease_until: datetime, limit: int) -> list[Envelope]:
        due = [
            r
            for r in self.rows
            if r.pending and r.next_try <= now and (r.lease_until is None or r.lease_until <= now)
        ][:limit]
        for row in due:
            row.lease_until = lease_until
        return [
            Envelope(r.id, r.workspace, r.message, r.attempts, r.next_try, r.created_at)
            for r in due
        ]

    async def sent(self, envelope_id: int, *, channel: str, message_id: str, now: datetime) -> None:
        if (row := self._pending(envelope_id)) is not None:
            row.sent_at, row.lease_until = now, None
            row.posted = Posted(channel=channel, message_id=message_id)

    async def sent_many(self, marks: Sequence[tuple[int, Posted]], *, now: datetime) -> None:
        for envelope_id, posted in marks:
            await self.sent(
                envelope_id, channel=posted.channel, message_id=posted.message_id, now=now
            )

    async def retry(self, envelope_id: int, *, at: datetime, error: str) -> None:
        if (row := self._pending(envelope_id)) is not None:
            row.attempts += 1
            row.next_try, row.last_error, row.lease_until = at, error, None

    async def postpone(self, envelope_id: int, *, at: datetime) -> None:
        if (row := self._pending(envelope_id)) is not None:
            row.next_try, row.lease_until = at, None

    async def dead(self, envelope_id: int, *, error: str, now: datetime) -> None:
        if (row := self._pending(envelope_id)) is not None:
            row.dead_at, row.last_error, row.lease_until = now, error, None

    async def posted(self, workspace: WorkspaceRef, key: str) -> Posted | None:
        for row in self.rows:
            if row.workspace == workspace and row.message.key == key and row.sent_at:
                return row.posted
        return None

    async def pending_count(self) -> int:
        return sum(row.pending for row in self.rows)

    def _pending(self, envelope_id: int) -> Row | None:
        row = self.rows[envelope_id - 1]
        return row if row.pending else None


# --- transport ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Post:
    """One send a transport was asked for, and when."""

    at: datetime
    workspace: WorkspaceRef
    message: Message
    thread: Posted | None
    accepted: bool


@dataclass
class FakeTransport:
    """A platform that accepts every post, unless told otherwise.

    `outcomes` script the next sends in order (an exception is raised, None
    is accepted); once they run out, every send raises `failing` if it is
    set (an outage) and is accepted otherwise.
    """

    clock: Clock
    outcomes: list[Exception | None] = field(default_factory=list)
    failing: Exception | None = None
    posts: list[Post] = field(default_factory=list)

    async def send(
        self, workspace: WorkspaceRef, message: Message, *, thread: Posted | None
    ) -> Posted:
        error = self.outcomes.pop(0) if self.outcomes else self.failing
        self.posts.append(Post(self.clock.now(), workspace, message, thread, error is None))
        if error is not None:
            raise error
        channel = thread.channel if thread else message.channel or f"D-{message.to}"
        return Posted(channel=channel, message_id=f"ts-{len(self.posts)}")

    @property
    def delivered(self) -> list[Post]:
        return [post for post in self.posts if post.accepted]

    def tries_of(self, template: str) -> list[datetime]:
        return [post.at for post in self.posts if post.message.template == template]


def rate_limited(seconds: float) -> DeliveryError:
    return DeliveryError("ratelimited", retry_after=seconds)
