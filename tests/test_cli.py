"""The `hearth` command as a user runs it: real processes, real exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def hearth(
    *args: str, tmp_path: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "DISCORD_", "HEARTH_"))
    }
    environ["HEARTH_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


SCRIPT = """\
workspace acme tz=Europe/Paris
member ana role=admin
clock 2026-12-01 09:00
in #general
ana: /hearth me
expect "Settings for @ana"
"""


def test_the_demo_prints_a_conversation_and_exits_0(tmp_path: Path) -> None:
    done = hearth("demo", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "[#general] ana: /hearth help" in done.stdout
    assert "hearth: " in done.stdout
    assert not (tmp_path / "data").exists(), "the demo must not touch the user's data"


def test_chat_plays_a_script_file_against_a_given_database(tmp_path: Path) -> None:
    (tmp_path / "tour.hearth").write_text(SCRIPT)
    database = f"sqlite:///{tmp_path}/shared.db"
    done = hearth(
        "chat", "--script", str(tmp_path / "tour.hearth"), "--database", database, tmp_path=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2026-12-01 09:00 [#general -> ana only] hearth: Settings for @ana" in done.stdout
    assert (tmp_path / "shared.db").exists()


def test_chat_reads_a_script_from_stdin_into_the_default_data_directory(tmp_path: Path) -> None:
    done = hearth("chat", tmp_path=tmp_path, stdin=SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "data" / "hearth.db").exists()


@pytest.mark.parametrize(
    ("tail", "code", "message"),
    [
        ('expect "nowhere"\n', 1, 'error: line 7: expected "nowhere" in the output'),
        ("wait forever\n", 2, "error: line 7: expected `wait N`"),
    ],
)
def test_chat_exit_codes_tell_an_unmet_expect_from_a_malformed_script(
    tmp_path: Path, tail: str, code: int, message: str
) -> None:
    done = hearth("chat", tmp_path=tmp_path, stdin=SCRIPT + tail)
    assert done.returncode == code
    assert message in done.stdout


def test_run_without_any_token_says_how_to_configure_one(tmp_path: Path) -> None:
    done = hearth("run", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "SLACK_BOT_TOKEN" in done.stdout
    assert "DISCORD_TOKEN" in done.stdout
    assert "hearth chat" in done.stdout


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    done = hearth("db", "upgrade", "--database", f"sqlite:///{tmp_path}/x.db", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "x.db").exists()


def test_version_and_help(tmp_path: Path) -> None:
    assert hearth("--version", tmp_path=tmp_path).stdout.startswith("hearth ")
    usage = hearth("--help", tmp_path=tmp_path).stdout
    for command in ("demo", "chat", "run", "db"):
        assert command in usage


def test_export_prints_the_kudos_of_a_workspace_as_csv_or_json_lines(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/k.db"
    script = (
        "workspace acme\nmember ana\nmember bob\nclock 2026-12-01 09:00\nin #general\n"
        "ana: /kudos @bob for the launch #teamwork\n"
        "workspace other\nmember cy\nmember dee\ncy: /kudos @dee for tea\n"
    )
    assert hearth("chat", "--database", database, tmp_path=tmp_path, stdin=script).returncode == 0
    done = hearth(
        "export", "kudos", "--workspace", "acme", "--database", database, tmp_path=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "platform,workspace,giver,receiver,reason,values,badge,channel,given_at",
        "local,acme,ana,bob,the launch,#teamwork,,general,2026-12-01T09:00:00Z",
    ]
    lines = hearth(
        "export", "kudos", "--format", "jsonl", "--database", database, tmp_path=tmp_path
    ).stdout.splitlines()
    assert [json.loads(line)["receiver"] for line in lines] == ["bob", "dee"]
    missing = hearth(
        "export", "kudos", "--workspace", "nope", "--database", database, tmp_path=tmp_path
    )
    assert missing.returncode == 2
