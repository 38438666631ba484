"""Kudos as people use them, one story per test, played in the local workspace."""

from __future__ import annotations

from tests.conftest import Player, Run

TEAM = """
workspace acme tz=Europe/Paris locale=en
member ana role=admin
member bob
member li locale=fr
member kai tz=America/New_York
member ci-bot bot
clock 2026-12-01 09:00
in #general
"""


def said(run: Run, where: str) -> list[str]:
    """Lines the bot sent to a place, e.g. "[#general]" or "[dm bob]"."""
    return [line.split("hearth: ", 1)[1] for line in run.lines if f"{where} hearth: " in line]


async def test_a_command_thanks_several_people_with_a_reason_and_a_value(player: Player) -> None:
    run = await player(TEAM + "ana: /kudos @bob @li for the launch #teamwork\n")
    assert run.code == 0, run.text
    assert "🎉 @ana gave kudos to @bob, @li: the launch" in said(run, "[#general]")
    assert "    #teamwork" in run.lines
    assert said(run, "[dm bob]")[0] == "@ana gave you kudos."
    assert said(run, "[dm li]")[0] == "@ana vous a envoyé des kudos."
    confirmation = said(run, "[#general -> ana only]")[0]
    assert confirmation == "Sent to @bob, @li."


async def test_slack_and_discord_mentions_resolve_like_names(player: Player) -> None:
    run = await player(TEAM + "ana: /kudos <@bob|bob> and <@!li> for the demo\n")
    assert "🎉 @ana gave kudos to @bob, @li: and for the demo" in said(run, "[#general]")


async def test_plus_plus_messages_and_emoji_give_kudos(player: Player) -> None:
    run = await player(
        TEAM
        + "ana: thanks @bob++ for the review\n"
        + "kai: {@bob, @li}++ great pairing\n"
        + "li: merci @kai :tada:\n"
    )
    channel = said(run, "[#general]")
    assert "🎉 @ana gave kudos to @bob: thanks for the review" in channel
    assert "🎉 @kai gave kudos to @bob, @li: great pairing" in channel
    assert "🎉 @li gave kudos to @kai: merci" in channel


async def test_code_and_cpp_are_not_kudos(player: Player) -> None:
    run = await player(TEAM + "ana: I write c++ and `@bob++` in code\nana: /kudos board\n")
    assert not any("gave kudos" in line for line in run.lines)


async def test_a_reaction_thanks_the_author_and_removing_it_takes_it_back(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: here is the fix\nana: react :tada: @bob\nkai: /kudos stats @bob\n"
        + 'expect "Received: 1"\n'
        + "ana: unreact :tada: @bob\nkai: /kudos stats @bob\n"
        + 'expect "Received: 0"\n'
    )
    assert run.code == 0, run.text
    assert "🎉 @ana gave kudos to @bob!" in said(run, "[#general]")


async def test_a_reaction_with_another_emoji_or_on_your_own_message_gives_nothing(
    player: Player,
) -> None:
    run = await player(TEAM + "bob: hello\nana: react :thumbsup: @bob\nbob: react :tada: @bob\n")
    assert not any("gave kudos" in line for line in run.lines)


async def test_deleting_the_message_reverses_its_kudos(player: Player) -> None:
    run = await player(
        TEAM
        + "ana: thanks @bob++\nana: delete last\nkai: /kudos stats @bob\n"
        + 'expect "Received: 0"\n'
    )
    assert run.code == 0, run.text


async def test_undo_takes_back_the_last_gift_within_ten_minutes(player: Player) -> None:
    run = await player(
        TEAM
        + "ana: /kudos @bob for the docs\nwait 5m\nana: /kudos undo\n"
        + 'expect "Undone: the kudos to @bob"\n'
        + "ana: /kudos @bob for the tests\nwait 11m\nana: /kudos undo\n"
        + 'expect "no kudos from the last 10 minutes"\n'
    )
    assert run.code == 0, run.text


async def test_every_refusal_is_private_and_stores_nothing(player: Player) -> None:
    run = await player(
        TEAM
        + "ana: /kudos @ana for me\nana: /kudos @ci-bot\nana: /kudos @zed\n"
        + "ana: /kudos for nobody\nana: /kudos @bob badge:wizard\n"
        + "in dm\nana: /kudos @bob from a dm\nin #general\n"
        + "bob: /kudos board all\n"
        + 'expect "No kudos yet"\n'
    )
    assert run.code == 0, run.text
    refusals = said(run, "[#general -> ana only]") + said(run, "[dm hearth]")
    assert any("cannot give them to yourself" in r for r in refusals)
    assert any("ci-bot is a bot" in r for r in refusals)
    assert any("cannot find zed" in r for r in refusals)
    assert any("Who is it for?" in r for r in refusals)
    assert any("no badge called wizard" in r for r in refusals)
    assert not any("gave kudos" in line for line in run.lines)


