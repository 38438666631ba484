"""Mentors for newcomers as a team lives it, one story per test, in the local workspace."""

from __future__ import annotations

from tests.conftest import Player, Run

TEAM = """
workspace acme tz=Europe/Paris locale=en onboarding.channel=welcome
member ana role=admin
member bob role=manager
member kai
member zoe
member ci-bot bot
clock 2026-12-01 09:00
in #team
kai: /mentor volunteer
zoe: /mentor volunteer
"""


def said(run: Run, where: str) -> list[str]:
    """What the bot said to a place, each message's first line."""
    return [line.split("hearth: ", 1)[1] for line in run.lines if f"{where} hearth: " in line]


def stamped(run: Run, where: str, text: str) -> list[str]:
    return [line[:16] for line in run.lines if f"{where} hearth: " in line and text in line]


async def test_each_newcomer_meets_a_mentor_and_the_welcome_thread_hears_it(
    player: Player,
) -> None:
    run = await player(TEAM + "join carol\njoin dan\njoin eve\n")
    assert run.code == 0, run.text
    assert said(run, "[dm carol]")[1] == "Meet your mentor: @kai."
    assert said(run, "[dm dan]")[1] == "Meet your mentor: @zoe."
    assert said(run, "[dm eve]")[1] == "Meet your mentor: @kai."
    assert said(run, "[dm kai]") == [
        "You are now @carol's mentor for their first 90 days. Thank you!",
        "You are now @eve's mentor for their first 90 days. Thank you!",
    ]
    assert "@kai will be @carol's mentor for their first months." in said(run, "[#welcome thread]")


async def test_when_nobody_is_free_the_managers_hear_it_and_one_names_a_mentor(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "workspace acme mentorship.max_mentees=1\n"
        + "join carol\njoin dan\njoin eve\n"
        + "bob: /mentor status\n"
        + 'expect "No mentor yet: @eve"\n'
        + "kai: /mentor assign @eve @ana\n"
        + 'expect "Only managers and admins name a newcomer\'s mentor."\n'
        + "bob: /mentor assign @eve @eve\n"
        + 'expect "A mentor is another person than the newcomer, and not a bot."\n'
        + "bob: /mentor assign @eve\n"
        + 'expect "Name the newcomer, then the mentor"\n'
        + "bob: /mentor assign @eve @ana\n"
        + 'expect "@ana now mentors @eve; both were told."\n'
    )
    assert run.code == 0, run.text
    for manager in ("ana", "bob"):
        assert said(run, f"[dm {manager}]")[0] == ("@eve joined and nobody is free to mentor them.")
    assert "Meet your mentor: @ana." in said(run, "[dm eve]")


async def test_a_mentor_who_leaves_is_replaced_and_a_newcomer_who_leaves_is_let_go(
    player: Player,
) -> None:
    run = await player(
        TEAM + "join carol\njoin dan\nleave kai\nleave dan\nbob: /mentor status\nwait 8d\n"
    )
    assert run.code == 0, run.text
    assert "Your mentor has left the team, so @zoe is your mentor now." in said(run, "[dm carol]")
    status = run.text.split("bob: /mentor status", 1)[1]
    assert "@kai mentors @carol · ended" in status
    assert "@zoe mentors @dan · ended" in status
    assert "@zoe mentors @carol · day 0" in status
    assert stamped(run, "[dm zoe]", "A week with") == ["2026-12-08 10:00"]
    assert "A week with @carol" in run.text


async def test_the_mentor_checks_in_and_the_mentorship_ends_with_feedback(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "join carol\nwait 91d\n"
        + 'carol: press "Tell us about it" last\n'
        + "carol: submit rating=0\n"
        + 'expect "Pick how much your mentor helped, from 1 to 5."\n'
        + "carol: /mentor feedback\n"
        + "carol: submit rating=5; note=always there\n"
        + 'expect "Thank you: your words help"\n'
        + "bob: /mentor status\n"
        + 'expect "@kai mentors @carol · ended · rated 5/5"\n'
        + "wait 7d\n"
    )
    assert run.code == 0, run.text
    assert stamped(run, "[dm kai]", "A week with @carol") == ["2026-12-08 10:00"]
    assert stamped(run, "[dm kai]", "A month with @carol") == ["2026-12-31 10:00"]
    assert stamped(run, "[dm kai]", "Your mentorship of @carol comes to an end") == [
        "2027-03-01 10:00"
    ]
    assert stamped(run, "[dm carol]", "Your mentorship with @kai comes to an end") == [
        "2027-03-01 10:00"
    ]


async def test_members_see_their_mentor_their_mentees_and_can_retire(player: Player) -> None:
    run = await player(
        TEAM
        + "join carol\n"
        + "carol: /mentor\n"
        + 'expect "Your mentor: @kai."\n'
        + "kai: /mentor\n"
        + 'expect "You mentor @carol (day 0)."\n'
        + "kai: /mentor retire\n"
        + 'expect "The ones you mentor keep you."\n'
        + "join dan\n"
        + "kai: /mentor\n"
        + 'expect "Would you mentor a newcomer?"\n'
        + "ana: /mentor feedback\n"
        + 'expect "You have no mentor to tell us about yet."\n'
        + "ana: /mentor status\n"
        + 'expect "Volunteers @zoe (1/3)"\n'
    )
    assert run.code == 0, run.text
    assert said(run, "[dm dan]")[1] == "Meet your mentor: @zoe."


async def test_admins_can_turn_automatic_pairing_off(player: Player) -> None:
    run = await player(TEAM + "ana: /hearth set mentorship.auto no\njoin carol\n")
    assert run.code == 0, run.text
    assert [line for line in said(run, "[dm carol]") if "mentor" in line] == []
