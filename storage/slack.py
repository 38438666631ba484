"""Slack's OAuth installations and states, in Hearth's own database.

A multi-workspace install (HTTP mode with `SLACK_CLIENT_ID`) keeps each
team's bot token where slack_sdk's SQLAlchemy stores expect it. The tables
are slack_sdk's own definitions, declared here on Hearth's metadata so the
migrations own them like every other table (revision 0005).
"""

from __future__ import annotations

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.base import Base

INSTALLATIONS = "slack_installations"
BOTS = "slack_bots"
STATES = "slack_oauth_states"
STATE_LIFETIME_SECONDS = 600

AsyncSQLAlchemyInstallationStore.build_installations_table(Base.metadata, INSTALLATIONS)
AsyncSQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS)
AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(Base.metadata, STATES)


def installation_store(engine: AsyncEngine, *, client_id: str) -> AsyncSQLAlchemyInstallationStore:
    return AsyncSQLAlchemyInstallationStore(
        client_id=client_id,
        engine=engine,
        bots_table_name=BOTS,
        installations_table_name=INSTALLATIONS,
    )


def state_store(engine: AsyncEngine) -> AsyncSQLAlchemyOAuthStateStore:
    return AsyncSQLAlchemyOAuthStateStore(
        expiration_seconds=STATE_LIFETIME_SECONDS, engine=engine, table_name=STATES
    )
