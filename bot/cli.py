"""The `hearth` command line: demo, chat, run, db upgrade, slack manifest, discord invite-url.

Exit codes for `hearth chat`: 0 when the script ran to its end with every
`expect` met, 1 when an `expect` failed, 2 for a malformed script (or a
line that cannot apply); nothing after the failing line runs.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bot.app import command_catalog, open_hearth, with_database
from bot.chat import WorkspaceRef
from bot.features import Feature
from bot.kudos.domain import Kudos
from bot.kudos.export import as_csv, as_jsonl
from bot.platforms import script
from bot.platforms.local import LocalWorkspace, RunError, simulated_start
from bot.platforms.slack_manifest import manifest
from bot.settings import Settings, SettingsError, sqlite_url
from storage import open_storage, upgrade

DEMO_SCRIPT = Path(__file__).parent / "demo.hearth"
EVERYTHING = datetime(9999, 1, 1, tzinfo=UTC)  # an export has no end date
EXPECT_FAILED = 1
MALFORMED = 2

log = logging.getLogger("bot")


def _version() -> str:
    try:
        return metadata.version("hearth")
    except metadata.PackageNotFoundError:
        return "0+unknown"


async def play(
    settings: Settings,
    source: str,
    *,
    write: Callable[[str], None],
    seed: int = 0,
    start: datetime | None = None,
    extra_features: Sequence[Feature] = (),
) -> int:
    """Play a whole script against the database in `settings`; returns the exit code."""
    try:
        lines = script.parse(source)
    except script.ScriptError as error:
        write(f"error: {error}")
        return MALFORMED
    clock = simulated_start(start or datetime.now(UTC))
    async with open_hearth(
        settings, clock=clock, rng=random.Random(seed), extra_features=extra_features
    ) as hearth:
        local = LocalWorkspace(hearth, write=write)
        for line in lines:
            try:
                met = await local.apply(line.step)
            except RunError as error:
                write(f"error: line {line.number}: {error}")
                return MALFORMED
            if not met:
                assert isinstance(line.step, script.Expect)
                wanted = "" if line.step.present else "no "
                write(
                    f'error: line {line.number}: expected {wanted}"{line.step.text}" in the output'
                )
                return EXPECT_FAILED
    return 0


async def interact(settings: Settings, *, write: Callable[[str], None], seed: int) -> int:
    """Read lines from a terminal one at a time; a bad line is reported, not fatal."""
    clock = simulated_start(datetime.now(UTC))
    loop = asyncio.get_running_loop()
    async with open_hearth(settings, clock=clock, rng=random.Random(seed)) as hearth:
        local = LocalWorkspace(hearth, write=write)
        number = 0
        while True:
            line = await loop.run_in_executor(None, _prompt)
            if line is None:
                return 0
            number += 1
            try:
                step = script.parse_line(line, number)
                if step is not None and not await local.apply(step):
                    write("expectation not met")
            except (script.ScriptError, RunError) as error:
                write(f"error: {error}")


def _prompt() -> str | None:
    try:
        return input("hearth> ")
    except EOFError:
        return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearth", description="Hearth: the culture bot for distributed teams."
    )
    parser.add_argument("--version", action="version", version=f"hearth {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser("demo", help="play the bundled tour in the local workspace")
    demo.add_argument("--database", help="database URL (default: a fresh temporary file)")
    chat = commands.add_parser("chat", help="the local workspace: a script or typed lines")
    chat.add_argument("--script", type=Path, help="script file ('-' for stdin)")
    chat.add_argument("--database", help="database URL (default: HEARTH_DATABASE_URL)")
    chat.add_argument("--seed", type=int, default=0, help="seed for random choices")
    chat.add_argument(
        "--start", help="simulated start time, YYYY-MM-DD HH:MM in UTC (default: now)"
    )
    run = commands.add_parser("run", help="connect to Slack and/or Discord")
    run.add_argument(
        "--http",
        action="store_true",
        help="serve Slack over HTTP (POST /slack/events) instead of Socket Mode",
    )
    run.add_argument("--port", type=int, help="HTTP port (default: HEARTH_HTTP_PORT or 3000)")
    export = commands.add_parser("export", help="print a workspace's data")
    export.add_argument("what", choices=["kudos"])
    export.add_argument("--workspace", help="a workspace id, or PLATFORM:ID (default: all)")
    export.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    export.add_argument("--database", help="database URL (default: HEARTH_DATABASE_URL)")
    slack = commands.add_parser("slack", help="Slack app setup")
    slack_commands = slack.add_subparsers(dest="slack_command", metavar="ACTION", required=True)
    slack_manifest = slack_commands.add_parser(
        "manifest", help="print the Slack app manifest (YAML) to create Hearth's app"
    )
    slack_manifest.add_argument(
        "--http",
        metavar="URL",
        help="Hearth's public base URL, for HTTP mode (default: Socket Mode)",
    )
    discord = commands.add_parser("discord", help="Discord app setup")
    discord_commands = discord.add_subparsers(
        dest="discord_command", metavar="ACTION", required=True
    )
    discord_commands.add_parser(
        "invite-url",
        help="print the URL that adds Hearth to a Discord server, with the permissions it needs",
    )
    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_upgrade = db_commands.add_parser("upgrade", help="upgrade the schema to the latest")
    db_upgrade.add_argument("--database", help="database URL (default: HEARTH_DATABASE_URL)")
    return parser


async def export_kudos(
    settings: Settings, *, workspace: str | None, form: str, write: Callable[[str], None]
) -> int:
    """Every kudos of the chosen workspaces (all by default), one row per recipient."""
    async with await open_storage(settings.database_url) as storage:
        spaces = await storage.roster.workspaces()
        if workspace is not None:
            spaces = [w for w in spaces if workspace in (w.ref.workspace_id, _label(w.ref))]
            if not spaces:
                write(f"error: no workspace {workspace!r}")
                return MALFORMED
        found: list[Kudos] = []
        for space in spaces:
            found += await storage.kudos.between(space.ref, start=None, end=EVERYTHING)
        text = as_csv(found) if form == "csv" else as_jsonl(found)
        write(text.rstrip("\n"))
    return 0


def _label(ref: WorkspaceRef) -> str:
    return f"{ref.platform.value}:{ref.workspace_id}"


def _run_without_platforms(settings: Settings, write: Callable[[str], None]) -> int:
    write(
        "No chat platform is configured.\n"
        "  Slack:   set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode)\n"
        "  Discord: set DISCORD_TOKEN\n"
        "See the README's configuration table. To try Hearth without a chat account,\n"
        "run `hearth demo` or `hearth chat`."
    )
    return MALFORMED


def main(argv: Sequence[str] | None = None, environ: dict[str, str] | None = None) -> int:
    try:
        return _main(argv, environ)
    except BrokenPipeError:
        # The reader went away (`hearth demo | head`): stop quietly, as Unix tools do.
        sys.stderr.close()
        return 0


def _main(argv: Sequence[str] | None, environ: dict[str, str] | None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(os.environ if environ is None else environ)
    except SettingsError as error:
        print(f"error: {error}", file=sys.stderr)
        return MALFORMED
    logging.basicConfig(level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    if settings.log_level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)
    write: Callable[[str], None] = print
    match args.command:
        case "demo":
            return _demo(settings, args.database, write)
        case "chat":
            settings = with_database(settings, args.database)
            start = (
                datetime.strptime(args.start, "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
                if args.start
                else None
            )
            if args.script is None and sys.stdin.isatty():
                return asyncio.run(interact(settings, write=write, seed=args.seed))
            source = (
                sys.stdin.read()
                if args.script in (None, Path("-"))
                else args.script.read_text(encoding="utf-8")
            )
            return asyncio.run(play(settings, source, write=write, seed=args.seed, start=start))
        case "db":
            settings = with_database(settings, args.database)
            asyncio.run(upgrade(settings.database_url))
            write("database is at the latest schema")
            return 0
        case "export":
            settings = with_database(settings, args.database)
            return asyncio.run(
                export_kudos(settings, workspace=args.workspace, form=args.format, write=write)
            )
        case "slack":
            write(manifest(command_catalog(), http_url=args.http).rstrip("\n"))
            return 0
        case "discord":
            from bot.platforms.discord_gateway import invite_url  # discord.py loads only here

            try:
                write(asyncio.run(invite_url(settings)))
            except SettingsError as error:
                print(f"error: {error}", file=sys.stderr)
                return MALFORMED
            return 0
        case "run":
            if not (settings.slack_enabled or settings.discord_enabled):
                return _run_without_platforms(settings, write)
            from bot import runner  # platform libraries load only for `run`

            try:
                http = args.http or settings.http_port is not None
                return asyncio.run(runner.run(settings, http=http, port=args.port))
            except SettingsError as error:
                print(f"error: {error}", file=sys.stderr)
                return MALFORMED
    _parser().print_help()
    return 0


def _demo(settings: Settings, database: str | None, write: Callable[[str], None]) -> int:
    source = DEMO_SCRIPT.read_text(encoding="utf-8")
    if database is not None:
        return asyncio.run(play(with_database(settings, database), source, write=write))
    with tempfile.TemporaryDirectory(prefix="hearth-demo-") as folder:
        url = sqlite_url(Path(folder) / "demo.db")
        return asyncio.run(play(with_database(settings, url), source, write=write))
