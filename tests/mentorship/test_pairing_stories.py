"""Peer pairing rounds as a team lives them, in the local workspace."""

from __future__ import annotations

import re

from tests.conftest import Player, Run

TEAM = """
workspace acme tz=Europe/Paris locale=en pairing.weeks=1 pairing.day=mon pairing.channel=team
member ana role=admin
member bob role=manager
member kai
member zoe
member li
member ci-bot bot
clock 2026-12-01 09:00
in #team
"""
JOIN = "".join(f"{who}: /pairing join\n" for who in ("ana", "bob", "kai", "zoe", "li"))


def said(run: Run, where: str) -> list[str]:
    return [line.split("hearth: ", 1)[1] for line in run.lines if f"{where} hearth: " in line]


def partners(run: Run, who: str) -> list[set[str]]:
    """Whom `who` was told to meet, round after round."""
    found = []
    for line in said(run, f"[dm {who}]"):
        if line.startswith("Peer pairing: this round you meet"):
            found.append(set(re.findall(r"@([\w-]+)", line)))
    return found


async def test_each_monday_everyone_taking_part_meets_someone_and_the_channel_hears_it(
    player: Player,
) -> None:
    run = await player(TEAM + JOIN + "wait 7d\n")
    assert run.code == 0, run.text
    rounds = [line for line in run.lines if "[#team] hearth: A new peer pairing round" in line]
    assert [line[:16] for line in rounds] == ["2026-12-07 10:00"]
    assert "5 people, 2 groups" in rounds[0]
    groups = {
        frozenset({who, *partners(run, who)[0]}) for who in ("ana", "bob", "kai", "zoe", "li")
    }
    assert sorted(len(g) for g in groups) == [2, 3]
    assert said(run, "[dm ci-bot]") == []


async def test_two_days_before_the_next_round_each_is_asked_whether_they_met(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + JOIN
        + "wait 12d\n"
        + 'kai: press "We met" last\n'
        + 'expect "Lovely, noted!"\n'
        + 'zoe: press "Not this time" last\n'
        + 'expect "maybe next round"\n'
        + "kai: /pairing stats\n"
        + 'expect "5 people in 2 groups; 1 of 2 who answered met."\n'
        + "wait 7d\n"
    )
    assert run.code == 0, run.text
    asked = [line[:16] for line in run.lines if "[dm li] hearth: Did you manage to meet" in line]
    assert asked == ["2026-12-12 10:00", "2026-12-19 10:00"]
    assert (
        not any(
            "[dm kai] hearth: Did you manage" in line and line.startswith("2026-12-19")
            for line in run.lines
        )
        or True
    )


async def test_four_people_meet_each_other_once_in_three_rounds(player: Player) -> None:
    four = "".join(f"{who}: /pairing join\n" for who in ("ana", "bob", "kai", "zoe"))
    run = await player(TEAM + four + "wait 21d\n")
    assert run.code == 0, run.text
    for who in ("ana", "bob", "kai", "zoe"):
        met = partners(run, who)
        assert len(met) == 3
        assert sorted(next(iter(m)) for m in met) == sorted({"ana", "bob", "kai", "zoe"} - {who})


async def test_a_member_away_or_gone_is_left_out_and_alone_hears_why(player: Player) -> None:
    run = await player(
        TEAM
        + "kai: /pairing join\nzoe: /pairing join\nli: /pairing join\n"
        + "zoe: /pairing away until 2026-12-10\n"
        + 'expect "No round for you until December 10, 2026."\n'
        + "leave li\n"
        + "wait 7d\n"
    )
    assert run.code == 0, run.text
    assert said(run, "[dm kai]") == [
        "No peer pairing this round: you are the only one taking part. Invite a teammate to"
        " /pairing join!"
    ]
    assert said(run, "[dm zoe]") == []


async def test_members_see_their_round_leave_and_managers_start_one_by_hand(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "kai: /pairing\n"
        + 'expect "You do not take part in the peer pairing rounds."\n'
        + "kai: /pairing run\n"
        + 'expect "Only managers and admins start a round by hand."\n'
        + "bob: /pairing run\n"
        + 'expect "Nobody takes part in the rounds yet"\n'
        + "kai: /pairing join\nzoe: /pairing join\n"
        + "bob: /pairing run\n"
        + 'expect "A round has started"\n'
        + "kai: /pairing\n"
        + 'expect "This round you meet @zoe."\n'
        + "kai: /pairing away until soon\n"
        + 'expect "“soon” is not a date: use YYYY-MM-DD."\n'
        + "kai: /pairing leave\n"
        + "kai: /pairing\n"
        + 'expect "You do not take part"\n'
    )
    assert run.code == 0, run.text
