"""Circles, anonymous questions and pulse surveys as a team lives them, in the local workspace."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.settings import Settings
from tests.conftest import Player, Run

TEAM = """
workspace acme tz=Europe/Paris locale=en community.questions_channel=ask
member ana role=admin
member bob role=manager
member kai
member zoe
member li
member mo
member ci-bot bot
clock 2026-12-01 09:00
in #team
"""
QUESTION = "Why did we change the roadmap in November?"


def said(run: Run, where: str) -> list[str]:
    return [line.split("hearth: ", 1)[1] for line in run.lines if f"{where} hearth: " in line]


def rows(settings: Settings) -> list[tuple[str, str]]:
    """Every row of every table of the database, as (table, row text)."""
    path = Path(settings.database_url.split("///", 1)[1])
    with sqlite3.connect(path) as db:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return [
            (table, " | ".join(map(str, row)))
            for table in tables
            for row in db.execute(f'SELECT * FROM "{table}"')
        ]


async def test_circles_gather_people_around_an_interest(player: Player) -> None:
    run = await player(
        TEAM
        + "kai: /circle create climbing #climbing bouldering on Thursdays\n"
        + 'expect "The circle climbing is open"\n'
        + "zoe: /circle join #Climbing\n"
        + 'expect "Welcome to the circle climbing!"\n'
        + "zoe: /circle join climbing\n"
        + 'expect "You are in the circle climbing already."\n'
        + "li: /circle\n"
        + 'expect "climbing · #climbing · 2 members · bouldering on Thursdays"\n'
        + "li: /circle members climbing\n"
        + 'expect "climbing: @kai, @zoe"\n'
        + "li: /circle create climbing again\n"
        + 'expect "The circle “climbing” exists already"\n'
        + "li: /circle join knitting\n"
        + 'expect "There is no circle “knitting”"\n'
        + "li: /circle create !!\n"
        + 'expect "Name the circle in a word"\n'
        + "li: /circle remove climbing\n"
        + 'expect "Only the circle\'s creator, managers and admins remove it."\n'
        + "zoe: /circle leave climbing\n"
        + "kai: /circle remove climbing\n"
        + 'expect "The circle climbing is removed."\n'
    )
    assert run.code == 0, run.text
    assert said(run, "[#climbing]") == ["@zoe joined the circle climbing: say hello!"]


async def test_an_anonymous_question_reaches_the_leaders_and_no_record_says_who_asked(
    player: Player, settings: Settings
) -> None:
    run = await player(TEAM + f"kai: /ask {QUESTION}\n" + 'expect "without your name"\n')
    assert run.code == 0, run.text
    posted = run.text.split("[#ask] hearth: ", 1)[1]
    assert posted.startswith("An anonymous question for the leaders")
    assert QUESTION in posted
    assert "kai" not in posted.split("[#ask thread]")[0]
    stored = [(table, row) for table, row in rows(settings) if "roadmap" in row]
    assert stored, "the question is kept"
    for table, row in stored:
        assert "kai" not in row, f"{table} ties the question to its author: {row}"
    inbox = [row for table, row in rows(settings) if table == "inbox"]
    assert all("roadmap" not in row for row in inbox), "the processed command is erased"


async def test_without_a_questions_channel_the_leaders_get_it_by_dm(player: Player) -> None:
    run = await player(
        TEAM.replace(" community.questions_channel=ask", "") + f"zoe: /ask {QUESTION}\n"
    )
    assert run.code == 0, run.text
    for leader in ("ana", "bob"):
        assert said(run, f"[dm {leader}]") == ["An anonymous question for the leaders"]
    assert said(run, "[dm kai]") == []


PULSE = (
    "bob: /pulse ask How was your week?\n"
    'kai: press "4" last\n'
    'zoe: press "3" last\n'
    'li: press "4" last\n'
    'mo: press "2" last\n'
)


async def test_a_pulse_shows_results_only_from_five_answers_and_counts_each_member_once(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + PULSE
        + 'kai: press "5" last\n'
        + 'expect "Your answer was counted already"\n'
        + "bob: /pulse results 1\n"
        + 'expect "4 answers so far: results show from 5 answers on"\n'
        + "wait 2d\n"
        + 'ana: press "5" last\n'
        + "wait 1d\n"
        + 'ana: press "1" last\n'
        + 'expect "or this pulse is closed"\n'
    )
    assert run.code == 0, run.text
    reminded = [line[:16] for line in run.lines if "closes tomorrow" in line]
    assert reminded == ["2026-12-03 09:00", "2026-12-03 09:00"]  # ana and bob had not answered
    results = run.text.split("[dm bob] hearth: Pulse 1 results", 1)[1]
    assert "5 answers, average 3.6 out of 5." in results
    assert "• 4: ██ 2" in results
    assert "ci-bot" not in run.text.split("bob: /pulse ask", 1)[1]


async def test_too_few_answers_never_show_results(player: Player) -> None:
    run = await player(TEAM + "bob: /pulse ask Quick check?\n" + 'kai: press "1" last\nwait 4d\n')
    assert run.code == 0, run.text
    results = run.text.split("Pulse 1 results", 1)[1]
    assert "1 answer so far: results show from 5 answers on" in results
    assert "█" not in results


async def test_no_record_ties_a_pulse_answer_to_who_gave_it(
    player: Player, settings: Settings
) -> None:
    run = await player(TEAM + PULSE + "wait 4d\n")
    assert run.code == 0, run.text
    for table, row in rows(settings):
        for who in ("kai", "zoe", "li", "mo"):
            if who in row.split(" | "):
                assert table in ("members", "pulse_answered", "outbox"), (table, row)
    with sqlite3.connect(Path(settings.database_url.split("///", 1)[1])) as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(pulse_answered)")]
        counts = sorted(db.execute("SELECT value, count FROM pulse_counts"))
    assert columns == ["pulse_id", "user_id"], "who answered, and nothing else"
    assert counts == [("2", 1), ("3", 1), ("4", 2)]


async def test_only_managers_run_pulses(player: Player) -> None:
    run = await player(
        TEAM
        + "kai: /pulse ask Anything?\n"
        + 'expect "Only managers and admins run pulse surveys."\n'
        + "bob: /pulse results 9\n"
        + 'expect "There is no pulse “9”"\n'
        + "bob: /pulse list\n"
        + 'expect "No pulse surveys yet"\n'
    )
    assert run.code == 0, run.text
