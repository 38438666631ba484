from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage import create_engine, downgrade, upgrade
from storage.base import Base

TABLES = {
    "workspaces",
    "members",
    "inbox",
    "outbox",
    "runs",
    "kudos",
    "kudos_totals",
    "kudos_tallies",
    "kudos_awards",
    "kudos_badges",
    "rituals",
    "ritual_turns",
    "ritual_entries",
    "ritual_people",
    "ritual_questions",
    "ritual_asked",
    "onboarding_journeys",
    "onboarding_ticks",
    "onboarding_steps",
    "mentors",
    "mentorships",
    "pairing_people",
    "pairing_rounds",
    "pairing_groups",
    "learning_entries",
    "learning_sessions",
    "learning_attendees",
    "offboardings",
    "community_circles",
    "community_circle_members",
    "community_questions",
    "pulses",
    "pulse_counts",
    "pulse_answered",
    "slack_installations",
    "slack_bots",
    "slack_oauth_states",
}


async def inspect_database(url: str, look: Any) -> Any:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(look)
    finally:
        await engine.dispose()


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {"alembic_version"}


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_creates_every_table_on_an_empty_database(database_url: str) -> None:
    await upgrade(database_url)

    assert await inspect_database(database_url, table_names) == TABLES


async def test_the_migrated_schema_matches_the_models(database_url: str) -> None:
    await upgrade(database_url)

    assert await inspect_database(database_url, differences) == []


async def test_upgrading_a_database_already_at_head_changes_nothing(database_url: str) -> None:
    await upgrade(database_url)

    await upgrade(database_url)

    assert await inspect_database(database_url, table_names) == TABLES


async def test_downgrading_to_base_removes_every_table(database_url: str) -> None:
    await upgrade(database_url)

    await downgrade(database_url, "base")

    assert await inspect_database(database_url, table_names) == set()
