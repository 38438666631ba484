"""The rows behind `SqlRitualStore`; migration 0004 creates exactly these.

A ritual's options are one JSON object: a handful of short strings that
are always read and written with the ritual, and grow with the slice. The
kind is not CHECK-constrained for the same reason (reading parses it).
Turns and entries belong to a ritual and go with it (ON DELETE CASCADE);
ritual ids are never reused (AUTOINCREMENT on SQLite, a sequence on
PostgreSQL), so a new ritual can never inherit an old one's run history or
outbox keys.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.chat import Platform, WorkspaceRef
from bot.rituals.domain import Kind, Ritual, State
from bot.rituals.records import Entry, EntryKind, Person, Turn, TurnStatus
from storage.base import Base, UtcDateTime
from storage.scoping import in_workspace


def _of_ritual() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["ritual_id"], ["rituals.id"], ondelete="CASCADE")


class RitualRow(Base):
    __tablename__ = "rituals"
    __table_args__ = (
        in_workspace(),
        CheckConstraint("state IN ('active', 'paused')", name="state"),
        # `/ritual list` and every lookup by id go through the workspace.
        Index("ix_rituals_workspace", "platform", "workspace_id", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String(16))
    schedule: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String)
    channel: Mapped[str] = mapped_column(String)
    state: Mapped[str] = mapped_column(String(16))
    options: Mapped[str] = mapped_column(Text)  # JSON object of strings
    created_by: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    active_since: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RitualTurnRow(Base):
    __tablename__ = "ritual_turns"
    __table_args__ = (
        _of_ritual(),
        CheckConstraint("status IN ('picked', 'spoke', 'swapped')", name="status"),
    )

    # The key serves `turns(ritual)`, read whole and in slot order.
    ritual_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))


class RitualEntryRow(Base):
    __tablename__ = "ritual_entries"
    __table_args__ = (
        in_workspace(),
        _of_ritual(),
        # One answer per member, kind and occasion (NULLs never collide: wins pile up).
        # The same index reads one occasion's answers.
        UniqueConstraint("ritual_id", "occasion", "kind", "user_id"),
        # The celebration digest reads the workspace's wins of a week.
        Index("ix_ritual_entries_workspace_kind_at", "platform", "workspace_id", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    ritual_id: Mapped[int | None] = mapped_column(Integer)
    occasion: Mapped[datetime | None] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String)
    value: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class RitualPersonRow(Base):
    __tablename__ = "ritual_people"
    __table_args__ = (in_workspace(),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    birthday: Mapped[str | None] = mapped_column(String(5))  # MM-DD
    started_on: Mapped[date | None] = mapped_column(Date)
    away_until: Mapped[date | None] = mapped_column(Date)


class RitualQuestionRow(Base):
    __tablename__ = "ritual_questions"
    __table_args__ = (
        in_workspace(),
        Index("ix_ritual_questions_bank", "platform", "workspace_id", "bank"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    bank: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RitualAskedRow(Base):
    __tablename__ = "ritual_asked"
    __table_args__ = (in_workspace(),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    bank: Mapped[str] = mapped_column(String(32), primary_key=True)
    question_key: Mapped[str] = mapped_column(String, primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)


def ritual_of(row: RitualRow) -> Ritual:
    return Ritual(
        id=row.id,
        workspace=WorkspaceRef(Platform(row.platform), row.workspace_id),
        kind=Kind(row.kind),
        schedule=row.schedule,
        timezone=row.timezone,
        channel=row.channel,
        state=State(row.state),
        created_by=row.created_by,
        created_at=row.created_at,
        active_since=row.active_since,
        options=json.loads(row.options),
    )


def turn_of(row: RitualTurnRow) -> Turn:
    return Turn(row.slot, row.user_id, TurnStatus(row.status))


def entry_of(row: RitualEntryRow) -> Entry:
    return Entry(
        kind=EntryKind(row.kind),
        user_id=row.user_id,
        value=row.value,
        at=row.at,
        ritual_id=row.ritual_id,
        occasion=row.occasion,
    )


def person_of(row: RitualPersonRow) -> Person:
    return Person(row.user_id, row.birthday, row.started_on, row.away_until)
