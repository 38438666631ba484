"""The rows behind `SqlKudosStore`; migrations 0002 and 0003 create exactly these.

One row per recipient of a gift, so boards, stats and exports count rows.
A gift's values stay a comma-joined text column rather than a table of
their own: they are a short ordered tuple always read whole with their
kudos (exports, the digest, what last_gift and a reversal hand back), no
value can hold a comma (`Policy` splits the setting on commas), and the
only per-value questions, a member's values breakdown and top value, read
just that member's received rows and count them in Python. A table would
add a join to every read and a second insert to every gift for no query
that needs it.

`source` and `milestone` are not CHECK-constrained: both enums belong to the
kudos slice and grow with it, and on SQLite changing a check means copying
the whole table. Reading a row parses them, so junk cannot pass unnoticed.

Migration 0002 says why each index exists; migration 0003 why windowed
boards read daily tallies, and what that was measured to save.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Final

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
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
from bot.kudos.domain import Award, Kudos, Milestone, Source
from storage.base import Base, UtcDateTime

_VALUE_SEPARATOR: Final = ","

_NOT_REVERSED = "reversed_at IS NULL"


def _in_workspace() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["platform", "workspace_id"],
        ["workspaces.platform", "workspaces.workspace_id"],
        ondelete="CASCADE",
    )


class KudosRow(Base):
    __tablename__ = "kudos"
    __table_args__ = (
        _in_workspace(),
        # A replayed gift (the same event delivered twice) is stored once;
        # the same index finds a gift's rows for reverse_gift.
        UniqueConstraint("platform", "workspace_id", "gift_id", "receiver"),
        # Windowed boards, recent counts, between() and first-time receivers
        # scan a range of given_at; receiver and giver make the scan covering.
        Index(
            "ix_kudos_window",
            "platform",
            "workspace_id",
            "given_at",
            "receiver",
            "giver",
            sqlite_where=_NOT_REVERSED,
            postgresql_where=_NOT_REVERSED,
        ),
        # One member's received kudos: stats, facts, rank in a window.
        Index(
            "ix_kudos_receiver",
            "platform",
            "workspace_id",
            "receiver",
            "given_at",
            sqlite_where=_NOT_REVERSED,
            postgresql_where=_NOT_REVERSED,
        ),
        # One member's given kudos: the allowance check on every gift, last_gift, facts.
        Index(
            "ix_kudos_giver",
            "platform",
            "workspace_id",
            "giver",
            "given_at",
            sqlite_where=_NOT_REVERSED,
            postgresql_where=_NOT_REVERSED,
        ),
        # A deleted message or removed reaction finds the kudos it gave.
        Index("ix_kudos_source_ref", "platform", "workspace_id", "source_ref"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    gift_id: Mapped[str] = mapped_column(String)
    giver: Mapped[str] = mapped_column(String)
    receiver: Mapped[str] = mapped_column(String)
    reason: Mapped[str] = mapped_column(Text)
    value_list: Mapped[str] = mapped_column(Text)  # the gift's values joined by ","; "" for none
    badge: Mapped[str | None] = mapped_column(String)
    channel: Mapped[str | None] = mapped_column(String)
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String)
    private: Mapped[bool]
    given_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reversed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class KudosTotalRow(Base):
    """Running counts of non-reversed kudos, kept in step by give and reverse.

    The all-time board reads the top of an index here instead of counting
    every row a workspace ever gave.
    """

    __tablename__ = "kudos_totals"
    __table_args__ = (
        _in_workspace(),
        Index("ix_kudos_totals_received", "platform", "workspace_id", "received"),
        Index("ix_kudos_totals_given", "platform", "workspace_id", "given"),
    )

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    received: Mapped[int] = mapped_column(Integer)
    given: Mapped[int] = mapped_column(Integer)


class KudosTallyRow(Base):
    """Kudos not reversed per member and side, by UTC day and by week, kept in
    step by give and reverse.

    A windowed board adds up the member's whole weeks (`span` 7, from a
    Monday) after the window's first day, the days (`span` 1) between that
    day and the first whole week, and counts raw rows only for what is left
    of the first day; it reads at most a row per member and bucket instead
    of one per kudos. One row per side (`received`, `given`) keeps each
    board's scan to its own rows. A reversal leaves a zero behind rather
    than deleting: readers skip members whose sum is zero.
    """

    __tablename__ = "kudos_tallies"
    __table_args__ = (
        _in_workspace(),
        CheckConstraint("side IN ('received', 'given')", name="side"),
        CheckConstraint("span IN (1, 7)", name="span"),
        # The key is the table on SQLite: a window is a few ranges of it, read in order.
        {"sqlite_with_rowid": False},
    )

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    side: Mapped[str] = mapped_column(String(8), primary_key=True)
    span: Mapped[int] = mapped_column(Integer, primary_key=True)  # days: 1, or 7 from a Monday
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # the first UTC day counted
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class KudosAwardRow(Base):
    __tablename__ = "kudos_awards"
    __table_args__ = (
        _in_workspace(),
        # The weekly digest lists a workspace's awards of the week.
        Index("ix_kudos_awards_awarded_at", "platform", "workspace_id", "awarded_at"),
    )

    # The key makes an award once-only: the second insert does nothing.
    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    milestone: Mapped[str] = mapped_column(String(32), primary_key=True)
    detail: Mapped[str] = mapped_column(Text)
    awarded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class KudosBadgeRow(Base):
    """A workspace's badge catalogue, once an admin has changed it.

    A workspace without rows uses the default catalogue. Removing a badge
    marks it removed instead of deleting it, so that a workspace that removed
    every badge keeps an empty catalogue instead of getting the defaults back.
    `position` keeps the order badges were added in.
    """

    __tablename__ = "kudos_badges"
    __table_args__ = (_in_workspace(),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String, primary_key=True)
    emoji: Mapped[str] = mapped_column(String)
    description: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer)
    removed: Mapped[bool]


NOT_REVERSED = KudosRow.reversed_at.is_(None)

# The Core tables, for statements built once on the hot paths.
KUDOS: Final = Base.metadata.tables[KudosRow.__tablename__]
KUDOS_TOTALS: Final = Base.metadata.tables[KudosTotalRow.__tablename__]
KUDOS_TALLIES: Final = Base.metadata.tables[KudosTallyRow.__tablename__]


def in_workspace(
    table: type[KudosRow | KudosTotalRow | KudosTallyRow | KudosAwardRow | KudosBadgeRow],
    workspace: WorkspaceRef,
) -> tuple[ColumnElement[bool], ...]:
    return (
        table.platform == workspace.platform.value,
        table.workspace_id == workspace.workspace_id,
    )


def join_values(values: Iterable[str]) -> str:
    values = tuple(values)
    if any(not value or _VALUE_SEPARATOR in value for value in values):
        raise ValueError(f"kudos values must be non-empty and free of commas: {values!r}")
    return _VALUE_SEPARATOR.join(values)


def split_values(value_list: str) -> tuple[str, ...]:
    return tuple(value_list.split(_VALUE_SEPARATOR)) if value_list else ()


def kudos_of(row: KudosRow) -> Kudos:
    return Kudos(
        id=row.id,
        gift_id=row.gift_id,
        workspace=WorkspaceRef(Platform(row.platform), row.workspace_id),
        giver=row.giver,
        receiver=row.receiver,
        reason=row.reason,
        values=split_values(row.value_list),
        badge=row.badge,
        channel=row.channel,
        source=Source(row.source),
        private=row.private,
        given_at=row.given_at,
        reversed_at=row.reversed_at,
    )


def award_of(row: KudosAwardRow) -> Award:
    return Award(
        member=row.user_id,
        milestone=Milestone(row.milestone),
        awarded_at=row.awarded_at,
        detail=row.detail,
    )
