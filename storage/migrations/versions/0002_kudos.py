"""Kudos: one row per recipient, running totals, milestone awards, badge catalogue.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02

Why each index exists, with figures from 1,000,000 kudos among 10,000
members on SQLite (2-core machine, medians):

- The windowed boards, recent counts, `between` and first-time receivers
  scan one range of `given_at`, so the window index leads with it. It holds
  both receiver and giver, so one covering index serves both boards (a
  30-day board reads ~65,000 entries, ~25-35 ms) where two would double the
  write cost for no faster read. It is partial on `reversed_at IS NULL`,
  the condition every one of those queries has.
- Per-member questions (stats, facts, rank in a window, the allowance check
  on every gift, last_gift) seek `(receiver, given_at)` or
  `(giver, given_at)`: ~0.01-0.05 ms each. With these beside the window
  index, SQLite after ANALYZE answers a plain "GROUP BY receiver" over a
  window by walking the whole workspace through the member index (3 to 5
  times slower); `storage.kudos_reading` counts windows from a MATERIALIZED
  CTE so that the range scan wins with or without ANALYZE.
- The all-time board and rank read `kudos_totals` through
  `(workspace, received)` / `(workspace, given)` instead of counting raw
  rows (~0.5 ms against >= 58 ms, bench notes in platforms.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Instants: timestamptz on PostgreSQL; naive UTC on SQLite (storage.base.UtcDateTime).
Instant = sa.DateTime(timezone=True)
NOT_REVERSED = sa.text("reversed_at IS NULL")


def _in_workspace(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["platform", "workspace_id"],
        ["workspaces.platform", "workspaces.workspace_id"],
        name=f"fk_{table}_platform_workspace_id_workspaces",
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("gift_id", sa.String(), nullable=False),
        sa.Column("giver", sa.String(), nullable=False),
        sa.Column("receiver", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("value_list", sa.Text(), nullable=False),
        sa.Column("badge", sa.String(), nullable=True),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_ref", sa.String(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("given_at", Instant, nullable=False),
        sa.Column("reversed_at", Instant, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_kudos"),
        _in_workspace("kudos"),
        # A replayed gift is stored once; the same index finds a gift's rows to reverse.
        sa.UniqueConstraint(
            "platform",
            "workspace_id",
            "gift_id",
            "receiver",
            name="uq_kudos_platform_workspace_id_gift_id_receiver",
        ),
    )
    # Windowed boards, recent counts, between(), first-time receivers: a given_at range.
    op.create_index(
        "ix_kudos_window",
        "kudos",
        ["platform", "workspace_id", "given_at", "receiver", "giver"],
        sqlite_where=NOT_REVERSED,
        postgresql_where=NOT_REVERSED,
    )
    # One member's received kudos: stats, facts, rank in a window, "before" in first-time.
    op.create_index(
        "ix_kudos_receiver",
        "kudos",
        ["platform", "workspace_id", "receiver", "given_at"],
        sqlite_where=NOT_REVERSED,
        postgresql_where=NOT_REVERSED,
    )
    # One member's given kudos: the allowance check on every gift, last_gift, facts.
    op.create_index(
        "ix_kudos_giver",
        "kudos",
        ["platform", "workspace_id", "giver", "given_at"],
        sqlite_where=NOT_REVERSED,
        postgresql_where=NOT_REVERSED,
    )
    # A deleted message or a removed reaction finds the kudos it gave (reverse_source).
    op.create_index("ix_kudos_source_ref", "kudos", ["platform", "workspace_id", "source_ref"])

    op.create_table(
        "kudos_totals",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("given", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace_id", "user_id", name="pk_kudos_totals"),
        _in_workspace("kudos_totals"),
    )
    # The all-time boards and ranks: the top of a workspace's counts, read from the index.
    op.create_index(
        "ix_kudos_totals_received", "kudos_totals", ["platform", "workspace_id", "received"]
    )
    op.create_index("ix_kudos_totals_given", "kudos_totals", ["platform", "workspace_id", "given"])

    op.create_table(
        "kudos_awards",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("milestone", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("awarded_at", Instant, nullable=False),
        # The key makes each milestone once-only per member.
        sa.PrimaryKeyConstraint(
            "platform", "workspace_id", "user_id", "milestone", name="pk_kudos_awards"
        ),
        _in_workspace("kudos_awards"),
    )
    # The weekly digest: a workspace's awards within a week.
    op.create_index(
        "ix_kudos_awards_awarded_at", "kudos_awards", ["platform", "workspace_id", "awarded_at"]
    )

    op.create_table(
        "kudos_badges",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("emoji", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace_id", "name", name="pk_kudos_badges"),
        _in_workspace("kudos_badges"),
    )


def downgrade() -> None:
    op.drop_table("kudos_badges")
    op.drop_index("ix_kudos_awards_awarded_at", table_name="kudos_awards")
    op.drop_table("kudos_awards")
    op.drop_index("ix_kudos_totals_given", table_name="kudos_totals")
    op.drop_index("ix_kudos_totals_received", table_name="kudos_totals")
    op.drop_table("kudos_totals")
    op.drop_index("ix_kudos_source_ref", table_name="kudos")
    op.drop_index("ix_kudos_giver", table_name="kudos")
    op.drop_index("ix_kudos_receiver", table_name="kudos")
    op.drop_index("ix_kudos_window", table_name="kudos")
    op.drop_table("kudos")
