"""Kudos tallies: kudos per member and side, by UTC day and week, for windowed boards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Why, with figures from 1,000,000 kudos among 10,000 members and a 30-day
window (74,772 kudos in it), SQLite on the 2-core machine, medians of the
bare statement for one side of the board, receivers / givers, all measured
the same minute:

- Counting raw rows per member: 36 / 36 ms. `ix_kudos_window` finds the
  window's rows in ~4 ms; the time goes into grouping them by member.
- Tallies per (member, UTC day), one row holding both sides: 14 / 18 ms.
- One row per side, so that a board scans only its own side (the giver
  side is the larger one): 10 / 16 ms. Most members get fewer kudos than
  there are days in a window, so day buckets save less than one would
  hope: 31,451 receiver-days and 49,772 giver-days for 74,772 kudos.
- Whole weeks too (span 7, Monday to Sunday), with days only between the
  window's first day and its first whole week: 6 / 10 ms, about 18,000 and
  29,000 rows. What is left of the window's first day is counted from raw
  rows (at most one day, ~2,500 rows here, a range of `ix_kudos_window`).
  A gift writes four tally rows instead of two, in the same statement.

The key (workspace, side, span, day, member) is the only index: a window is
three ranges of it, so no plan can pick a wrong index before or after
ANALYZE. On SQLite the table is WITHOUT ROWID, the key is the table, and
each range is read in order without a second lookup. On PostgreSQL the heap
is day-clustered by the way rows arrive and a bitmap scan of the key reads
it; an INCLUDE of the count saved ~1 ms and is not worth a second index.

The tallies are filled here from the existing rows (kudos not reversed,
grouped by the UTC date of `given_at` and by the Monday on or before it);
from then on `give` and the reversals keep them in step in the same
transaction (`storage.kudos_counts`).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The first UTC day of a tally: of the kudos itself (span 1), or the Monday
# on or before it (span 7). Instants are naive UTC text on SQLite and
# timestamptz on PostgreSQL.
FIRST_DAY = {
    ("sqlite", 1): "date(given_at)",
    ("sqlite", 7): "date(given_at, '-6 days', 'weekday 1')",
    ("postgresql", 1): "(given_at AT TIME ZONE 'UTC')::date",
    ("postgresql", 7): "date_trunc('week', given_at AT TIME ZONE 'UTC')::date",
}

BACKFILL = """
INSERT INTO kudos_tallies (platform, workspace_id, side, span, day, user_id, count)
SELECT platform, workspace_id, 'received', {span}, {day}, receiver, count(*)
FROM kudos WHERE reversed_at IS NULL
GROUP BY platform, workspace_id, {day}, receiver
UNION ALL
SELECT platform, workspace_id, 'given', {span}, {day}, giver, count(*)
FROM kudos WHERE reversed_at IS NULL
GROUP BY platform, workspace_id, {day}, giver
ORDER BY 1, 2, 3, 4, 5, 6
"""


def upgrade() -> None:
    op.create_table(
        "kudos_tallies",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(), nullable=False),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("span", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("side IN ('received', 'given')", name="ck_kudos_tallies_side"),
        sa.CheckConstraint("span IN (1, 7)", name="ck_kudos_tallies_span"),
        # A window is a few ranges of the key: the only index the boards need.
        sa.PrimaryKeyConstraint(
            "platform",
            "workspace_id",
            "side",
            "span",
            "day",
            "user_id",
            name="pk_kudos_tallies",
        ),
        sa.ForeignKeyConstraint(
            ["platform", "workspace_id"],
            ["workspaces.platform", "workspaces.workspace_id"],
            name="fk_kudos_tallies_platform_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sqlite_with_rowid=False,
    )
    dialect = op.get_bind().dialect.name
    for span in (1, 7):
        op.execute(sa.text(BACKFILL.format(span=span, day=FIRST_DAY[dialect, span])))


def downgrade() -> None:
    op.drop_table("kudos_tallies")
