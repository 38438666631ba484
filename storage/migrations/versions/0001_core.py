"""Core tables: workspaces, members, inbox, outbox and run claims.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Instants: timestamptz on PostgreSQL; naive UTC on SQLite (storage.base.UtcDateTime).
Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("locale", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("updated_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace_id", name="pk_workspaces"),
    )
    op.create_table(
        "members",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("name_key", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=True),
        sa.Column("locale", sa.String(), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("is_bot", sa.Boolean(), nullable=False),
        sa.Column("joined_at", Instant, nullable=True),
        sa.Column("left_at", Instant, nullable=True),
        sa.Column("opt_outs", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace_id", "user_id", name="pk_members"),
        sa.ForeignKeyConstraint(
            ["platform", "workspace_id"],
            ["workspaces.platform", "workspaces.workspace_id"],
            name="fk_members_platform_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("role IN ('admin', 'manager', 'member')", name="ck_members_role"),
    )
    # find_member: a case-insensitive name within one workspace.
    op.create_index("ix_members_name_key", "members", ["platform", "workspace_id", "name_key"])

    op.create_table(
        "inbox",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("delivery_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("claimed_at", Instant, nullable=False),
        sa.Column("done_at", Instant, nullable=True),
        sa.PrimaryKeyConstraint("platform", "workspace_id", "delivery_id", name="pk_inbox"),
    )
    # Crash recovery scans only unfinished rows; partial, so it stays as small as the backlog.
    op.create_index(
        "ix_inbox_unfinished",
        "inbox",
        ["claimed_at"],
        sqlite_where=sa.text("done_at IS NULL"),
        postgresql_where=sa.text("done_at IS NULL"),
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("message_key", sa.String(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_try", Instant, nullable=False),
        sa.Column("lease_until", Instant, nullable=True),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("sent_at", Instant, nullable=True),
        sa.Column("dead_at", Instant, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("message_id", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        # A keyed message is queued once per workspace (NULL keys never collide);
        # its index also answers posted(workspace, key).
        sa.UniqueConstraint(
            "platform",
            "workspace_id",
            "message_key",
            name="uq_outbox_platform_workspace_id_message_key",
        ),
    )
    # The sender's poll for due rows; partial, so sent and dead history is not indexed.
    op.create_index(
        "ix_outbox_due",
        "outbox",
        ["next_try"],
        sqlite_where=sa.text("sent_at IS NULL AND dead_at IS NULL"),
        postgresql_where=sa.text("sent_at IS NULL AND dead_at IS NULL"),
    )

    op.create_table(
        "runs",
        sa.Column("job_key", sa.String(), nullable=False),
        sa.Column("scheduled_for", Instant, nullable=False),
        sa.Column("owner", sa.String(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_at", Instant, nullable=False),
        sa.Column("finished_at", Instant, nullable=True),
        # The key is the lock (one row per slot) and serves last_slot per job.
        sa.PrimaryKeyConstraint("job_key", "scheduled_for", name="pk_runs"),
        sa.CheckConstraint(
            "status IN ('claimed', 'done', 'failed', 'missed')", name="ck_runs_status"
        ),
    )


def downgrade() -> None:
    op.drop_table("runs")
    op.drop_index("ix_outbox_due", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_inbox_unfinished", table_name="inbox")
    op.drop_table("inbox")
    op.drop_index("ix_members_name_key", table_name="members")
    op.drop_table("members")
    op.drop_table("workspaces")
