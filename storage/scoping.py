"""What every workspace-owned row shares: the foreign key to its workspace, and
the WHERE clause that keeps each query inside one workspace."""

from __future__ import annotations

from sqlalchemy import ColumnElement, ForeignKeyConstraint

from bot.chat import WorkspaceRef
from storage.base import Base


def in_workspace() -> ForeignKeyConstraint:
    """`(platform, workspace_id)` references a workspace; its rows go with it."""
    return ForeignKeyConstraint(
        ["platform", "workspace_id"],
        ["workspaces.platform", "workspaces.workspace_id"],
        ondelete="CASCADE",
    )


def scoped(row: type[Base], workspace: WorkspaceRef) -> tuple[ColumnElement[bool], ...]:
    """The conditions that keep a query on `row` (a table with `platform` and
    `workspace_id` columns) inside `workspace`."""
    columns = row.__table__.c
    return (
        columns.platform == workspace.platform.value,
        columns.workspace_id == workspace.workspace_id,
    )
