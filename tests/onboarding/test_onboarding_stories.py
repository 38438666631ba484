"""A newcomer's first month as the team lives it, one story per test, in the local workspace."""

from __future__ import annotations

from datetime import datetime

from bot.chat import Message, Visibility
from bot.features import NEWCOMER_JOINED, Feature, Response, Signal, SignalListener
from tests.conftest import Player, Run

TEAM = """
workspace acme tz=Europe/Paris locale=en
member ana role=admin
member bob role=manager
member kai
member ci-bot bot
clock 2026-12-01 09:00
in #team
ana: /hearth set onboarding.channel #welcome
"""


def said(run: Run, where: str) -> list[str]:
    """What the bot said to a place ("[#welcome]", "[dm carol]"), each message's first line."""
    return [line.split("hearth: ", 1)[1] for line in run.lines if f"{where} hearth: " in line]


def stamped(run: Run, where: str, text: str) -> list[str]:
    """The local date and time of each bot line to a place containing text."""
    return [line[:16] for line in run.lines if f"{where} hearth: " in line and text in line]


INTRODUCE = (
    'carol: press "Introduce myself" last\n'
    "carol: submit interests=maps and trains; hobbies=climbing; "
    "photo=https://example.org/me.jpg; timezone=America/New_York\n"
)


async def test_a_newcomer_gets_a_welcome_thread_and_a_dm_with_the_first_week(
    player: Player,
) -> None:
    run = await player(TEAM + "join carol\n")
    assert run.code == 0, run.text
    assert said(run, "[#welcome]") == ["Please welcome @carol to the team! 👋"]
    assert said(run, "[#welcome thread]") == [
        "This thread is for @carol: say hello, share a tip for the first weeks, offer a virtual"
        " coffee. @carol will introduce themselves here too."
    ]
    dm = run.text.split("[dm carol] hearth: ", 1)[1]
    assert dm.startswith("Welcome, @carol! I am Hearth")
    assert "your welcome thread in #welcome" in dm
    assert "⬜ 1. Set up your accounts" in dm
    assert "⬜ 3. Have a first chat with your mentor" in dm
    assert "⬜ 4." not in dm, "the first DM shows the first week only"
    assert "[ Introduce myself ]" in dm
    assert "[ My checklist ]" in dm


async def test_the_introduction_goes_to_the_welcome_thread_once_and_sets_the_time_zone(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "join carol\n"
        + INTRODUCE
        + 'expect "Your time zone is now America/New_York"\n'
        + 'carol: press "Introduce myself" last\n'
        + "carol: submit interests=maps; hobbies=bouldering\n"
        + "carol: /hearth me\n"
        + 'expect "America/New_York"\n'
        + "carol: /onboarding\n"
        + 'expect "✅ 2. Introduce yourself"\n'
    )
    assert run.code == 0, run.text
    assert "Thank you! Your introduction is in your welcome thread." in run.text
    thread = said(run, "[#welcome thread]")
    assert thread[1] == "@carol introduces themselves"
    assert len(thread) == 2, "a changed introduction stays private"
    shared = run.text.split("@carol introduces themselves", 1)[1]
    assert "Interests: maps and trains" in shared
    assert "Hobbies: climbing" in shared
    assert "A photo they like: https://example.org/me.jpg" in shared


async def test_a_bad_photo_link_or_time_zone_is_refused_and_nothing_is_saved(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "join carol\n"
        + 'carol: press "Introduce myself" last\n'
        + "carol: submit interests=maps; hobbies=chess; photo=javascript:alert(1)\n"
        + 'expect "The photo must be a web link starting with https://. Nothing was saved."\n'
        + 'carol: press "Introduce myself" last\n'
        + "carol: submit interests=maps; hobbies=chess; timezone=Mars/Olympus\n"
        + 'expect "“Mars/Olympus” is not a time zone I know"\n'
        + "carol: /onboarding\n"
        + 'expect "⬜ 2. Introduce yourself"\n'
        + "carol: /hearth me\n"
        + 'expect no "Mars"\n'
    )
    assert run.code == 0, run.text
    assert len(said(run, "[#welcome thread]")) == 1, "nothing was shared"


