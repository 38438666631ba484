"""`SqlRoster`: the workspaces and members Hearth knows, in SQL.

Adapters declare workspaces and members as they see them, often more than
once, so both saves are upserts. A member's workspace must be saved first
(the foreign key refuses an orphan member).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, case, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.chat import Member, MemberRef, Platform, Role, Workspace, WorkspaceRef
from storage.base import dialect_insert, reading, writing
from storage.core import MemberRow, WorkspaceRow


def utc_now() -> datetime:
    return datetime.now(UTC)


class SqlRoster:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._sessions = sessions
        self._clock = clock  # stamps created_at / updated_at, which callers do not pass

    async def workspace(self, ref: WorkspaceRef) -> Workspace | None:
        async with reading(self._sessions) as session:
            row = await session.get(WorkspaceRow, (ref.platform.value, ref.workspace_id))
            return None if row is None else _workspace(row)

    async def workspaces(self, platform: Platform | None = None) -> list[Workspace]:
        query = select(WorkspaceRow).order_by(WorkspaceRow.platform, WorkspaceRow.workspace_id)
        if platform is not None:
            query = query.where(WorkspaceRow.platform == platform.value)
        async with reading(self._sessions) as session:
            return [_workspace(row) for row in await session.scalars(query)]

    async def member(self, ref: MemberRef) -> Member | None:
        key = (ref.workspace.platform.value, ref.workspace.workspace_id, ref.user_id)
        async with reading(self._sessions) as session:
            row = await session.get(MemberRow, key)
            return None if row is None else _member(row)

    async def members(self, workspace: WorkspaceRef) -> list[Member]:
        async with reading(self._sessions) as session:
            rows = await session.scalars(select(MemberRow).where(*_in(workspace)))
            # Sorted here, not in SQL: collations differ between SQLite and PostgreSQL.
            ordered = sorted(rows, key=lambda row: (row.name_key, row.name, row.user_id))
            return [_member(row) for row in ordered]

    async def find_member(self, workspace: WorkspaceRef, name: str) -> Member | None:
        # A user id beats a name; among namesakes an active member beats one who left.
        by_id = MemberRow.user_id == name
        query = (
            select(MemberRow)
            .where(*_in(workspace), by_id | (MemberRow.name_key == _name_key(name)))
            .order_by(
                case((by_id, 0), else_=1),
                case((MemberRow.left_at.is_(None), 0), else_=1),
                MemberRow.user_id,
            )
            .limit(1)
        )
        async with reading(self._sessions) as session:
            row = await session.scalar(query)
            return None if row is None else _member(row)

    async def save_workspace(self, workspace: Workspace) -> None:
        now = self._clock()
        values = {
            "name": workspace.name,
            "locale": workspace.locale,
            "timezone": workspace.timezone,
            "settings": json.dumps(dict(sorted(workspace.settings.items()))),
            "updated_at": now,
        }
        async with writing(self._sessions) as session:
            insert = dialect_insert(session, WorkspaceRow).values(
                platform=workspace.ref.platform.value,
                workspace_id=workspace.ref.workspace_id,
                created_at=now,
                **values,
            )
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=[WorkspaceRow.platform, WorkspaceRow.workspace_id],
                    set_=values,
                )
            )

    async def save_member(self, member: Member) -> None:
        values = {
            "name": member.name,
            "name_key": _name_key(member.name),
            "timezone": member.timezone,
            "locale": member.locale,
            "role": member.role.value,
            "is_bot": member.is_bot,
            "joined_at": member.joined_at,
            "left_at": member.left_at,
            "opt_outs": json.dumps(sorted(member.opt_outs)),
        }
        workspace = member.ref.workspace
        async with writing(self._sessions) as session:
            insert = dialect_insert(session, MemberRow).values(
                platform=workspace.platform.value,
                workspace_id=workspace.workspace_id,
                user_id=member.ref.user_id,
                **values,
            )
            await session.execute(
                insert.on_conflict_do_update(
                    index_elements=[MemberRow.platform, MemberRow.workspace_id, MemberRow.user_id],
                    set_=values,
                )
            )

    async def member_left(self, ref: MemberRef, at: datetime) -> None:
        async with writing(self._sessions) as session:
            await session.execute(
                update(MemberRow)
                .where(*_in(ref.workspace), MemberRow.user_id == ref.user_id)
                .values(left_at=at)
            )


def _in(workspace: WorkspaceRef) -> tuple[ColumnElement[bool], ...]:
    return (
        MemberRow.platform == workspace.platform.value,
        MemberRow.workspace_id == workspace.workspace_id,
    )


def _name_key(name: str) -> str:
    return name.casefold()


def _workspace(row: WorkspaceRow) -> Workspace:
    return Workspace(
        ref=WorkspaceRef(Platform(row.platform), row.workspace_id),
        name=row.name,
        locale=row.locale,
        timezone=row.timezone,
        settings=json.loads(row.settings),
    )


def _member(row: MemberRow) -> Member:
    return Member(
        ref=WorkspaceRef(Platform(row.platform), row.workspace_id).member(row.user_id),
        name=row.name,
        timezone=row.timezone,
        locale=row.locale,
        role=Role(row.role),
        is_bot=row.is_bot,
        joined_at=row.joined_at,
        left_at=row.left_at,
        opt_outs=frozenset(json.loads(row.opt_outs)),
    )
