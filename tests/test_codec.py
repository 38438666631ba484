"""Events and messages survive the trip to JSON (the inbox, the outbox) intact."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import chat, codec
from bot.chat import (
    Action,
    ButtonPressed,
    ButtonStyle,
    CommandInvoked,
    FieldKind,
    Form,
    FormField,
    FormSubmitted,
    HomeOpened,
    Member,
    MemberJoined,
    MemberLeft,
    MessageDeleted,
    MessagePosted,
    Platform,
    ReactionAdded,
    ReactionRemoved,
    Role,
    Visibility,
    Workspace,
    WorkspaceRef,
)

SLACK = WorkspaceRef(Platform.SLACK, "T1")
AT = datetime(2027, 6, 1, 9, 30, 15, 123456, tzinfo=UTC)
ANA = Member(
    ref=SLACK.member("U1"),
    name="Ana Lúcia",
    timezone="America/Sao_Paulo",
    locale="pt",
    role=Role.MANAGER,
    joined_at=datetime(2025, 1, 6, 8, 0, tzinfo=ZoneInfo("Europe/Paris")),
    opt_outs=frozenset({"coffee", "kudos.digest"}),
)
COMMON: dict[str, Any] = {"delivery_id": "Ev01", "workspace": SLACK, "occurred_at": AT}

EVENTS = [
    CommandInvoked(**COMMON, actor="U1", channel="C1", command="kudos", text="@bo for the 🚀"),
    CommandInvoked(**COMMON, actor="U1", channel="D1", command="help", text="", is_dm=True),
    MessagePosted(**COMMON, actor="U1", channel="C1", message_id="1.2", text="hi", thread_id="1.1"),
    MessageDeleted(**COMMON, channel="C1", message_id="1.2"),
    ReactionAdded(
        **COMMON, actor="U2", channel="C1", message_id="1.2", message_author=None, emoji="tada"
    ),
    ReactionRemoved(
        **COMMON, actor="U2", channel="C1", message_id="1.2", message_author="U1", emoji="+1"
    ),
    MemberJoined(**COMMON, member=ANA),
    MemberLeft(**COMMON, user_id="U1"),
    ButtonPressed(
        **COMMON, actor="U1", channel=None, message_id=None, action_id="kudos.thank", value="42"
    ),
    FormSubmitted(
        **COMMON, actor="U1", form_id="intro", value="", fields={"hobby": "kayak", "": "x"}
    ),
    HomeOpened(**COMMON, actor="U1"),
]


def round_trip(value: object) -> Any:
    return codec.loads(codec.dumps(value))


def test_every_event_type_has_a_round_trip_case() -> None:
    assert {type(event) for event in EVENTS} == set(chat.EVENT_TYPES)


@pytest.mark.parametrize("event", EVENTS, ids=lambda event: type(event).__name__)
def test_an_event_comes_back_as_it_went_in(event: chat.Event) -> None:
    text = codec.dumps(event)

    assert codec.load_event(text) == event
    assert type(codec.load_event(text)) is type(event)


MESSAGES = [
    pytest.param(chat.Message("help"), id="bare"),
    pytest.param(
        chat.Message(
            "kudos.given",
            {"giver": ANA, "count": 3, "ratio": 0.25, "tags": ["launch", "help"]},
            channel="C1",
            key="kudos:42",
            actions=(
                Action("Thank them", "kudos.thank", "42", ButtonStyle.PRIMARY),
                Action("Undo", "kudos.undo", style=ButtonStyle.DANGER),
            ),
        ),
        id="with actions and a member",
    ),
    pytest.param(
        chat.Message(
            "learning.day",
            {
                "on": date(2027, 6, 4),
                "starts": datetime(2027, 6, 4, 9, 0, tzinfo=ZoneInfo("Europe/Paris")),
                "local_noon": datetime(2027, 6, 4, 12, 0),
                "lasts": timedelta(hours=7, minutes=30),
            },
            visibility=Visibility.DM,
            to="U1",
        ),
        id="with dates, times and durations",
    ),
    pytest.param(
        chat.Message(
            "onboarding.week",
            {
                "weeks": {"1": {"done": ["laptop", "intro"], "left": []}, "2": {}},
                "mentor": {"ref": ANA.ref, "since": date(2027, 5, 1)},
                "pair": ("U1", "U2"),
                "by_day": {1: "mon", 2: "tue"},
                "opted": frozenset({Platform.SLACK, Role.ADMIN}),
                "$dt": "not a tag",
            },
            visibility=Visibility.THREAD,
            thread_key="welcome:U1",
        ),
        id="with nested mappings",
    ),
    pytest.param(
        chat.Message(
            "private", {"text": "ok"}, visibility=Visibility.PRIVATE, to="U2", channel="C1"
        ),
        id="private",
    ),
]


@pytest.mark.parametrize("message", MESSAGES)
def test_a_message_comes_back_as_it_went_in(message: chat.Message) -> None:
    assert codec.load_message(codec.dumps(message)) == message


def test_lists_stay_lists_and_tuples_stay_tuples() -> None:
    back = round_trip({"list": [1, [2]], "tuple": (1, (2,))})

    assert back == {"list": [1, [2]], "tuple": (1, (2,))}
    assert type(back["list"]) is list
    assert type(back["tuple"]) is tuple


def test_a_form_and_a_workspace_come_back_as_they_went_in() -> None:
    form = Form(
        "intro",
        "Tell us about you",
        (
            FormField("hobby", "Hobby", FieldKind.LONG_TEXT, required=False, max_length=300),
            FormField("team", "Team", FieldKind.CHOICE, choices=("core", "ops")),
        ),
        to="U1",
        value="42",
    )
    workspace = Workspace(SLACK, "Acme", "fr", "Europe/Paris", {"kudos.channel": "C1"})

    assert round_trip(form) == form
    assert round_trip(workspace) == workspace


def test_long_durations_keep_their_microseconds() -> None:
    duration = timedelta(days=999_999, seconds=86_399, microseconds=1)

    assert round_trip(duration) == duration


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2027, 10, 31, 2, 30, fold=0, tzinfo=ZoneInfo("Europe/Paris")),
        datetime(2027, 10, 31, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris")),
        datetime(2027, 6, 1, 9, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
        datetime(2027, 6, 1, 9, tzinfo=UTC),
        datetime(1, 1, 1, tzinfo=ZoneInfo("Pacific/Kiritimati")),
    ],
    ids=["first pass of a repeated hour", "second pass", "fixed offset", "utc", "year one"],
)
def test_an_aware_datetime_keeps_its_zone_and_instant(moment: datetime) -> None:
    back = round_trip(moment)

    assert (back, back.tzinfo, back.utcoffset()) == (moment, moment.tzinfo, moment.utcoffset())


def test_a_naive_datetime_stays_naive() -> None:
    assert round_trip(datetime(2027, 1, 1, 9)) == datetime(2027, 1, 1, 9)
    assert round_trip(datetime(2027, 1, 1, 9)).tzinfo is None


def test_a_set_encodes_the_same_whatever_its_order() -> None:
    one = frozenset({Role.ADMIN, Platform.SLACK, "x", 3, ANA.ref})
    other = frozenset(reversed(list(one)))

    assert codec.dumps(one) == codec.dumps(other)
    assert round_trip(one) == one


def test_text_from_a_platform_is_stored_as_ascii_even_when_malformed() -> None:
    broken = MessagePosted(**COMMON, actor="U1", channel="C1", message_id="1", text="emoji \ud83d")

    text = codec.dumps(broken)

    assert text.isascii()
    assert codec.load_event(text) == broken


class Mood(StrEnum):
    HAPPY = "happy"


@dataclasses.dataclass(frozen=True)
class Member_:  # noqa: N801 - stands in for a slice's own class
    name: str


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(Mood.HAPPY, id="an enum the codec does not know"),
        pytest.param(Member_("ana"), id="a dataclass the codec does not know"),
        pytest.param(
            dataclasses.make_dataclass("Member", [("name", str)])("ana"),
            id="a dataclass named like a known one",
        ),
        pytest.param(object(), id="an object"),
        pytest.param({"at": datetime.now(UTC).time()}, id="a time of day"),
    ],
)
def test_a_value_that_could_not_be_read_back_is_refused_when_written(value: object) -> None:
    with pytest.raises(TypeError, match="cannot encode"):
        codec.dumps(value)


@pytest.mark.parametrize(
    ("loader", "value"),
    [(codec.load_event, chat.Message("help")), (codec.load_message, EVENTS[0])],
    ids=["a message read as an event", "an event read as a message"],
)
def test_reading_the_wrong_kind_of_value_fails(loader: Any, value: object) -> None:
    with pytest.raises(ValueError, match=r"not an? "):
        loader(codec.dumps(value))


def test_an_untagged_object_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown tagged value"):
        codec.loads(json.dumps({"hello": 1}))


# --- properties ------------------------------------------------------------------

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
rich = st.recursive(
    json_like
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(UTC) | st.timezones())
    | st.timedeltas()
    | st.sampled_from([*Platform, *Role, *Visibility]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(children, max_size=4).map(tuple)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
        | st.dictionaries(st.integers(), children, max_size=3)
        | st.frozensets(st.integers() | st.text(max_size=4) | st.sampled_from([*Role]), max_size=4)
    ),
    max_leaves=20,
)


@given(context=st.dictionaries(st.text(), json_like))
def test_any_json_like_context_comes_back_as_it_went_in(context: dict[str, Any]) -> None:
    message = chat.Message("any", context, channel="C1")

    assert codec.load_message(codec.dumps(message)) == message


@given(context=st.dictionaries(st.text(max_size=8), rich, max_size=6))
def test_contexts_with_dates_enums_sets_and_tuples_come_back_as_they_went_in(
    context: dict[str, Any],
) -> None:
    message = chat.Message("any", context, channel="C1")

    back = codec.load_message(codec.dumps(message))

    assert back == message
    assert codec.dumps(back) == codec.dumps(message)
