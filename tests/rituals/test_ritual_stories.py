"""Rituals as a team lives them, one story per test, played in the local workspace."""

from __future__ import annotations

import re

from bot.rituals.banks import shipped
from bot.rituals.rotation import queue
from tests.conftest import Player, Run

TEAM = """
workspace acme tz=Europe/Paris locale=en
member ana role=admin
member bob role=manager
member li locale=fr
member kai
member zoe
member ci-bot bot
clock 2026-12-01 09:00
in #team
"""


def said(run: Run, where: str) -> list[str]:
    """What the bot said to a place ("[#team]", "[dm kai]"), each message's first line."""
    return [line.split("hearth: ", 1)[1] for line in run.lines if f"{where} hearth: " in line]


def stamped(run: Run, where: str, text: str) -> list[str]:
    """The local date and time (YYYY-MM-DD HH:MM) of each bot line to a place containing text."""
    return [line[:16] for line in run.lines if f"{where} hearth: " in line and text in line]


async def test_a_member_cannot_create_a_ritual_and_is_told_who_can(player: Player) -> None:
    run = await player(
        TEAM
        + "kai: /ritual add watercooler every monday 16:00\n"
        + 'expect "Only managers and admins manage rituals. Ask one of them: @ana, @bob."\n'
        + "kai: /ritual pause 1\nkai: /ritual run-now 1\n"
        + "wait 2w\n"
        + "kai: /ritual list\n"
        + 'expect "No rituals here yet"\n'
    )
    assert run.code == 0, run.text
    assert said(run, "[#team]") == []
    assert len(said(run, "[#team -> kai only]")) == 4


async def test_a_watercooler_posts_a_question_every_monday_and_opens_a_thread(
    player: Player,
) -> None:
    run = await player(TEAM + "bob: /ritual add watercooler every monday 16:00 in #team\nwait 3w\n")
    assert run.code == 0, run.text
    assert stamped(run, "[#team]", "Watercooler question") == [
        "2026-12-07 16:00",
        "2026-12-14 16:00",
        "2026-12-21 16:00",
    ]
    assert len(stamped(run, "[#team thread]", "Answer in this thread")) == 3
    questions = [line for line in run.lines if line.startswith("    > ")]
    assert len(questions) == 3
    assert len(set(questions)) == 3, "a question came back before the bank was used up"


async def test_the_list_shows_number_type_schedule_channel_state_and_next_time(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add watercooler weekdays 09:30 in #random\n"
        + "bob: /ritual add spotlight every friday 15:30 in #team tz=America/New_York\n"
        + "bob: /ritual pause 1\n"
        + "zoe: /ritual list\n"
    )
    assert run.code == 0, run.text
    listing = run.text.split("zoe: /ritual list", 1)[1]
    assert "#1 Watercooler: weekdays 09:30 (Europe/Paris) in #random · paused" in listing
    assert (
        "#2 Get to know a team member: every friday 15:30 (America/New_York) in #team"
        " · next: Friday, December 4, 2026, 15:30" in listing
    )


async def test_a_schedule_error_points_at_the_word_that_does_not_fit(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add watercooler every fryday 16:00\n"
        + 'expect "At “fryday” (word 2) I expected a day of the week, like monday."\n'
        + "bob: /ritual add watercooler every monday\n"
        + 'expect "It ends too soon: I expected a time"\n'
        + "bob: /ritual add watercooler twice a year on 2027-03-15 in #team\n"
        + 'expect "as many dates as the schedule says"\n'
        + "bob: /ritual add meeting every monday 10:00\n"
        + 'expect "There is no ritual type “meeting”"\n'
        + "bob: /ritual add watercooler every monday 10:00 tz=Mars/Olympus\n"
        + 'expect "is not a time zone I know"\n'
        + "bob: /ritual list\n"
        + 'expect "No rituals here yet"\n'
    )
    assert run.code == 0, run.text


async def test_pause_stops_posts_and_resume_does_not_catch_up(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add custom every day 10:00 in #team text=Good morning, team!\n"
        + "wait 2d\n"
        + "bob: /ritual pause 1\n"
        + 'expect "Paused."\n'
        + "wait 3d\n"
        + "bob: /ritual resume 1\n"
        + 'expect "Resumed."\n'
        + "wait 2d\n"
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#team]", "Good morning, team!") == [
        "2026-12-01 10:00",
        "2026-12-02 10:00",
        "2026-12-06 10:00",
        "2026-12-07 10:00",
    ]