async def test_without_a_welcome_channel_the_newcomer_still_gets_their_dm(player: Player) -> None:
    run = await player(
        TEAM.replace("ana: /hearth set onboarding.channel #welcome\n", "") + "join carol\n"
    )
    assert run.code == 0, run.text
    assert [line for line in run.lines if "[#" in line and "hearth:" in line] == []
    dm = said(run, "[dm carol]")
    assert dm
    assert dm[0].startswith("Welcome, @carol!")
    assert "Introduce yourself with the button below" in run.text


async def test_bots_and_members_who_come_back_are_not_welcomed_again(player: Player) -> None:
    run = await player(
        TEAM + "join robot bot\njoin carol\nleave carol\nwait 1d\njoin carol\n"
        "ana: /hearth set onboarding.welcome no\njoin dan\n"
    )
    assert run.code == 0, run.text
    assert said(run, "[#welcome]") == ["Please welcome @carol to the team! 👋"]
    assert said(run, "[dm robot]") == []
    assert said(run, "[dm dan]") == []


async def test_steps_are_ticked_by_number_or_from_a_form_and_a_wrong_number_is_explained(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "join carol\n"
        + "carol: /onboarding done 1\n"
        + 'expect "✅ Step 1 is done. Week 1 of 4: 1 of 12 steps done."\n'
        + "carol: /onboarding done 99\n"
        + 'expect "There is no step “99”: your checklist has steps 1 to 12."\n'
        + "carol: /onboarding undo 1\n"
        + 'expect "⬜ Step 1 is open again. Week 1 of 4: 0 of 12 steps done."\n'
        + "carol: /onboarding\n"
        + 'carol: press "Tick a step" last\n'
        + "carol: submit step=4\n"
        + 'expect "✅ Step 4 is done."\n'
        + "kai: /onboarding done 1\n"
        + 'expect "You are not in the onboarding program. A manager can start it for you."\n'
    )
    assert run.code == 0, run.text


async def test_the_month_brings_a_dm_each_week_and_managers_hear_who_falls_behind(
    player: Player,
) -> None:
    run = await player(TEAM + "join carol\ncarol: /onboarding done 1\nwait 29d\n")
    assert run.code == 0, run.text
    assert stamped(run, "[dm carol]", "How was your first day?") == ["2026-12-02 10:00"]
    assert stamped(run, "[dm carol]", "of 4:") == [
        "2026-12-08 10:00",
        "2026-12-15 10:00",
        "2026-12-22 10:00",
    ]
    assert stamped(run, "[dm carol]", "Your first month is over") == ["2026-12-29 10:00"]
    # Two steps of earlier weeks open as each week starts: each manager hears, once a week.
    for manager in ("ana", "bob"):
        assert stamped(run, f"[dm {manager}]", "may need a hand") == [
            "2026-12-08 10:00",
            "2026-12-15 10:00",
            "2026-12-22 10:00",
        ]
    assert said(run, "[dm kai]") == []


async def test_a_newcomer_on_track_is_not_flagged_and_not_nudged_once_introduced(
    player: Player,
) -> None:
    ticks = "".join(f"carol: /onboarding done {n}\n" for n in (1, 3, 4, 5, 6, 7, 8, 9))
    run = await player(TEAM + "join carol\n" + INTRODUCE + ticks + "wait 27d\n")
    assert run.code == 0, run.text
    assert stamped(run, "[dm carol]", "How was your first day?") == []
    assert stamped(run, "[dm ana]", "may need a hand") == []
    assert stamped(run, "[dm bob]", "may need a hand") == []


async def test_feedback_closes_the_month_and_managers_see_it_in_the_status(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "join carol\n"
        + "wait 29d\n"
        + 'carol: press "Share feedback" last\n'
        + "carol: submit rating=9; helped=x\n"
        + 'expect "Pick how welcome you felt, from 1 to 5."\n'
        + 'carol: press "Share feedback" last\n'
        + "carol: submit rating=4; helped=the welcome thread; improve=more coffee\n"
        + 'expect "Thank you for your feedback"\n'
        + "bob: /onboarding status\n"
        + 'expect "@carol · joined December 1, 2026 · First month over: 1 of 12 steps done.'
        + ' · no introduction yet · felt welcome: 4/5"\n'
        + "wait 7d\n"
    )
    assert run.code == 0, run.text
    assert len(stamped(run, "[dm carol]", "Your first month is over")) == 1


