"""Learning as a team lives it, one story per test, in the local workspace."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Player, Run

FRIDAY = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)

TEAM = """
workspace acme tz=Europe/Paris locale=en learning.channel=learning
member ana role=admin
member kai
member zoe tz=America/New_York
clock 2026-11-27 09:00
in #team
"""


def stamped(run: Run, where: str, text: str) -> list[str]:
    return [line[:16] for line in run.lines if f"{where} hearth: " in line and text in line]


async def test_learning_days_are_the_first_tuesday_and_thursday_of_each_month(
    player: Player,
) -> None:
    run = await player(TEAM + "wait 40d\n", start=FRIDAY)
    assert run.code == 0, run.text
    assert stamped(run, "[#learning]", "Today is a learning day") == [
        "2026-12-01 09:30",
        "2026-12-03 09:30",
        "2027-01-05 09:30",
    ]
    assert stamped(run, "[#learning thread]", "Nobody logged anything yet today") == [
        "2026-12-01 17:30",
        "2026-12-03 17:30",
        "2027-01-05 17:30",
    ]


async def test_admins_choose_other_learning_days_and_a_time(player: Player) -> None:
    run = await player(
        TEAM
        + "ana: /hearth set learning.days last fri\n"
        + "ana: /hearth set learning.time 14:00\n"
        + "wait 35d\n",
        start=FRIDAY,
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#learning]", "Today is a learning day") == [
        "2026-11-27 14:00",
        "2026-12-25 14:00",
    ]


async def test_a_logged_entry_builds_a_streak_that_weekends_do_not_break(player: Player) -> None:
    run = await player(
        TEAM
        + "kai: /learn how our deploys work #devops\n"
        + 'expect "Logged (entry 1). One percent smarter today!"\n'
        + "wait 1d\n"
        + "kai: /learn log a saturday read #books\n"
        + 'expect "A 2-day streak."\n'
        + "wait 2d\n"
        + "kai: /learn pitching in three minutes\n"
        + 'expect "A 3-day streak."\n'
        + "wait 2d\n"
        + "kai: /learn me\n"
        + 'expect "Streak: 0 days in a row (best: 3)."\n',
        start=FRIDAY,
    )
    assert run.code == 0, run.text


async def test_the_team_reads_what_others_learned_and_the_learning_day_recaps_it(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "wait 4d\n"
        + "kai: /learn lifetimes in Rust #rust\n"
        + "zoe: /learn a pitch in three minutes #storytelling\n"
        + "ana: /learn feed #rust\n"
        + 'expect "What the team learned this week about #rust"\n'
        + 'expect no "storytelling"\n'
        + "wait 1d\n",
        start=FRIDAY,
    )
    assert run.code == 0, run.text
    recap = run.text.split("[#learning thread] hearth: What we learned today", 1)[1]
    assert "@kai: lifetimes in Rust #rust" in recap
    assert "@zoe: a pitch in three minutes #storytelling" in recap


async def test_a_session_proposed_for_the_next_learning_day_is_announced_there(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "kai: /learn session Intro to Rust\n"
        + 'expect "Your session “Intro to Rust” is on the next learning day, Tuesday, December 1"\n'
        + 'zoe: press "I\'ll join" last\n'
        + 'expect "You are in!"\n'
        + 'zoe: press "I\'ll join" last\n'
        + 'expect "You are already in"\n'
        + "ana: /learn sessions\n"
        + 'expect "Intro to Rust · @kai · 1 joining"\n'
        + "wait 5d\n",
        start=FRIDAY,
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#learning thread]", "Session: Intro to Rust, by @kai.") == [
        "2026-12-01 09:30"
    ]
    assert "Today's session is in the thread" in run.text


async def test_bad_input_is_explained_and_changes_nothing(player: Player) -> None:
    long = "x" * 501
    run = await player(
        TEAM
        + "kai: /learn\n"
        + 'expect "Usage: /learn WHAT YOU LEARNED"\n'
        + f"kai: /learn {long}\n"
        + 'expect "Keep it under 500 characters"\n'
        + "kai: /learn forget 7\n"
        + 'expect "You have no entry number “7”"\n'
        + "kai: /learn session\n"
        + 'expect "Give your session a title"\n'
        + "kai: /learn me\n"
        + 'expect "Nothing logged this month yet"\n',
        start=FRIDAY,
    )
    assert run.code == 0, run.text
