"""Recording a gift: the allowance re-checked, the rows, the counts, in one transaction.

On SQLite every writer begins IMMEDIATE, so writers are serial anyway; on
PostgreSQL a transaction-scoped advisory lock on the giver is taken before
counting, so two gifts from one giver queue while other givers do not wait.

Giving is the busiest write (every `/kudos`, message and reaction), so it
sends four statements built once and none through the ORM: the allowance
and replay check (one statement), the rows, then the totals and the daily
tallies (`storage.kudos_counts`). On SQLite they go straight to the sqlite3
connection (`storage.sqlite_driver.run`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import (
    Executable,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.chat import MemberRef
from bot.kudos.domain import Gift, Given
from storage.base import Prepared, upsert
from storage.kudos_counts import Share, move_counts
from storage.kudos_rows import KUDOS, join_values
from storage.sqlite_driver import run

#: The first key of the advisory locks this store takes on PostgreSQL, so
#: they cannot collide with another store's locks.
GIVER_LOCK_SPACE: Final = 0x4B55  # "KU"


@dataclass(frozen=True, slots=True)
class _Statements:
    check: Executable  # the giver's kudos since the period began, and the gift's recorded rows
    record: Executable  # the gift's rows, a replayed one skipped


def _build(dialect: str) -> _Statements:
    in_scope = (
        KUDOS.c.platform == bindparam("platform"),
        KUDOS.c.workspace_id == bindparam("workspace_id"),
    )
    used = select(cast(null(), String).label("receiver"), func.count().label("n")).where(
        *in_scope,
        KUDOS.c.giver == bindparam("giver"),
        KUDOS.c.given_at >= bindparam("since"),
        KUDOS.c.reversed_at.is_(None),
    )
    recorded = select(KUDOS.c.receiver, literal(0).label("n")).where(
        *in_scope, KUDOS.c.gift_id == bindparam("gift_id")
    )
    record = (
        upsert(dialect, KUDOS)
        .on_conflict_do_nothing(index_elements=["platform", "workspace_id", "gift_id", "receiver"])
        .returning(KUDOS.c.receiver)
    )
    return _Statements(check=union_all(used, recorded), record=record)


_STATEMENTS: Final = Prepared(_build)


async def record_gift(
    session: AsyncSession, gift: Gift, *, limit: int, period_start: datetime
) -> Given | None:
    """`KudosStore.give`, inside the caller's write transaction."""
    value_list = join_values(gift.values)
    receivers = tuple(dict.fromkeys(gift.receivers))
    workspace = gift.workspace
    scope = {"platform": workspace.platform.value, "workspace_id": workspace.workspace_id}
    connection = await session.connection()
    statements = _STATEMENTS.on(connection)
    await _serialise_giver(session, workspace.member(gift.giver))
    used = 0
    recorded: set[str] = set()
    checked = await run(
        connection,
        statements.check,
        {**scope, "giver": gift.giver, "since": period_start, "gift_id": gift.id},
    )
    for receiver, count in checked:
        if receiver is None:
            used = count
        else:
            recorded.add(receiver)
    new = [receiver for receiver in receivers if receiver not in recorded]
    if not new:
        return Given(used=used, stored=0, totals={})  # a replay: already recorded
    if used + len(new) > limit:
        return None
    common = {
        **scope,
        "gift_id": gift.id,
        "giver": gift.giver,
        "reason": gift.reason,
        "value_list": value_list,
        "badge": gift.badge,
        "channel": gift.channel,
        "source": gift.source.value,
        "source_ref": gift.source_ref,
        "private": gift.private,
        "given_at": gift.given_at,
    }
    rows = [{**common, "receiver": receiver} for receiver in new]
    stored = [receiver for (receiver,) in await run(connection, statements.record, rows)]
    shares = [Share(gift.giver, receiver, gift.given_at) for receiver in stored]
    totals = await move_counts(connection, workspace, shares, sign=1)
    return Given(used=used + len(stored), stored=len(stored), totals=totals)


async def _serialise_giver(session: AsyncSession, giver: MemberRef) -> None:
    """Make a second gift from the same giver wait until this transaction ends.

    SQLite needs nothing: its writers begin IMMEDIATE and so run one at a time.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    name = f"{giver.workspace.platform.value}:{giver.workspace.workspace_id}:{giver.user_id}"
    # A stable 32-bit key: Python's hash() differs between processes.
    digest = hashlib.blake2b(name.encode(), digest_size=4).digest()
    key = int.from_bytes(digest, "big", signed=True)
    await session.execute(select(func.pg_advisory_xact_lock(GIVER_LOCK_SPACE, key)))
