"""Hearth's storage: SQLAlchemy implementations of the store ports.

`open_storage(url)` is the one entry point: it builds the engine for the URL
(SQLite or PostgreSQL), a session factory, and a store per port. Feature
stores added later take the same `session_factory`. The schema belongs to
the migrations: call `upgrade(url)` before opening a database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.base import unit_of_work
from storage.community import SqlCommunityStore
from storage.engine import create_engine
from storage.inbox import SqlInbox
from storage.kudos import SqlKudosStore
from storage.learning import SqlLearningStore
from storage.mentorship import SqlMentorStore
from storage.migrations import downgrade, upgrade
from storage.offboarding import SqlDepartureStore
from storage.onboarding import SqlOnboardingStore
from storage.outbox import SqlOutbox
from storage.pairing import SqlPairingStore
from storage.rituals import SqlRitualStore
from storage.roster import SqlRoster, utc_now
from storage.runs import SqlRunStore
from storage.slack import installation_store, state_store

log = logging.getLogger(__name__)

__all__ = [
    "SqlCommunityStore",
    "SqlDepartureStore",
    "SqlInbox",
    "SqlKudosStore",
    "SqlLearningStore",
    "SqlMentorStore",
    "SqlOnboardingStore",
    "SqlOutbox",
    "SqlPairingStore",
    "SqlRitualStore",
    "SqlRoster",
    "SqlRunStore",
    "Storage",
    "create_engine",
    "downgrade",
    "installation_store",
    "open_storage",
    "state_store",
    "upgrade",
]


@dataclass(frozen=True, slots=True)
class Storage:
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    roster: SqlRoster
    inbox: SqlInbox
    outbox: SqlOutbox
    runs: SqlRunStore
    kudos: SqlKudosStore
    rituals: SqlRitualStore
    onboarding: SqlOnboardingStore
    mentorship: SqlMentorStore
    pairing: SqlPairingStore
    learning: SqlLearningStore
    offboarding: SqlDepartureStore
    community: SqlCommunityStore

    def unit_of_work(self) -> AbstractAsyncContextManager[None]:
        """Every store call inside shares one transaction (see `storage.base`)."""
        return unit_of_work(self.session_factory)

    async def healthy(self) -> bool:
        """Whether the database answers a trivial query."""
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:
            log.warning("the database does not answer: %s", error)
            return False
        return True

    async def close(self) -> None:
        await self.engine.dispose()

    async def __aenter__(self) -> Storage:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()


async def open_storage(url: str | URL, *, clock: Callable[[], datetime] = utc_now) -> Storage:
    """Open the stores on `url`; `clock` stamps the rows whose callers pass no time."""
    engine = create_engine(url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return Storage(
        engine=engine,
        session_factory=sessions,
        roster=SqlRoster(sessions, clock=clock),
        inbox=SqlInbox(sessions),
        outbox=SqlOutbox(sessions),
        runs=SqlRunStore(sessions),
        kudos=SqlKudosStore(sessions),
        rituals=SqlRitualStore(sessions),
        onboarding=SqlOnboardingStore(sessions),
        mentorship=SqlMentorStore(sessions),
        pairing=SqlPairingStore(sessions),
        learning=SqlLearningStore(sessions),
        offboarding=SqlDepartureStore(sessions),
        community=SqlCommunityStore(sessions),
    )
