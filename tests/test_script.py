"""The local workspace's script language: every line kind, and clear errors."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.chat import Role
from bot.platforms import script


@pytest.mark.parametrize(
    ("line", "step"),
    [
        (
            "workspace acme tz=Europe/Paris locale=en",
            script.DeclareWorkspace("acme", timezone="Europe/Paris", locale="en"),
        ),
        (
            "workspace acme kudos.allowance=7",
            script.DeclareWorkspace("acme", settings=(("kudos.allowance", "7"),)),
        ),
        (
            "member ana role=manager tz=Europe/Paris locale=fr",
            script.DeclareMember("ana", role=Role.MANAGER, timezone="Europe/Paris", locale="fr"),
        ),
        ("member bob", script.DeclareMember("bob")),
        ("member ci-bot bot", script.DeclareMember("ci-bot", is_bot=True)),
        (
            "join carol tz=America/New_York        # a member joins",
            script.DeclareMember("carol", timezone="America/New_York", joins=True),
        ),
        ("leave carol", script.Leave("carol")),
        ("in #general", script.Enter("general")),
        ("in dm", script.Enter(None)),
        ("clock 2026-12-01 09:00", script.SetClock(datetime(2026, 12, 1, 9, 0))),
        ("wait 3d", script.Wait(timedelta(days=3))),
        ("wait 90m", script.Wait(timedelta(minutes=90))),
        ("wait 2w", script.Wait(timedelta(weeks=2))),
        ("ana: /kudos @bob for the review", script.Say("ana", "/kudos @bob for the review")),
        ("ana: thanks @bob++", script.Say("ana", "thanks @bob++")),
        ("bob: react :tada: last", script.React("bob", "tada", add=True)),
        ("bob: unreact :tada: last", script.React("bob", "tada", add=False)),
        ("bob: react :taco: @ana", script.React("bob", "taco", add=True, author="ana")),
        ("ana: delete last", script.Delete("ana")),
        ('carol: press "Done" last', script.Press("carol", "Done")),
        (
            "carol: submit hobbies=climbing; photo=https://example.org/me.jpg",
            script.Submit(
                "carol", (("hobbies", "climbing"), ("photo", "https://example.org/me.jpg"))
            ),
        ),
        ('expect "kudos"', script.Expect("kudos")),
        ('expect no "error"', script.Expect("error", present=False)),
    ],
)
def test_each_line_kind_parses_to_its_step(line: str, step: script.Step) -> None:
    assert script.parse_line(line, 1) == step


@pytest.mark.parametrize("line", ["", "   ", "# a comment", "  # indented comment"])
def test_blank_lines_and_comments_are_no_steps(line: str) -> None:
    assert script.parse_line(line, 1) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("clock tomorrow", "expected `clock YYYY-MM-DD HH:MM`"),
        ("wait 3 days", "expected `wait N` with a unit"),
        ("workspace acme tz=Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("member ana role=boss", "unknown role 'boss'"),
        ("member ana colour=red", "unexpected 'colour=red'"),
        ("in general", "expected `in #channel` or `in dm`"),
        ("bob: react tada last", "expected `bob: react :emoji: last`"),
        ("ana: delete first", "expected `ana: delete last`"),
        ("carol: press Mark done last", 'expected `carol: press "Label" last`'),
        ("carol: submit nothing", "expected `carol: submit field=value"),
        ("expect two words", 'expected `expect "text"`'),
        ("dance all night", "unknown line 'dance all night'"),
        ("ana:", "expected something after `ana:`"),
    ],
)
def test_a_malformed_line_says_what_was_expected(line: str, expected: str) -> None:
    with pytest.raises(script.ScriptError) as raised:
        script.parse_line(line, 7)
    assert raised.value.line == 7
    assert expected in str(raised.value)


def test_a_script_reports_the_first_malformed_line_by_number() -> None:
    source = "workspace acme\nmember ana\n\nclock soon\nwait 1x\n"
    with pytest.raises(script.ScriptError, match=r"^line 4: "):
        script.parse(source)


def test_a_script_keeps_line_numbers_for_its_steps() -> None:
    lines = script.parse("# tour\nworkspace acme\n\nmember ana\n")
    assert [(line.number, line.step) for line in lines] == [
        (2, script.DeclareWorkspace("acme")),
        (4, script.DeclareMember("ana")),
    ]