async def test_edit_changes_the_schedule_and_channel_from_now_on(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add custom every monday 10:00 in #team text=Weekly kickoff\n"
        + "wait 1w\n"
        + "bob: /ritual edit 1 every tuesday 11:00 in #general\n"
        + 'expect "Changed."\n'
        + 'expect no "every monday"\n'
        + "wait 2w\n"
        + "bob: /ritual remove 1\n"
        + 'expect "Removed."\n'
        + "wait 2w\n"
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#team]", "Weekly kickoff") == ["2026-12-07 10:00"]
    assert stamped(run, "[#general]", "Weekly kickoff") == ["2026-12-08 11:00", "2026-12-15 11:00"]


async def test_preview_shows_the_next_five_times_and_the_first_message(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add custom first tuesday and first thursday 10:00 text=Learning day!\n"
        + "bob: /ritual preview 1\n"
    )
    assert run.code == 0, run.text
    preview = run.text.split("bob: /ritual preview 1", 1)[1]
    times = re.findall(r"• (\w+day, \w+ \d+, \d{4}, \d\d:\d\d)", preview)
    assert times == [
        "Tuesday, December 1, 2026, 10:00",
        "Thursday, December 3, 2026, 10:00",
        "Tuesday, January 5, 2027, 10:00",
        "Thursday, January 7, 2027, 10:00",
        "Tuesday, February 2, 2027, 10:00",
    ]
    assert said(run, "[#team -> bob only]")[-1] == "Learning day!"
    assert said(run, "[#team]") == []


async def test_run_now_posts_at_once_and_keeps_the_schedule(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add watercooler every monday 16:00 in #team\n"
        + "bob: /ritual run-now 1\n"
        + 'expect "Ritual #1 ran now"\n'
        + "wait 1w\n"
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#team]", "Watercooler question") == [
        "2026-12-01 09:00",
        "2026-12-07 16:00",
    ]


async def test_everyone_takes_the_spotlight_once_before_anyone_twice(player: Player) -> None:
    run = await player(
        TEAM + "bob: /ritual add spotlight every friday 15:30 in #team newcomers=0\n" + "wait 10w\n"
    )
    assert run.code == 0, run.text
    posts = [p for p in said(run, "[#team]") if p.startswith("Get to know a team member")]
    speakers = [re.findall(r"@([\w-]+)!", p)[0] for p in posts]
    assert len(speakers) == 10
    assert sorted(speakers[:5]) == ["ana", "bob", "kai", "li", "zoe"]
    assert speakers[5:] == speakers[:5]
    assert "ci-bot" not in speakers
    dms = [
        line[:16] for line in run.lines if re.search(r"\[dm \w+\] hearth: @\w+, (you|votre)", line)
    ]
    assert dms[:2] == ["2026-12-02 15:30", "2026-12-09 15:30"]  # two days ahead


async def test_the_speaker_swaps_to_another_week_and_is_first_in_line_after(
    player: Player,
) -> None:
    speaker = queue(["ana", "bob", "li", "kai", "zoe"], [], salt="1")[0]
    run = await player(
        TEAM.replace("member li locale=fr", "member li")
        + "bob: /ritual add spotlight every friday 15:30 in #team newcomers=0\n"
        + "wait 2d\n"
        + f'expect "@{speaker}, you are in the spotlight on Friday, December 4, 2026"\n'
        + f'{speaker}: press "Swap to another week" last\n'
        + 'expect "Done: someone else takes the spotlight on Friday, December 4, 2026"\n'
        + "wait 10d\n"
    )
    assert run.code == 0, run.text
    posts = [p for p in said(run, "[#team]") if p.startswith("Get to know a team member")]
    assert f"@{speaker}!" not in posts[0]
    assert f"@{speaker}!" in posts[1]
    successor = re.findall(r"@([\w-]+)!", posts[0])[0]
    assert stamped(run, f"[dm {successor}]", "you are in the spotlight") == ["2026-12-03 09:00"]


async def test_opted_out_away_and_departed_members_are_skipped(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add spotlight every friday 15:30 in #team newcomers=0\n"
        + "ana: /ritual optout spotlight\n"
        + 'expect "Spotlights: you skip them."\n'
        + "li: /ritual away until 2027-03-01\n"
        + "kai: /ritual optout 1\n"
        + "leave zoe\n"
        + "wait 3w\n"
    )
    assert run.code == 0, run.text
    posts = [p for p in said(run, "[#team]") if p.startswith("Get to know a team member")]
    assert posts == ["Get to know a team member: this week, @bob!"] * 3


async def test_a_newcomer_waits_their_first_weeks_then_joins_before_anyone_speaks_twice(
    player: Player,
) -> None:
    run = await player(
        TEAM + "bob: /ritual add spotlight every friday 15:30 in #team\njoin newbie\nwait 6w\n"
    )
    assert run.code == 0, run.text
    posts = [p for p in said(run, "[#team]") if p.startswith("Get to know a team member")]
    speakers = [re.findall(r"@([\w-]+)!", p)[0] for p in posts]
    assert "newbie" not in speakers[:2]  # 14 days by default
    assert sorted(speakers) == ["ana", "bob", "kai", "li", "newbie", "zoe"]


async def test_a_celebration_digest_celebrates_weekend_birthdays_on_friday(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add celebration every friday 16:00 in #team\n"
        + "kai: /ritual birthday 12-05\n"  # a Saturday in 2026
        + "li: /ritual started 2023-12-08\n"
        + "zoe: /ritual birthday 12-06\n"
        + "zoe: /ritual optout celebrations\n"
        + "ana: /ritual win we shipped the new onboarding\n"
        + "ana: /kudos @kai for the release notes\n"
        + "wait 4d\n"
    )
    assert run.code == 0, run.text
    digest = run.text.split("2026-12-04 16:00 [#team] hearth: Let's celebrate", 1)[1]
    assert "@ana: we shipped the new onboarding" in digest
    assert "1 kudos to 1 person this week." in digest
    assert "@kai, 5 December" in digest
    assert "@li: 3 years with us (8 December)" in digest
    assert "@zoe" not in digest


async def test_a_gathering_counts_down_takes_rsvps_and_briefs_the_organiser(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add gathering on 2026-12-20 10:00 in #team countdown=7d,1d"
        + " text=Winter all-hands\n"
        + "wait 13d\n"
        + 'expect "Winter all-hands: in 1 week!"\n'
        + 'kai: press "I\'ll be there" last\n'
        + 'expect "you are counted in"\n'
        + 'li: press "Maybe" last\n'
        + 'zoe: press "Share what you need" last\n'
        + "zoe: submit needs=a quiet room; hopes=a clear roadmap\n"
        + 'expect "the organiser will read it"\n'
        + "wait 6d\n"
        + "wait 1d\n"
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#team]", "Winter all-hands: in") == [
        "2026-12-13 10:00",
        "2026-12-19 10:00",
    ]
    summary = run.text.split("[dm bob] hearth: Winter all-hands: where things stand", 1)[1]
    assert "Coming: 1" in summary
    assert "Maybe: 1" in summary
    assert "@zoe: a quiet room / a clear roadmap" in summary
    assert stamped(run, "[#team]", "Winter all-hands starts now!") == ["2026-12-20 10:00"]


async def test_a_coworking_session_is_announced_and_reminds_those_who_joined(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add coworking every thursday 14:00 in #team text=deep work\n"
        + "wait 30h\n"
        + 'expect "Co-working session: Thursday, December 3, 2026 at 14:00."\n'
        + 'kai: press "Join" last\n'
        + 'expect "You joined the co-working session"\n'
        + "wait 2d\n"
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#team]", "Co-working starts now") == ["2026-12-03 14:00"]
    assert stamped(run, "[dm kai]", "Your co-working session starts now") == ["2026-12-03 14:00"]
    assert said(run, "[dm zoe]") == []


async def test_a_checkin_collects_answers_by_form_and_posts_one_summary_in_the_thread(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add checkin every monday 09:30 in #team summary=2h"
        + " text=What is your focus this week?\n"
        + "wait 145h\n"
        + 'kai: press "Answer" last\n'
        + "kai: submit answer=the release\n"
        + 'li: press "Answer" last\n'
        + "li: submit answer=les tests\n"
        + "wait 3h\n"
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#team]", "Check-in") == ["2026-12-07 09:30"]
    assert stamped(run, "[#team thread]", "Check-in summary: 2 answers.") == ["2026-12-07 11:30"]
    summary = run.text.split("Check-in summary: 2 answers.", 1)[1]
    assert "@kai: the release" in summary
    assert "@li: les tests" in summary


async def test_a_checkin_by_dm_asks_each_participant_privately(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add checkin weekdays 09:00 in #team dm=yes\n"
        + "zoe: /ritual optout 1\n"
        + "wait 1d\n"
    )
    assert run.code == 0, run.text
    asked = {
        name for name in ("ana", "bob", "li", "kai", "zoe", "ci-bot") if said(run, f"[dm {name}]")
    }
    assert asked == {"ana", "bob", "li", "kai"}


async def test_managers_use_a_form_when_they_add_without_words(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: /ritual add\n"
        + 'expect "Schedule a ritual: kind (Type), schedule"\n'
        + "bob: submit kind=custom; schedule=every friday 17:00; channel=#team; text=Demo time!\n"
        + 'expect "Scheduled."\n'
        + "bob: /ritual edit 1\n"
        + "bob: submit schedule=every friday 18:00; channel=team; timezone=Europe/Paris\n"
        + 'expect "every friday 18:00"\n'
        + "wait 4d\n"
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#team]", "Demo time!") == ["2026-12-04 18:00"]


async def test_a_french_team_reads_rituals_in_french(player: Player) -> None:
    run = await player(
        TEAM.replace("locale=en", "locale=fr")
        + "bob: /ritual add watercooler every monday 16:00 in #team\n"
        + "wait 1w\n"
    )
    assert run.code == 0, run.text
    assert stamped(run, "[#team]", "Question machine à café") == ["2026-12-07 16:00"]
    question = next(line for line in run.lines if line.startswith("    > "))
    assert question.removeprefix("    > ") in {q.text("fr") for q in shipped("watercooler")}
