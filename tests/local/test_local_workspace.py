"""The local workspace runs scripts end to end: events in, messages out."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import Player
from tests.probe import Probe, build

SETUP = """
workspace acme tz=Europe/Paris locale=en
member ana role=admin
member bob
member li locale=fr tz=Asia/Tokyo
clock 2026-12-01 09:00
in #general
"""


def probe() -> tuple[Probe, object]:
    from bot.chat import Platform, WorkspaceRef

    found = Probe(weekly_in=[WorkspaceRef(Platform.LOCAL, "acme")])
    return found, build(found)


async def test_a_bot_reply_shows_time_place_and_author(player: Player) -> None:
    _, feature = probe()
    run = await player(SETUP + "ana: /probe hello\n", feature)
    assert run.code == 0
    assert "2026-12-01 09:00 [#general] ana: /probe hello" in run.lines
    assert "2026-12-01 09:00 [#general] hearth: probe heard hello" in run.lines


async def test_private_dm_and_thread_replies_say_where_they_went(player: Player) -> None:
    _, feature = probe()
    run = await player(SETUP + "ana: /probe private\nana: /probe dm\nana: /probe thread\n", feature)
    assert "2026-12-01 09:00 [#general -> ana only] hearth: only you" in run.lines
    assert "2026-12-01 09:00 [dm ana] hearth: psst" in run.lines
    root = run.lines.index("2026-12-01 09:00 [#general] hearth: the root")
    assert run.lines[root + 1] == "2026-12-01 09:00 [#general thread] hearth: a reply"


async def test_a_button_press_reaches_the_feature_with_its_value(player: Player) -> None:
    _, feature = probe()
    run = await player(SETUP + 'ana: /probe ask\nbob: press "Done" last\n', feature)
    assert run.code == 0
    assert "    [ Done ]" in run.lines
    assert "2026-12-01 09:00 [#general] hearth: pressed probe.done 42 by bob" in run.lines


async def test_a_submitted_form_arrives_with_its_fields(player: Player) -> None:
    _, feature = probe()
    run = await player(
        SETUP + "bob: /probe form\nbob: submit hobbies=climbing; photo=https://x.org/me.jpg\n",
        feature,
    )
    assert run.code == 0, run.text
    assert any(
        line.endswith(
            "[form for bob] hearth: About you: hobbies (Hobbies), photo (Photo, optional)"
        )
        for line in run.lines
    )
    assert any(
        line.endswith("hearth: form v1: hobbies=climbing, photo=https://x.org/me.jpg")
        for line in run.lines
    )


async def test_reactions_and_deletions_become_events(player: Player) -> None:
    probe_, feature = probe()
    run = await player(
        SETUP + "ana: nice work @bob\nbob: react :tada: last\nana: delete last\n", feature
    )
    assert run.code == 0, run.text
    assert probe_.calls == ["nice work @bob"]
    assert any(line.endswith("hearth: bob reacted tada to ana") for line in run.lines)
    assert any(line.endswith("hearth: a message was deleted") for line in run.lines)


async def test_a_newcomer_joining_is_welcomed_by_dm(player: Player) -> None:
    _, feature = probe()
    run = await player(SETUP + "join carol tz=America/New_York\n", feature)
    assert "2026-12-01 09:00 [dm carol] hearth: welcome" in run.lines


async def test_signals_reach_the_features_that_listen(player: Player) -> None:
    _, feature = probe()
    run = await player(SETUP + "ana: /probe signal\n", feature)
    assert "2026-12-01 09:00 [#general] hearth: signal from ana" in run.lines


async def test_moving_the_clock_runs_due_jobs_in_order_at_their_time(player: Player) -> None:
    _, feature = probe()
    run = await player(SETUP + "wait 2w\n", feature)
    weekly = [line for line in run.lines if "weekly" in line]
    assert weekly == [
        "2026-12-07 09:00 [#general] hearth: weekly 2026-12-07 08:00Z",
        "2026-12-14 09:00 [#general] hearth: weekly 2026-12-14 08:00Z",
    ]


async def test_a_failing_handler_apologises_privately(player: Player) -> None:
    _, feature = probe()
    run = await player(SETUP + "bob: /probe boom\n", feature)
    assert run.code == 0
    apology = [line for line in run.lines if "[#general -> bob only]" in line]
    assert len(apology) == 1
    assert "exploded" not in run.text


async def test_an_unknown_command_is_answered_privately(player: Player) -> None:
    run = await player(SETUP + "bob: /dance\n")
    assert any("[#general -> bob only]" in line and "dance" in line for line in run.lines)


async def test_french_members_read_french(player: Player) -> None:
    run = await player(SETUP + "li: /hearth me\n")
    assert any("Réglages" in line for line in run.lines), run.text


async def test_an_unmet_expect_exits_1_and_stops(player: Player) -> None:
    run = await player(SETUP + 'ana: /hearth me\nexpect "no such text"\nana: /hearth help\n')
    assert run.code == 1
    assert run.lines[-1] == 'error: line 9: expected "no such text" in the output'
    assert not any("/hearth help" in line for line in run.lines)


async def test_expect_only_looks_at_output_since_the_previous_expect(player: Player) -> None:
    run = await player(SETUP + 'ana: /hearth me\nexpect "Settings"\nexpect "Settings"\n')
    assert run.code == 1


async def test_a_malformed_script_runs_nothing_and_exits_2(player: Player) -> None:
    run = await player(SETUP + "ana: /hearth me\nclock whenever\n")
    assert run.code == 2
    assert run.lines == ["error: line 9: expected `clock YYYY-MM-DD HH:MM`"]


async def test_a_line_that_cannot_apply_stops_with_its_number(player: Player) -> None:
    run = await player(SETUP + "zed: hello\n")
    assert run.code == 2
    assert run.lines[-1].startswith("error: line 8: unknown member 'zed'")


async def test_pressing_a_missing_button_is_an_error_not_a_guess(player: Player) -> None:
    run = await player(SETUP + 'bob: press "Done" last\n')
    assert run.code == 2
    assert "no message visible to bob has a 'Done' button" in run.lines[-1]


async def test_runs_can_share_a_database_and_declarations_update(player: Player) -> None:
    first = await player(SETUP + "member bob role=manager\n")
    assert first.code == 0
    second = await player(
        "workspace acme\nmember bob tz=Europe/Lisbon\nin #general\nbob: /hearth me\n",
        start=datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    )
    assert second.code == 0, second.text
    assert "manager" in second.text
    assert "Europe/Lisbon" in second.text


async def test_a_job_slot_fires_once_across_runs_sharing_a_database(player: Player) -> None:
    _, feature = probe()
    first = await player(SETUP + "clock 2026-12-07 10:00\n", feature)
    again = await player(
        "workspace acme\nin #general\n", feature, start=datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
    )
    assert sum("weekly" in line for line in first.lines + again.lines) == 1


async def test_admins_tune_the_workspace_and_bad_values_are_refused(player: Player) -> None:
    run = await player(
        SETUP
        + "ana: /hearth set kudos.allowance 1\n"
        + 'expect "kudos.allowance: 1"\n'
        + "ana: /hearth set kudos.allowance lots\n"
        + 'expect "lots does not fit kudos.allowance"\n'
        + "ana: /hearth set kudos.colour red\n"
        + 'expect "There is no setting kudos.colour"\n'
        + "bob: /hearth set kudos.allowance 100\n"
        + 'expect "Only an admin"\n'
        + "bob: /kudos @ana one\nbob: /kudos @ana two\n"
        + 'expect "You have given all your kudos"\n'
        + "ana: /hearth set timezone Asia/Tokyo\n"
        + 'expect "timezone: Asia/Tokyo"\n'
    )
    assert run.code == 0, run.text
