"""A short-lived memory of who is who, in front of the roster.

Every event needs its workspace and its actor, and every message its
reader's language and time zone: without a cache that is several database
round trips per event. Entries live `ttl` seconds, so a change made by
another process shows within that time; a change made through this cache
shows at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from bot.chat import Member, MemberRef, Platform, Roster, Workspace, WorkspaceRef

DEFAULT_TTL = 10.0


class CachedRoster:
    def __init__(
        self,
        roster: Roster,
        *,
        ttl: float = DEFAULT_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._roster = roster
        self._ttl = ttl
        self._clock = clock
        self._workspaces: dict[WorkspaceRef, tuple[float, Workspace | None]] = {}
        self._members: dict[MemberRef, tuple[float, Member | None]] = {}
        self._names: dict[tuple[WorkspaceRef, str], tuple[float, Member | None]] = {}

    def _fresh(self, stamp: float) -> bool:
        return self._clock() - stamp < self._ttl

    async def workspace(self, ref: WorkspaceRef) -> Workspace | None:
        cached = self._workspaces.get(ref)
        if cached is not None and self._fresh(cached[0]):
            return cached[1]
        found = await self._roster.workspace(ref)
        self._workspaces[ref] = (self._clock(), found)
        return found

    async def workspaces(self, platform: Platform | None = None) -> list[Workspace]:
        return await self._roster.workspaces(platform)

    async def member(self, ref: MemberRef) -> Member | None:
        cached = self._members.get(ref)
        if cached is not None and self._fresh(cached[0]):
            return cached[1]
        found = await self._roster.member(ref)
        self._members[ref] = (self._clock(), found)
        return found

    async def members(self, workspace: WorkspaceRef) -> list[Member]:
        return await self._roster.members(workspace)

    async def find_member(self, workspace: WorkspaceRef, name: str) -> Member | None:
        key = (workspace, name.casefold())
        cached = self._names.get(key)
        if cached is not None and self._fresh(cached[0]):
            return cached[1]
        found = await self._roster.find_member(workspace, name)
        self._names[key] = (self._clock(), found)
        return found

    def forget_all(self) -> None:
        """Drop every entry: a transaction that rolled back may have saved or
        read rows that no longer exist."""
        self._workspaces.clear()
        self._members.clear()
        self._names.clear()

    def _forget(self, workspace: WorkspaceRef, member: MemberRef | None = None) -> None:
        if member is None:
            self._workspaces.pop(workspace, None)
            return
        self._members.pop(member, None)
        for key in [k for k in self._names if k[0] == workspace]:
            del self._names[key]

    async def save_workspace(self, workspace: Workspace) -> None:
        self._forget(workspace.ref)
        await self._roster.save_workspace(workspace)
        self._forget(workspace.ref)

    async def save_member(self, member: Member) -> None:
        self._forget(member.ref.workspace, member.ref)
        await self._roster.save_member(member)
        self._forget(member.ref.workspace, member.ref)

    async def member_left(self, ref: MemberRef, at: datetime) -> None:
        self._forget(ref.workspace, ref)
        await self._roster.member_left(ref, at)
        self._forget(ref.workspace, ref)
