"""The one-line form of `/ritual add` and `/ritual edit`."""

from __future__ import annotations

import pytest

from bot.mentions import channel_of
from bot.rituals.domain import Kind
from bot.rituals.requests import (
    Request,
    RequestError,
    checked_options,
    read_request,
)


@pytest.mark.parametrize(
    ("text", "request_"),
    [
        (
            "watercooler every monday 16:00 in #team",
            Request(Kind.WATERCOOLER, "every monday 16:00", "team"),
        ),
        (
            "spotlight every friday 15:30 in #team tz=America/New_York",
            Request(Kind.SPOTLIGHT, "every friday 15:30", "team", "America/New_York"),
        ),
        ("get-to-know weekdays 09:30", Request(Kind.SPOTLIGHT, "weekdays 09:30")),
        (
            "custom every friday 17:00 in <#C0123|team> text=Demo time: in #general!",
            Request(
                Kind.CUSTOM,
                "every friday 17:00",
                "C0123",
                options={"text": "Demo time: in #general!"},
            ),
        ),
        (
            "checkin weekdays 09:00 dm=yes summary=2h in <#1234567>",
            Request(
                Kind.CHECKIN, "weekdays 09:00", "1234567", options={"dm": "yes", "summary": "2h"}
            ),
        ),
    ],
)
def test_the_one_line_form_reads_type_schedule_channel_zone_and_options(
    text: str, request_: Request
) -> None:
    assert read_request(text, with_kind=True) == request_


def test_an_edit_line_has_no_type_and_may_change_only_the_channel() -> None:
    assert read_request("in #random", with_kind=False) == Request(channel="random")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("meeting every monday 10:00", "There is no ritual type"),
        ("watercooler every monday 10:00 color=blue", "I do not know the option"),
        ("watercooler in #team every monday 10:00", "Write the schedule first"),
    ],
)
def test_a_line_that_cannot_be_read_says_why(text: str, reason: str) -> None:
    with pytest.raises(RequestError) as raised:
        read_request(text, with_kind=True)

    assert raised.value.reason.startswith(reason)


def test_options_must_fit_the_type_and_their_format() -> None:
    assert checked_options(Kind.SPOTLIGHT, {"lead": "3D", "newcomers": "7"}) == {
        "lead": "3d",
        "newcomers": "7",
    }
    with pytest.raises(RequestError):
        checked_options(Kind.WATERCOOLER, {"lead": "3d"})
    with pytest.raises(RequestError):
        checked_options(Kind.SPOTLIGHT, {"lead": "soon"})
    with pytest.raises(RequestError):
        checked_options(Kind.GATHERING, {"countdown": "7d,never"})


@pytest.mark.parametrize(
    ("word", "channel"),
    [("#team", "team"), ("<#C0123|team>", "C0123"), ("<#1234>", "1234"), ("team", None)],
)
def test_channels_are_read_as_each_platform_writes_them(word: str, channel: str | None) -> None:
    assert channel_of(word) == channel
