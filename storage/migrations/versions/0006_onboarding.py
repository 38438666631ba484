"""Onboarding: newcomers' journeys, the steps they ticked, a workspace's program changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

- `onboarding_journeys` is keyed by its member: one journey per member,
  started by an idempotent insert; the follow-up job reads a workspace's
  journeys by that key's prefix, and the small set of active ones across
  workspaces in one scan.
- `onboarding_ticks` is read per journey (its key's prefix) and goes with it.
- `onboarding_steps` holds a workspace's own steps and the shipped steps it
  hid (`hides`), read whole per workspace in creation order.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
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
        "onboarding_journeys",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("started_at", Instant, nullable=False),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("intro", sa.Text(), nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("finished_at", Instant, nullable=True),
        sa.Column("left_at", Instant, nullable=True),
        sa.PrimaryKeyConstraint(
            "platform", "workspace_id", "user_id", name="pk_onboarding_journeys"
        ),
        _in_workspace("onboarding_journeys"),
    )
    op.create_table(
        "onboarding_ticks",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("step", sa.String(64), nullable=False),
        sa.Column("done_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "workspace_id", "user_id", "step", name="pk_onboarding_ticks"
        ),
        sa.ForeignKeyConstraint(
            ["platform", "workspace_id", "user_id"],
            [
                "onboarding_journeys.platform",
                "onboarding_journeys.workspace_id",
                "onboarding_journeys.user_id",
            ],
            name="fk_onboarding_ticks_journeys",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "onboarding_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("hides", sa.String(64), nullable=True),
        sa.Column("created_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_onboarding_steps"),
        _in_workspace("onboarding_steps"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_onboarding_steps_workspace", "onboarding_steps", ["platform", "workspace_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_onboarding_steps_workspace", table_name="onboarding_steps")
    op.drop_table("onboarding_steps")
    op.drop_table("onboarding_ticks")
    op.drop_table("onboarding_journeys")
