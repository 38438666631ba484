"""The rows behind the core ports: roster, inbox, outbox and run claims.

Every row but a run carries `(platform, workspace_id)` in its key, so a
query that forgets the workspace cannot find anything to return. Runs are
keyed by job key, which already names whatever the job belongs to.
Migration 0001 creates exactly these tables; the migration test checks that
the two never drift apart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base, UtcDateTime


class WorkspaceRow(Base):
    __tablename__ = "workspaces"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    locale: Mapped[str] = mapped_column(String)
    timezone: Mapped[str] = mapped_column(String)
    settings: Mapped[str] = mapped_column(Text)  # JSON object of strings
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (
        ForeignKeyConstraint(
            ["platform", "workspace_id"],
            ["workspaces.platform", "workspaces.workspace_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("role IN ('admin', 'manager', 'member')", name="role"),
        # find_member looks a name up within one workspace.
        Index("ix_members_name_key", "platform", "workspace_id", "name_key"),
    )

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    user_id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(Text)  # casefolded name
    timezone: Mapped[str | None] = mapped_column(String)
    locale: Mapped[str | None] = mapped_column(String)
    role: Mapped[str] = mapped_column(String(16))
    is_bot: Mapped[bool]
    joined_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    left_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    opt_outs: Mapped[str] = mapped_column(Text)  # JSON sorted list of strings


class InboxRow(Base):
    __tablename__ = "inbox"
    __table_args__ = (
        # Recovery after a crash scans only the rows never marked done; the
        # partial index stays as small as the backlog, however long the history.
        Index(
            "ix_inbox_unfinished",
            "claimed_at",
            sqlite_where="done_at IS NULL",
            postgresql_where="done_at IS NULL",
        ),
    )

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    workspace_id: Mapped[str] = mapped_column(String, primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String, primary_key=True)
    kind: Mapped[str] = mapped_column(String)  # the event's type name, for reading by hand
    payload: Mapped[str] = mapped_column(Text)  # bot.codec JSON
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxRow(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        # A keyed message is queued once per workspace; NULL keys never collide.
        # The same index answers `posted(workspace, key)`.
        UniqueConstraint("platform", "workspace_id", "message_key"),
        # The sender polls for due rows; only pending rows are indexed, so
        # the index does not grow with the history of sent messages.
        Index(
            "ix_outbox_due",
            "next_try",
            sqlite_where="sent_at IS NULL AND dead_at IS NULL",
            postgresql_where="sent_at IS NULL AND dead_at IS NULL",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String)
    message_key: Mapped[str | None] = mapped_column(String)
    payload: Mapped[str] = mapped_column(Text)  # bot.codec JSON
    attempts: Mapped[int] = mapped_column(Integer)
    next_try: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    dead_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str | None] = mapped_column(String)
    message_id: Mapped[str | None] = mapped_column(String)


class RunRow(Base):
    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint("status IN ('claimed', 'done', 'failed', 'missed')", name="status"),
    )

    # The primary key is the lock: one row per slot, whoever inserts it fires it.
    # It also serves last_slot (the latest scheduled_for of one key).
    job_key: Mapped[str] = mapped_column(String, primary_key=True)
    scheduled_for: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    owner: Mapped[str | None] = mapped_column(String)  # None for a missed slot
    status: Mapped[str] = mapped_column(String(16))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
