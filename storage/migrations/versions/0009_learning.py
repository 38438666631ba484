"""Learning: the learning log, sessions for learning days, and who joins them.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24

- `learning_entries`: `ix_learning_entries_workspace_at` reads a week of a
  workspace's entries (the feed, a learning day's recap);
  `ix_learning_entries_member_day` reads the days one member logged (streaks).
- `learning_sessions`: `ix_learning_sessions_workspace_day` reads the
  sessions of the coming learning days.
- `learning_attendees` is keyed `(session_id, user_id)` and goes with its session.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Instants: timestamptz on PostgreSQL; naive UTC on SQLite (storage.base.UtcDateTime).
Instant = sa.DateTime(timezone=True)


def _in_workspace(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["platform", "workspace_id"],
        ["workspaces.platform", "workspaces.workspace_id"],
        name=f"fk_{table}_platform_workspace_id_workspaces",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "learning_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learning_entries"),
        _in_workspace("learning_entries"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_learning_entries_workspace_at", "learning_entries", ["platform", "workspace_id", "at"]
    )
    op.create_index(
        "ix_learning_entries_member_day",
        "learning_entries",
        ["platform", "workspace_id", "user_id", "day"],
    )
    op.create_table(
        "learning_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("presenter", sa.String(), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_learning_sessions"),
        _in_workspace("learning_sessions"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_learning_sessions_workspace_day",
        "learning_sessions",
        ["platform", "workspace_id", "day"],
    )
    op.create_table(
        "learning_attendees",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", "user_id", name="pk_learning_attendees"),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["learning_sessions.id"],
            name="fk_learning_attendees_session_id_learning_sessions",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("learning_attendees")
    op.drop_index("ix_learning_sessions_workspace_day", table_name="learning_sessions")
    op.drop_table("learning_sessions")
    op.drop_index("ix_learning_entries_member_day", table_name="learning_entries")
    op.drop_index("ix_learning_entries_workspace_at", table_name="learning_entries")
    op.drop_table("learning_entries")
