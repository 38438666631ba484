"""`SqlRitualStore`: rituals, spotlight turns, answers, shared dates and question banks.

Every query names its workspace or a ritual id that belongs to one. The
scheduler's job source (`active`) reads every active ritual of every
workspace at once: one indexed-by-nothing scan of a small table (10,000
rituals read in tens of milliseconds) every reconcile, instead of a query
per workspace.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.chat import MemberRef, WorkspaceRef
from bot.rituals.banks import custom_key
from bot.rituals.domain import Draft, Ritual, State
from bot.rituals.records import Entry, EntryKind, Person, Question, Turn
from storage.base import dialect_insert, reading, writing
from storage.rituals_rows import (
    RitualAskedRow,
    RitualEntryRow,
    RitualPersonRow,
    RitualQuestionRow,
    RitualRow,
    RitualTurnRow,
    entry_of,
    person_of,
    ritual_of,
    turn_of,
)
from storage.scoping import scoped

__all__ = ["SqlRitualStore"]


def _options(options: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(options.items())))


class SqlRitualStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    # --- rituals ----------------------------------------------------------------------

    async def add(self, draft: Draft) -> Ritual:
        row = RitualRow(
            platform=draft.workspace.platform.value,
            workspace_id=draft.workspace.workspace_id,
            kind=draft.kind.value,
            schedule=draft.schedule,
            timezone=draft.timezone,
            channel=draft.channel,
            state=State.ACTIVE.value,
            options=_options(draft.options),
            created_by=draft.created_by,
            created_at=draft.created_at,
            active_since=draft.created_at,
            updated_at=draft.created_at,
        )
        async with writing(self._sessions) as session:
            session.add(row)
            await session.flush()
            return ritual_of(row)

    async def get(self, workspace: WorkspaceRef, ritual_id: int) -> Ritual | None:
        query = select(RitualRow).where(*scoped(RitualRow, workspace), RitualRow.id == ritual_id)
        async with reading(self._sessions) as session:
            row = await session.scalar(query)
            return None if row is None else ritual_of(row)

    async def of_workspace(self, workspace: WorkspaceRef) -> list[Ritual]:
        query = select(RitualRow).where(*scoped(RitualRow, workspace)).order_by(RitualRow.id)
        async with reading(self._sessions) as session:
            return [ritual_of(row) for row in await session.scalars(query)]

    async def active(self) -> list[Ritual]:
        query = (
            select(RitualRow).where(RitualRow.state == State.ACTIVE.value).order_by(RitualRow.id)
        )
        async with reading(self._sessions) as session:
            return [ritual_of(row) for row in await session.scalars(query)]

    async def save(self, ritual: Ritual) -> None:
        async with writing(self._sessions) as session:
            await session.execute(
                update(RitualRow)
                .where(*scoped(RitualRow, ritual.workspace), RitualRow.id == ritual.id)
                .values(
                    schedule=ritual.schedule,
                    timezone=ritual.timezone,
                    channel=ritual.channel,
                    state=ritual.state.value,
                    options=_options(ritual.options),
                    active_since=ritual.active_since,
                    updated_at=ritual.active_since,
                )
            )

    async def remove(self, workspace: WorkspaceRef, ritual_id: int) -> bool:
        async with writing(self._sessions) as session:
            removed = await session.execute(
                delete(RitualRow)
                .where(*scoped(RitualRow, workspace), RitualRow.id == ritual_id)
                .returning(RitualRow.id)
            )
            return removed.first() is not None

    # --- spotlight turns ---------------------------------------------------------------

    async def turns(self, ritual_id: int) -> list[Turn]:
        query = (
            select(RitualTurnRow)
            .where(RitualTurnRow.ritual_id == ritual_id)
            .order_by(RitualTurnRow.slot, RitualTurnRow.user_id)
        )
        async with reading(self._sessions) as session:
            return [turn_of(row) for row in await session.scalars(query)]

    async def record_turn(self, ritual_id: int, turn: Turn) -> None:
        async with writing(self._sessions) as session:
            statement = dialect_insert(session, RitualTurnRow).values(
                ritual_id=ritual_id, slot=turn.slot, user_id=turn.user_id, status=turn.status.value
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[
                        RitualTurnRow.ritual_id,
                        RitualTurnRow.slot,
                        RitualTurnRow.user_id,
                    ],
                    set_={"status": turn.status.value},
                )
            )

    # --- question banks --------------------------------------------------------------

    async def questions(self, workspace: WorkspaceRef, bank: str) -> list[Question]:
        query = (
            select(RitualQuestionRow)
            .where(*scoped(RitualQuestionRow, workspace), RitualQuestionRow.bank == bank)
            .order_by(RitualQuestionRow.id)
        )
        async with reading(self._sessions) as session:
            return [
                Question(custom_key(row.id), {"": row.text}) for row in await session.scalars(query)
            ]

    async def add_question(
        self, workspace: WorkspaceRef, bank: str, text: str, *, by: str, at: datetime
    ) -> Question:
        row = RitualQuestionRow(
            platform=workspace.platform.value,
            workspace_id=workspace.workspace_id,
            bank=bank,
            text=text,
            added_by=by,
            added_at=at,
        )
        async with writing(self._sessions) as session:
            session.add(row)
            await session.flush()
            return Question(custom_key(row.id), {"": row.text})

    async def asked(self, workspace: WorkspaceRef, bank: str) -> set[str]:
        query = select(RitualAskedRow.question_key).where(
            *scoped(RitualAskedRow, workspace), RitualAskedRow.bank == bank
        )
        async with reading(self._sessions) as session:
            return set(await session.scalars(query))

    async def mark_asked(
        self,
        workspace: WorkspaceRef,
        bank: str,
        keys: Sequence[str],
        *,
        at: datetime,
        fresh_cycle: bool,
    ) -> None:
        scope = {"platform": workspace.platform.value, "workspace_id": workspace.workspace_id}
        async with writing(self._sessions) as session:
            if fresh_cycle:
                await session.execute(
                    delete(RitualAskedRow).where(
                        *scoped(RitualAskedRow, workspace), RitualAskedRow.bank == bank
                    )
                )
            if keys:
                statement = dialect_insert(session, RitualAskedRow).on_conflict_do_nothing()
                rows = [{**scope, "bank": bank, "question_key": k, "asked_at": at} for k in keys]
                await session.execute(statement, rows)

    # --- entries --------------------------------------------------------------------

    async def put_entry(self, workspace: WorkspaceRef, entry: Entry) -> None:
        values = {
            "platform": workspace.platform.value,
            "workspace_id": workspace.workspace_id,
            "ritual_id": entry.ritual_id,
            "occasion": entry.occasion,
            "kind": entry.kind.value,
            "user_id": entry.user_id,
            "value": entry.value,
            "at": entry.at,
        }
        async with writing(self._sessions) as session:
            if entry.ritual_id is None or entry.occasion is None:
                await session.execute(insert(RitualEntryRow).values(**values))
                return
            statement = dialect_insert(session, RitualEntryRow).values(**values)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[
                        RitualEntryRow.ritual_id,
                        RitualEntryRow.occasion,
                        RitualEntryRow.kind,
                        RitualEntryRow.user_id,
                    ],
                    set_={"value": entry.value, "at": entry.at},
                )
            )

    async def entries(
        self,
        workspace: WorkspaceRef,
        kind: EntryKind,
        *,
        ritual_id: int | None = None,
        occasion: datetime | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[Entry]:
        query = select(RitualEntryRow).where(
            *scoped(RitualEntryRow, workspace), RitualEntryRow.kind == kind.value
        )
        if ritual_id is None:
            query = query.where(RitualEntryRow.ritual_id.is_(None))
        else:
            query = query.where(RitualEntryRow.ritual_id == ritual_id)
        if occasion is not None:
            query = query.where(RitualEntryRow.occasion == occasion)
        if since is not None:
            query = query.where(RitualEntryRow.at >= since)
        if until is not None:
            query = query.where(RitualEntryRow.at < until)
        query = query.order_by(RitualEntryRow.at, RitualEntryRow.id)
        async with reading(self._sessions) as session:
            return [entry_of(row) for row in await session.scalars(query)]

    # --- what people shared ----------------------------------------------------------

    async def person(self, member: MemberRef) -> Person:
        key = (member.workspace.platform.value, member.workspace.workspace_id, member.user_id)
        async with reading(self._sessions) as session:
            row = await session.get(RitualPersonRow, key)
            return Person(member.user_id) if row is None else person_of(row)

    async def people(self, workspace: WorkspaceRef) -> list[Person]:
        query = (
            select(RitualPersonRow)
            .where(*scoped(RitualPersonRow, workspace))
            .order_by(RitualPersonRow.user_id)
        )
        async with reading(self._sessions) as session:
            return [person_of(row) for row in await session.scalars(query)]

    async def save_person(self, workspace: WorkspaceRef, person: Person) -> None:
        values = {
            "birthday": person.birthday,
            "started_on": person.started_on,
            "away_until": person.away_until,
        }
        async with writing(self._sessions) as session:
            statement = dialect_insert(session, RitualPersonRow).values(
                platform=workspace.platform.value,
                workspace_id=workspace.workspace_id,
                user_id=person.user_id,
                **values,
            )
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=[
                        RitualPersonRow.platform,
                        RitualPersonRow.workspace_id,
                        RitualPersonRow.user_id,
                    ],
                    set_=values,
                )
            )