async def test_a_dm_to_the_bot_is_refused_unless_the_workspace_allows_it(player: Player) -> None:
    run = await player(
        TEAM + "in dm\nbob: /kudos @li for the help\n" + 'expect "given in a channel here"\n'
        "workspace acme kudos.allow_dm=yes\nbob: /kudos @li for the help\n"
        + 'expect "Sent privately to @li"\n'
    )
    assert run.code == 0, run.text


async def test_the_allowance_runs_out_and_resets_at_the_givers_midnight(player: Player) -> None:
    run = await player(
        TEAM.replace("locale=en", "locale=en kudos.allowance=2")
        + "kai: /kudos @bob @li for the launch\nkai: /kudos @bob again\n"
        + 'expect "You have given all your kudos for now"\n'
        # 23:30 in Paris is 17:30 in New York: still kai's day.
        + "clock 2026-12-01 23:30\nkai: /kudos @bob\n"
        + 'expect "You have given all your kudos"\n'
        # 06:30 in Paris is 00:30 in New York: a new day for kai.
        + "clock 2026-12-02 06:30\nkai: /kudos @bob\n"
        + 'expect "Sent to @bob"\n'
    )
    assert run.code == 0, run.text


async def test_private_kudos_are_seen_only_by_giver_and_receiver(player: Player) -> None:
    run = await player(TEAM + "ana: /kudos @bob private for the feedback\n")
    assert not any("gave kudos" in line for line in said(run, "[#general]"))
    assert said(run, "[dm bob]")[0] == "@ana sent you private kudos."
    assert said(run, "[#general -> ana only]")[0] == "Sent privately to @bob."


async def test_a_value_can_be_required(player: Player) -> None:
    run = await player(
        TEAM.replace("locale=en", "locale=en kudos.require_value=yes")
        + "ana: /kudos @bob for the launch\n"
        + 'expect "Add one of the team\'s values: #teamwork, #learning, #trust, #celebrate"\n'
        + "ana: /kudos @bob for the launch #trust\n"
        + 'expect "gave kudos to @bob"\n'
    )
    assert run.code == 0, run.text


async def test_peer_badges_come_from_a_catalogue_admins_edit(player: Player) -> None:
    run = await player(
        TEAM
        + "bob: /kudos badge add wizard 🧙 Magic\n"
        + 'expect "Only an admin"\n'
        + "ana: /kudos badge add wizard 🧙 Makes hard things look easy\n"
        + 'expect "wizard"\n'
        + "ana: /kudos @bob badge:wizard for the migration\n"
        + 'expect "With the wizard badge"\n'
        + "ana: /kudos badge remove wizard\nana: /kudos @li badge:wizard\n"
        + 'expect "no badge called wizard"\n'
    )
    assert run.code == 0, run.text


async def test_milestones_are_awarded_once_and_announced(player: Player) -> None:
    run = await player(
        TEAM.replace("locale=en", "locale=en kudos.badge.rising_talent=2")
        + "ana: /kudos @bob for one\nkai: /kudos @bob for two\nli: /kudos @bob for three\n"
    )
    channel = said(run, "[#general]")
    assert channel.count("🏅 @bob earned the First kudos received badge!") == 1
    assert channel.count("🏅 @bob earned the Rising talent badge!") == 1
    assert "🏅 @ana earned the First kudos given badge!" in channel


async def test_the_board_ranks_receivers_and_givers_and_shows_my_place(player: Player) -> None:
    run = await player(
        TEAM
        + "ana: /kudos @bob @li for the launch\nkai: /kudos @bob for the fix\n"
        + "bob: /kudos board month\n"
    )
    board = "\n".join(
        run.lines[run.lines.index("2026-12-01 09:00 [#general] bob: /kudos board month") :]
    )
    assert "#1 @bob: 2" in board
    assert "#2 @li: 1" in board
    assert "#1 @ana: 2" in board
    assert "You are #1 among those thanked." in board


async def test_stats_show_received_given_allowance_badges_and_values(player: Player) -> None:
    run = await player(
        TEAM + "ana: /kudos @bob badge:mentor for the launch #teamwork\nbob: /kudos me\n"
    )
    stats = "\n".join(said(run, "[#general -> bob only]"))
    for part in (
        "Received: 1",
        "Given: 0",
        "Left to give: 5 of 5",
        "#teamwork (1)",
        "mentor (1)",
        "First kudos received",
    ):
        assert part in run.text, part
    assert stats.startswith("Kudos for @bob")


async def test_the_weekly_digest_posts_the_weeks_kudos_in_the_chosen_channel(
    player: Player,
) -> None:
    run = await player(
        TEAM.replace("locale=en", "locale=en kudos.digest_channel=wins")
        + "ana: /kudos @bob for the launch\nwait 4d\n"
    )
    digest = [line for line in run.lines if "[#wins]" in line]
    assert digest == ["2026-12-04 16:00 [#wins] hearth: This week's kudos"]
    assert "    Thanked for the first time: @bob. Welcome to the board!" in run.lines


