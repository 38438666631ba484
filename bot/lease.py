"""A lease: which one of several processes holds a resource nobody may share.

Discord allows one gateway session per shard: with several Hearth
processes on one database, exactly one of them may connect. The database
decides, through the run table every process already shares: time is cut
into terms, and whoever claims the run `(lease key, term start)` holds the
lease for that term. The holder claims the next term halfway through the
current one, so it keeps the lease while it lives; when it dies, the next
term is left unclaimed and a standby takes it at the boundary. A takeover
therefore comes within one term and one check (about a minute by default).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.runs import RunStore
from bot.schedule import Clock

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
KEEP_TERMS = 10  # past terms kept, for whoever looks into who held the lease lately


class Lease:
    def __init__(
        self,
        runs: RunStore,
        *,
        key: str,
        owner: str,
        clock: Clock,
        term: timedelta = timedelta(seconds=40),
    ) -> None:
        self._runs = runs
        self._key = f"lease:{key}"
        self._owner = owner
        self._clock = clock
        self._term = term
        self._held: set[datetime] = set()

    @property
    def check_every(self) -> timedelta:
        """How often `renew` should run so the holder never misses its turn."""
        return self._term / 4

    def _start_of(self, moment: datetime) -> datetime:
        terms = (moment - EPOCH) // self._term
        return EPOCH + terms * self._term

    async def renew(self) -> bool:
        """Claim the current term (or, halfway through a held one, the next);
        True while this process holds the lease."""
        now = self._clock.now()
        current = self._start_of(now)
        self._held = {start for start in self._held if start >= current}
        if current not in self._held and await self._claim(current, now):
            self._held.add(current)
        if current in self._held and now - current >= self._term / 2:
            following = current + self._term
            if following not in self._held and await self._claim(following, now):
                self._held.add(following)
                # Terms long past say nothing: keep the run table from growing by them.
                await self._runs.forget(self._key, before=current - KEEP_TERMS * self._term)
        return current in self._held

    @property
    def held(self) -> bool:
        return self._start_of(self._clock.now()) in self._held

    async def _claim(self, start: datetime, now: datetime) -> bool:
        return await self._runs.claim(self._key, start, owner=self._owner, now=now)
