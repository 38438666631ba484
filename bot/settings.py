"""Configuration, read from the environment in one place.

`Settings.from_env(os.environ)` is the only reader of environment variables;
everything else receives a `Settings`. Secrets are kept out of `repr` so a
logged settings object never leaks a token.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.chat import DEFAULT_LOCALE, DEFAULT_TIMEZONE


class SettingsError(ValueError):
    """A setting has a value Hearth cannot use; the message says which."""


def default_data_dir(environ: Mapping[str, str]) -> Path:
    """$HEARTH_DATA_DIR, else $XDG_DATA_HOME/hearth, else ~/.local/share/hearth."""
    if explicit := environ.get("HEARTH_DATA_DIR"):
        return Path(explicit).expanduser()
    base = environ.get("XDG_DATA_HOME") or str(Path(environ.get("HOME", "~")) / ".local" / "share")
    return Path(base).expanduser() / "hearth"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _port(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingsError(f"HEARTH_HTTP_PORT must be a port number, not {value!r}")
    return int(value)


def _snowflake(value: str | None) -> int | None:
    if not value:
        return None
    if not value.isascii() or not value.isdecimal():
        raise SettingsError(f"DISCORD_APPLICATION_ID must be a numeric id, not {value!r}")
    return int(value)


def _flag(name: str, value: str | None) -> bool:
    if not value:
        return False
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be yes or no, not {value!r}")


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    data_dir: Path
    log_level: str = "INFO"
    locale: str = DEFAULT_LOCALE
    timezone: str = DEFAULT_TIMEZONE
    instance: str = ""
    http_port: int | None = None
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_app_token: str | None = field(default=None, repr=False)
    slack_signing_secret: str | None = field(default=None, repr=False)
    slack_client_id: str | None = None
    slack_client_secret: str | None = field(default=None, repr=False)
    slack_api_url: str | None = None
    discord_token: str | None = field(default=None, repr=False)
    discord_api_url: str | None = None
    discord_gateway_url: str | None = None
    discord_application_id: int | None = None
    discord_message_content: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        data_dir = default_data_dir(environ)
        return cls(
            database_url=environ.get("HEARTH_DATABASE_URL") or sqlite_url(data_dir / "hearth.db"),
            data_dir=data_dir,
            log_level=environ.get("HEARTH_LOG_LEVEL", "INFO").upper(),
            locale=environ.get("HEARTH_LOCALE", DEFAULT_LOCALE),
            timezone=environ.get("HEARTH_TIMEZONE", DEFAULT_TIMEZONE),
            instance=environ.get("HEARTH_INSTANCE") or f"{os.uname().nodename}:{os.getpid()}",
            http_port=_port(environ.get("HEARTH_HTTP_PORT")),
            slack_bot_token=environ.get("SLACK_BOT_TOKEN") or None,
            slack_app_token=environ.get("SLACK_APP_TOKEN") or None,
            slack_signing_secret=environ.get("SLACK_SIGNING_SECRET") or None,
            slack_client_id=environ.get("SLACK_CLIENT_ID") or None,
            slack_client_secret=environ.get("SLACK_CLIENT_SECRET") or None,
            slack_api_url=environ.get("SLACK_API_URL") or None,
            discord_token=environ.get("DISCORD_TOKEN") or None,
            discord_api_url=environ.get("DISCORD_API_URL") or None,
            discord_gateway_url=environ.get("DISCORD_GATEWAY_URL") or None,
            discord_application_id=_snowflake(environ.get("DISCORD_APPLICATION_ID")),
            discord_message_content=_flag(
                "DISCORD_MESSAGE_CONTENT", environ.get("DISCORD_MESSAGE_CONTENT")
            ),
        )

    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token or self.slack_client_id)

    @property
    def discord_enabled(self) -> bool:
        return self.discord_token is not None
