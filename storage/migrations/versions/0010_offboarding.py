"""Offboarding: departures and what each one gathered.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24

One row per offboarding; `uq_offboardings_open_member`, a partial unique
index over the open rows, keeps one open offboarding per member (the
target of `start`'s conflict-free insert) and finds it. A workspace's
offboardings are few: they are read by that index's prefix.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Instants: timestamptz on PostgreSQL; naive UTC on SQLite (storage.base.UtcDateTime).
Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "offboardings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("manager", sa.String(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("started_at", Instant, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("parts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_offboardings"),
        sa.ForeignKeyConstraint(
            ["platform", "workspace_id"],
            ["workspaces.platform", "workspaces.workspace_id"],
            name="fk_offboardings_platform_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_offboardings_open_member",
        "offboardings",
        ["platform", "workspace_id", "user_id"],
        unique=True,
        sqlite_where=sa.text("state = 'open'"),
        postgresql_where=sa.text("state = 'open'"),
    )


def downgrade() -> None:
    op.drop_index("uq_offboardings_open_member", table_name="offboardings")
    op.drop_table("offboardings")
