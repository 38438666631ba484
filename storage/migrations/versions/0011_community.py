"""Community: interest circles, anonymous questions and anonymous pulse surveys.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24

- `community_circles`: one per name per workspace
  (`uq_community_circles_platform_workspace_id_name`, also how a circle is
  found by name); `community_circle_members` is keyed `(circle_id, user_id)`.
- `community_questions` has no author column, on purpose.
- `pulses`; `pulse_counts` keeps one row per pulse and value with a count,
  never a row per answer; `pulse_answered` lists who answered, with no
  value and no time. See storage/community.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
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


def _of(table: str, column: str, parent: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{parent}.id"], name=f"fk_{table}_{column}_{parent}", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "community_circles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(), nullable=True),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_community_circles"),
        _in_workspace("community_circles"),
        sa.UniqueConstraint(
            "platform",
            "workspace_id",
            "name",
            name="uq_community_circles_platform_workspace_id_name",
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "community_circle_members",
        sa.Column("circle_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("circle_id", "user_id", name="pk_community_circle_members"),
        _of("community_circle_members", "circle_id", "community_circles"),
    )
    op.create_table(
        "community_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_community_questions"),
        _in_workspace("community_questions"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "pulses",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("opened_at", Instant, nullable=False),
        sa.Column("closes_at", Instant, nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pulses"),
        _in_workspace("pulses"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "pulse_counts",
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(8), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("pulse_id", "value", name="pk_pulse_counts"),
        _of("pulse_counts", "pulse_id", "pulses"),
    )
    op.create_table(
        "pulse_answered",
        sa.Column("pulse_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("pulse_id", "user_id", name="pk_pulse_answered"),
        _of("pulse_answered", "pulse_id", "pulses"),
    )


def downgrade() -> None:
    op.drop_table("pulse_answered")
    op.drop_table("pulse_counts")
    op.drop_table("pulses")
    op.drop_table("community_questions")
    op.drop_table("community_circle_members")
    op.drop_table("community_circles")
