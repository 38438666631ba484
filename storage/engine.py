"""One async engine per database URL, tuned for the two databases Hearth runs on.

The URL is the only switch between SQLite and PostgreSQL, so the tuning
each needs lives here and nowhere else.

SQLite: WAL lets readers run beside the one writer; `synchronous=NORMAL` is
durable across application crashes in WAL mode (a power cut may lose the
last commits, not corrupt the file); `busy_timeout` makes a second process
wait for the write lock instead of failing at once; `foreign_keys` is off by
default in SQLite and must be switched on per connection.

The sqlite3 driver's own transaction handling skips BEGIN before SELECTs
and so breaks repeatable reads and SAVEPOINTs; it is switched off
(`isolation_level=None`) and a `begin` listener emits BEGIN instead. Stores
mostly read and then write in one transaction (claim a delivery, lease
outbox rows, upsert a member), and a DEFERRED transaction that upgrades
from a read lock to the write lock fails with SQLITE_BUSY without waiting
when another connection wrote in between. So transactions begin IMMEDIATE:
they take the write lock up front, queue on `busy_timeout`, and never fail
half-way. That also makes SQLite's writers strictly serial, which is what
the outbox lease relies on there. Transactions that only read opt out with
the `READ_ONLY` execution option and begin DEFERRED, so a read never waits
for a writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.dialects import registry
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

#: Execution options for a transaction that never writes.
READ_ONLY: Final[Mapping[str, Any]] = {"hearth_read_only": True}

SQLITE_BUSY_TIMEOUT_MS: Final = 10_000
SQLITE_PRAGMAS: Final = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys=ON",
    # Erased content (an inbox payload once processed) is zeroed on the pages
    # SQLite writes anyway, instead of lingering in free space.
    "PRAGMA secure_delete=FAST",
)

_ASYNC_DRIVERS: Final = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}


def async_url(url: str | URL) -> URL:
    """`sqlite:///x.db` and `postgresql://...` name their async driver."""
    parsed = make_url(url)
    driver = _ASYNC_DRIVERS.get(parsed.drivername)
    return parsed.set(drivername=driver) if driver else parsed


def create_engine(url: str | URL) -> AsyncEngine:
    parsed = async_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    return create_async_engine(
        parsed,
        pool_size=5,
        max_overflow=10,
        pool_pre_ping=True,  # a restarted server or a proxy may drop idle connections
        pool_recycle=1800,
    )


def _sqlite_engine(url: URL) -> AsyncEngine:
    database = url.database or ""
    in_memory = database in ("", ":memory:") or url.query.get("mode") == "memory"
    if not in_memory and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # aiosqlite, with one worker-thread round trip per statement (storage.sqlite_driver).
    registry.register("sqlite.hearth_aiosqlite", "storage.sqlite_driver", "OneHopSQLiteDialect")
    engine = create_async_engine(
        url.set(drivername="sqlite+hearth_aiosqlite"),
        # Write transactions run their statements on the loop's thread (storage.sqlite_driver).
        connect_args={"isolation_level": None, "check_same_thread": False},
    )

    @event.listens_for(engine.sync_engine, "connect")
    def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            for pragma in SQLITE_PRAGMAS:
                cursor.execute(pragma)
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get("hearth_read_only", False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")

    return engine
