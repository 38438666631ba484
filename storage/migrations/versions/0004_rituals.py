"""Rituals: the rituals managers schedule, spotlight turns, answers, shared dates, questions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24

Every run of a ritual is a row of the `runs` table (migration 0001), keyed
by the ritual's job key and slot: nothing here tracks runs. Why each index
exists:

- `ix_rituals_workspace`: `/ritual list` and every lookup by id name the
  workspace first. The scheduler's job source reads every active ritual in
  one scan of this small table (10,000 rows in tens of milliseconds).
- `ritual_turns` is read whole per ritual, in slot order: its key is
  `(ritual_id, slot, user_id)`.
- `uq_ritual_entries_ritual_id_occasion_kind_user_id` keeps one RSVP or
  answer per member and occasion (an upsert target), and reads one
  occasion's answers; `ix_ritual_entries_workspace_kind_at` reads a week of
  a workspace's wins for the celebration digest.
- `ritual_asked` is keyed by what it answers: which questions of a bank a
  workspace was asked since the bank was last used up.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
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


def _of_ritual(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["ritual_id"], ["rituals.id"], name=f"fk_{table}_ritual_id_rituals", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "rituals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("schedule", sa.Text(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.Column("active_since", Instant, nullable=False),
        sa.Column("updated_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_rituals"),
        _in_workspace("rituals"),
        sa.CheckConstraint("state IN ('active', 'paused')", name="ck_rituals_state"),
        sqlite_autoincrement=True,  # an id is never reused: runs and outbox keys name it
    )
    op.create_index("ix_rituals_workspace", "rituals", ["platform", "workspace_id", "id"])

    op.create_table(
        "ritual_turns",
        sa.Column("ritual_id", sa.Integer(), nullable=False),
        sa.Column("slot", Instant, nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("ritual_id", "slot", "user_id", name="pk_ritual_turns"),
        _of_ritual("ritual_turns"),
        sa.CheckConstraint(
            "status IN ('picked', 'spoke', 'swapped')", name="ck_ritual_turns_status"
        ),
    )

    op.create_table(
        "ritual_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("ritual_id", sa.Integer(), nullable=True),
        sa.Column("occasion", Instant, nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ritual_entries"),
        _in_workspace("ritual_entries"),
        _of_ritual("ritual_entries"),
        sa.UniqueConstraint(
            "ritual_id",
            "occasion",
            "kind",
            "user_id",
            name="uq_ritual_entries_ritual_id_occasion_kind_user_id",
        ),
    )
    op.create_index(
        "ix_ritual_entries_workspace_kind_at",
        "ritual_entries",
        ["platform", "workspace_id", "kind", "at"],
    )

    op.create_table(
        "ritual_people",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("birthday", sa.String(5), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("away_until", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("platform", "workspace_id", "user_id", name="pk_ritual_people"),
        _in_workspace("ritual_people"),
    )

    op.create_table(
        "ritual_questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("bank", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(), nullable=False),
        sa.Column("added_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ritual_questions"),
        _in_workspace("ritual_questions"),
    )
    op.create_index(
        "ix_ritual_questions_bank", "ritual_questions", ["platform", "workspace_id", "bank"]
    )

    op.create_table(
        "ritual_asked",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("bank", sa.String(32), nullable=False),
        sa.Column("question_key", sa.String(), nullable=False),
        sa.Column("asked_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint(
            "platform", "workspace_id", "bank", "question_key", name="pk_ritual_asked"
        ),
        _in_workspace("ritual_asked"),
    )


def downgrade() -> None:
    op.drop_table("ritual_asked")
    op.drop_index("ix_ritual_questions_bank", table_name="ritual_questions")
    op.drop_table("ritual_questions")
    op.drop_table("ritual_people")
    op.drop_index("ix_ritual_entries_workspace_kind_at", table_name="ritual_entries")
    op.drop_table("ritual_entries")
    op.drop_table("ritual_turns")
    op.drop_index("ix_rituals_workspace", table_name="rituals")
    op.drop_table("rituals")
