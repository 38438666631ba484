"""Mentorship: the volunteers who mentor, and who mentors whom.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24

- `mentors` is keyed by its member; read whole per workspace.
- `mentorships`: one row per mentorship, ended ones kept with the
  newcomer's feedback. `uq_mentorships_active_newcomer`, a partial unique
  index over the active rows, gives each newcomer one active mentor (the
  target of `pair`'s conflict-free insert);
  `ix_mentorships_workspace_started_at` reads a workspace's mentorships in
  start order.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
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
        "mentors",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("since", Instant, nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace_id", "user_id", name="pk_mentors"),
        _in_workspace("mentors"),
    )
    op.create_table(
        "mentorships",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("newcomer", sa.String(), nullable=False),
        sa.Column("mentor", sa.String(), nullable=False),
        sa.Column("started_at", Instant, nullable=False),
        sa.Column("ended_at", Instant, nullable=True),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mentorships"),
        _in_workspace("mentorships"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "uq_mentorships_active_newcomer",
        "mentorships",
        ["platform", "workspace_id", "newcomer"],
        unique=True,
        sqlite_where=sa.text("ended_at IS NULL"),
        postgresql_where=sa.text("ended_at IS NULL"),
    )
    op.create_index(
        "ix_mentorships_workspace_started_at",
        "mentorships",
        ["platform", "workspace_id", "started_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_mentorships_workspace_started_at", table_name="mentorships")
    op.drop_index("uq_mentorships_active_newcomer", table_name="mentorships")
    op.drop_table("mentorships")
    op.drop_table("mentors")
