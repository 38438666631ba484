"""Shared fixtures: a Hearth on a fresh SQLite file, played through scripts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import play
from bot.features import Feature
from bot.settings import Settings, sqlite_url

START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@dataclass
class Run:
    code: int
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


Player = Callable[..., Awaitable[Run]]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env({"HEARTH_DATA_DIR": str(tmp_path), "HEARTH_INSTANCE": "test"})


@pytest.fixture
def player(settings: Settings) -> Player:
    """Play a script against one database file; call it again to share that database."""

    async def run(source: str, *features: Feature, start: datetime = START) -> Run:
        lines: list[str] = []
        code = await play(
            settings, source, write=lines.append, start=start, extra_features=features
        )
        return Run(code, lines)

    return run


def database_of(settings: Settings) -> str:
    return sqlite_url(settings.data_dir / "hearth.db")