async def test_admins_export_kudos_as_csv_without_reversed_ones(player: Player) -> None:
    run = await player(
        TEAM
        + "ana: /kudos @bob @li for the launch #teamwork\nkai: thanks @li++\nkai: delete last\n"
        + "bob: /kudos export\n"
        + 'expect "Only an admin can export"\n'
        + "ana: /kudos export\n"
    )
    rows = [line.removeprefix("    | ") for line in run.lines if line.startswith("    | ")]
    assert rows == [
        "platform,workspace,giver,receiver,reason,values,badge,channel,given_at",
        "local,acme,ana,bob,the launch,#teamwork,,general,2026-12-01T08:00:00Z",
        "local,acme,ana,li,the launch,#teamwork,,general,2026-12-01T08:00:00Z",
    ]


async def test_managers_read_recognition_health(player: Player) -> None:
    run = await player(TEAM + "ana: /kudos @bob for the launch\nana: /kudos health\n")
    health = "\n".join(said(run, "[#general -> ana only]"))
    assert "Recognition health, last 30 days" in health
    assert "The top 10% of people received 100% of the kudos." in run.text
    assert "25% of the team gave kudos." in run.text
    assert "3 people received nothing: @ana, @kai, @li" in run.text


async def test_names_ending_in_punctuation_reach_the_right_member(player: Player) -> None:
    run = await player(
        TEAM + "member ana_\nbob: /kudos @ana_ for the help\nbob: thanks @kai.\nkai: @bob++.\n"
    )
    channel = said(run, "[#general]")
    assert "🎉 @bob gave kudos to @ana_: the help" in channel
    assert "🎉 @kai gave kudos to @bob!" in channel


async def test_reasons_keep_their_words_and_private_is_an_option_not_a_word(
    player: Player,
) -> None:
    run = await player(
        TEAM
        + "ana: /kudos @bob carrying the team\n"
        + "ana: /kudos @kai for the private beta launch\n"
        + "ana: /kudos @bob :tada: for the demo\n"
    )
    channel = said(run, "[#general]")
    assert "🎉 @ana gave kudos to @bob: carrying the team" in channel
    assert "🎉 @ana gave kudos to @kai: the private beta launch" in channel
    assert "🎉 @ana gave kudos to @bob: the demo" in channel


async def test_settings_that_do_not_fit_are_refused(player: Player) -> None:
    run = await player(
        TEAM
        + "ana: /hearth set kudos.allowance ²\n"
        + 'expect "does not fit kudos.allowance"\n'
        + "ana: /hearth set kudos.digest_time 25:00\n"
        + 'expect "does not fit kudos.digest_time"\n'
        + "ana: /hearth set kudos.digest_time 9:30\n"
        + 'expect "kudos.digest_time: 09:30"\n'
    )
    assert run.code == 0, run.text


async def test_each_kudos_emoji_reaction_is_taken_back_on_its_own(player: Player) -> None:
    run = await player(
        TEAM.replace("locale=en", "locale=en kudos.emoji=tada,clap")
        + "bob: the fix\nana: react :tada: @bob\nana: react :clap: @bob\n"
        + "ana: unreact :clap: @bob\nkai: /kudos stats @bob\n"
        + 'expect "Received: 1"\n'
    )
    assert run.code == 0, run.text


async def test_a_unicode_kudos_emoji_setting_matches_named_reactions(player: Player) -> None:
    run = await player(
        TEAM + "ana: /hearth set kudos.emoji 🌮\nbob: the fix\nana: react :taco: @bob\n"
    )
    assert "🎉 @ana gave kudos to @bob!" in said(run, "[#general]")


async def test_private_kudos_stay_out_of_the_digest_and_the_exported_reasons(
    player: Player,
) -> None:
    run = await player(
        TEAM.replace("locale=en", "locale=en kudos.digest_channel=wins")
        + "bob: /kudos @li private for a hard week\nclock 2026-12-04 17:00\nana: /kudos export\n"
    )
    digest = "\n".join(line for line in run.lines if "wins" in line or line.startswith("    "))
    assert "@li" not in "\n".join(said(run, "[#wins]"))
    assert "Thanked for the first time" not in digest
    assert "a hard week" not in "\n".join(line for line in run.lines if line.startswith("    | "))


async def test_a_giving_streak_is_earned_over_several_days(player: Player) -> None:
    days = "".join(
        f"clock 2026-12-0{d} 09:00\nbob: /kudos @li for day {d}\nbob: /kudos @kai for day {d}\n"
        for d in range(1, 7)
    )
    run = await player(TEAM + days)
    assert "🏅 @bob earned the Giving streak badge!" in said(run, "[#general]")