async def test_a_member_who_leaves_hears_nothing_more(player: Player) -> None:
    run = await player(
        TEAM + "join carol\nwait 3d\nleave carol\nwait 30d\nbob: /onboarding status\n"
    )
    assert run.code == 0, run.text
    assert [line for line in said(run, "[dm carol]") if "of 4:" in line] == []
    assert "@carol · joined December 1, 2026" in run.text
    assert "· left" in run.text


async def test_only_managers_see_the_status_start_the_program_or_change_it(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "kai: /onboarding status\n"
        + 'expect "Only managers and admins see every newcomer\'s progress."\n'
        + "kai: /onboarding start @kai\n"
        + 'expect "Only managers and admins start the program for someone."\n'
        + "kai: /onboarding steps add 2 Read the wiki\n"
        + 'expect "Only managers and admins change the program."\n'
        + "bob: /onboarding status\n"
        + 'expect "No newcomers in their first month right now."\n'
        + "bob: /onboarding start @kai\n"
        + 'expect "The onboarding program has started for @kai"\n'
        + "bob: /onboarding start @kai\n"
        + 'expect "kai is in the program already."\n'
        + "bob: /onboarding start @ci-bot\n"
        + 'expect "I do not know that member here."\n'
    )
    assert run.code == 0, run.text
    assert said(run, "[#welcome]") == ["Please welcome @kai to the team! 👋"]
    assert said(run, "[dm kai]")[0].startswith("Welcome, @kai!")


async def test_managers_add_their_own_steps_and_hide_shipped_ones(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: /onboarding steps add 1 Meet the design team\n"
        + "bob: /onboarding steps remove 3\n"
        + "bob: /onboarding steps add 7 Nothing\n"
        + 'expect "Week (1 to 4), then the step"\n'
        + "join carol\n"
        + "carol: /onboarding steps\n"
    )
    assert run.code == 0, run.text
    listing = run.text.rsplit("carol: /onboarding steps", 1)[1]
    assert "⬜ 3. Meet the design team" in listing
    assert "Have a first chat with your mentor" not in listing
    assert "⬜ 12. Tell us how your first month went" in listing
    dm = run.text.split("[dm carol] hearth: ", 1)[1]
    assert "⬜ 3. Meet the design team" in dm


async def test_the_home_shows_the_newcomers_next_steps_and_managers_who_needs_attention(
    player: Player,
) -> None:
    run = await player(TEAM + "join carol\nwait 15d\ncarol: open home\nbob: open home\n")
    assert run.code == 0, run.text
    carol = run.text.split("carol: opened the home tab", 1)[1].split("bob: opened", 1)[0]
    assert "Your first month" in carol
    assert "Week 3 of 4: 0 of 12 steps done." in carol
    assert "⬜ 1. Set up your accounts" in carol
    assert "⬜ 7. Read the team's values" in carol
    assert "⬜ 10." not in carol
    bob = run.text.split("bob: opened the home tab", 1)[1]
    assert "Newcomers: 1 in their first month." in bob
    assert "1 needs attention" in bob


async def test_a_french_speaking_newcomer_is_welcomed_in_french(player: Player) -> None:
    run = await player(TEAM + "join carol locale=fr\n")
    assert run.code == 0, run.text
    dm = run.text.split("[dm carol] hearth: ", 1)[1]
    assert dm.startswith("Bienvenue, @carol !")
    assert "Semaine 1 sur 4 : la plateforme" in dm
    assert "[ Me présenter ]" in dm


class Mentors:
    """A stand-in slice that pairs a mentor when onboarding announces a newcomer."""

    async def paired(self, signal: Signal, now: datetime) -> Response:
        return Message(
            "hearth/error",
            {"reason": "your mentor is bob"},
            visibility=Visibility.DM,
            to=signal.data["user_id"],
        )


async def test_other_slices_hear_that_a_newcomer_joined(player: Player) -> None:
    listening = Feature(
        name="mentors", signals=(SignalListener(NEWCOMER_JOINED, Mentors().paired),)
    )
    run = await player(TEAM + "join carol\n", listening)
    assert run.code == 0, run.text
    assert "your mentor is bob" in run.text.split("[dm carol]", 2)[2]
