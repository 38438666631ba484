"""Peer pairing rounds: who takes part, every round, and its groups.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24

- `pairing_people` is keyed by its member; read whole per workspace.
- `pairing_rounds`: one row per round; `uq_pairing_rounds_platform_workspace_id_slot`
  keeps one round per slot (a second recording is ignored) and reads a
  workspace's latest rounds by slot.
- `pairing_groups`: one row per member of a round, keyed `(round_id,
  user_id)`, with their group's number and their answer to "did you meet?".
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
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
        "pairing_people",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("joined_at", Instant, nullable=False),
        sa.Column("away_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("platform", "workspace_id", "user_id", name="pk_pairing_people"),
        _in_workspace("pairing_people"),
    )
    op.create_table(
        "pairing_rounds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("slot", Instant, nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_pairing_rounds"),
        _in_workspace("pairing_rounds"),
        sa.UniqueConstraint(
            "platform", "workspace_id", "slot", name="uq_pairing_rounds_platform_workspace_id_slot"
        ),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "pairing_groups",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("group_number", sa.Integer(), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("round_id", "user_id", name="pk_pairing_groups"),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["pairing_rounds.id"],
            name="fk_pairing_groups_round_id_pairing_rounds",
            ondelete="CASCADE",
        ),
    )


def downgrade() -> None:
    op.drop_table("pairing_groups")
    op.drop_table("pairing_rounds")
    op.drop_table("pairing_people")
