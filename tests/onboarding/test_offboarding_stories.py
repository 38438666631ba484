"""A warm offboarding as a team lives it, one story per test, in the local workspace."""

from __future__ import annotations

from tests.conftest import Player, Run

TEAM = """
workspace acme tz=Europe/Paris onboarding.channel=welcome offboarding.alumni_channel=alumni
member ana role=admin
member bob role=manager
member kai
member zoe
clock 2026-12-01 09:00
in #team
"""
START = "bob: /offboarding start @kai 2026-12-11\n"


def stamped(run: Run, where: str, text: str) -> list[str]:
    return [line[:16] for line in run.lines if f"{where} hearth: " in line and text in line]


async def test_the_person_leaving_and_their_manager_each_get_their_part(player: Player) -> None:
    run = await player(TEAM + START)
    assert run.code == 0, run.text
    leaving = run.text.split("[dm kai] hearth: ", 1)[1]
    assert leaving.startswith("Your last day is Friday, December 11, 2026.")
    assert "[ Hand over ]" in leaving
    assert "[ Stay in touch ]" in leaving
    manager = run.text.split("[dm bob] hearth: ", 1)[1]
    assert manager.startswith("@kai's offboarding has started")
    assert "[ Write a recommendation ]" in manager


async def test_the_handover_reaches_the_manager_and_the_recommendation_the_leaver(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + START
        + 'kai: press "Hand over" last\n'
        + "kai: submit what=the billing service; to=zoe\n"
        + 'bob: press "Write a recommendation" last\n'
        + "bob: submit text=A calm and generous engineer.\n"
        + 'bob: press "Feedback conversation held" last\n'
        + "bob: /offboarding status\n"
        + 'expect "✅ handover · ⬜ note · ⬜ alumni · ✅ feedback talk · ✅ recommendation"\n'
    )
    assert run.code == 0, run.text
    assert "@kai's handover" in run.text.split("[dm bob] hearth: ", 2)[2]
    assert "Taken over by: zoe" in run.text
    assert "@bob wrote you a recommendation:" in run.text
    assert "> A calm and generous engineer." in run.text


async def test_a_farewell_thread_opens_two_days_before_and_the_alumni_welcome_them(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + START
        + 'kai: press "Stay in touch" last\n'
        + "kai: submit stay=yes; contact=kai@example.org\n"
        + "wait 12d\n"
        + "bob: /offboarding status\n"
        + 'expect "Nobody is leaving right now."\n'
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#welcome]", "@kai's last day is Friday") == ["2026-12-09 10:00"]
    assert stamped(run, "[#welcome thread]", "Goodbyes for @kai") == ["2026-12-09 10:00"]
    assert stamped(run, "[dm kai]", "Today is your last day") == ["2026-12-11 10:00"]
    assert stamped(run, "[#alumni]", "@kai joins the alumni") == ["2026-12-11 10:00"]
    assert "Reach them at kai@example.org" in run.text


async def test_notes_for_future_projects_outlive_the_offboarding(player: Player) -> None:
    run = await player(
        TEAM
        + START
        + 'kai: press "Leave a note" last\n'
        + "kai: submit note=write the deploy runbook first\n"
        + "wait 12d\n"
        + "ana: /offboarding notes runbook\n"
        + 'expect "> write the deploy runbook first"\n'
        + "ana: /offboarding notes budget\n"
        + 'expect "No notes kept for future projects yet."\n'
    )
    assert run.code == 0, run.text


async def test_a_cancelled_offboarding_says_no_goodbye(player: Player) -> None:
    run = await player(
        TEAM + START + "bob: /offboarding cancel @kai\n" + 'expect "is cancelled"\n' + "wait 12d\n"
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#welcome]", "last day") == []
    assert stamped(run, "[dm kai]", "Today is your last day") == []


async def test_only_managers_start_one_and_bad_input_is_explained(player: Player) -> None:
    run = await player(
        TEAM
        + "kai: /offboarding start @zoe 2026-12-11\n"
        + 'expect "Only managers and admins run offboardings."\n'
        + "bob: /offboarding start @zoe\n"
        + 'expect "Name who leaves and their last day"\n'
        + "bob: /offboarding start @zoe 2026-11-30\n"
        + 'expect "That day has passed"\n'
        + "bob: /offboarding start @bob 2026-12-11\n"
        + 'expect "Another manager or an admin starts your own offboarding."\n'
        + "bob: /offboarding cancel @zoe\n"
        + 'expect "Nobody by that name is leaving."\n'
        + 'zoe: press "Hand over" last\n'
    )
    assert run.code == 2, "zoe has no offboarding message to press"
