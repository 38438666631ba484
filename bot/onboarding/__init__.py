"""Onboarding: a welcome thread on day one and a 4-week program for every newcomer,
and a warm offboarding for those who leave.

The newcomer introduces themselves (interests, hobbies, a photo, their time
zone), ticks their steps, and hears from Hearth as each week starts;
managers see who needs attention. Announces `newcomer.joined` for the
slices that pair mentors. See docs/onboarding.md.
"""

from __future__ import annotations

from pathlib import Path

from bot.chat import N_, HomeOpened, MemberJoined, MemberLeft, Roster
from bot.features import (
    ButtonRoute,
    Command,
    Feature,
    FormRoute,
    Job,
    Listener,
    Option,
    OptionKind,
    Setting,
    SettingKind,
    Subcommand,
)
from bot.onboarding.checklist import USAGE, Checklist
from bot.onboarding.domain import OnboardingStore
from bot.onboarding.jobs import FOLLOW_UP_TIME, FollowUps
from bot.onboarding.leaving import DepartureStore
from bot.onboarding.offboarding import USAGE as OFFBOARDING_USAGE
from bot.onboarding.offboarding import Offboarding
from bot.onboarding.welcome import Welcome

__all__ = ["build"]

TEMPLATES = Path(__file__).parent / "templates"

SETTINGS = (
    Setting(
        "onboarding.channel",
        N_("Channel where newcomers get their welcome thread (empty: a DM only)"),
        "",
    ),
    Setting("onboarding.welcome", N_("Welcome newcomers when they join"), "yes", SettingKind.FLAG),
    FOLLOW_UP_TIME,
    Setting(
        "offboarding.channel",
        N_("Channel for farewell threads (empty: the welcome channel)"),
        "",
    ),
    Setting(
        "offboarding.alumni_channel",
        N_("Channel where those who leave and wish it join the alumni"),
        "",
    ),
)

_NUMBER = Option("number", N_("The step's number on the checklist"), OptionKind.NUMBER, True)

SUBCOMMANDS = (
    Subcommand("me", N_("Your checklist and where you stand"), words=""),
    Subcommand("done", N_("Tick a step of your checklist"), (_NUMBER,)),
    Subcommand("undo", N_("Untick a step"), (_NUMBER,)),
    Subcommand("intro", N_("Introduce yourself: interests, hobbies, a photo, time zone")),
    Subcommand("feedback", N_("Tell us how your first month went")),
    Subcommand("status", N_("Managers: every newcomer's progress")),
    Subcommand(
        "start",
        N_("Managers: start the program for someone already here"),
        (Option("member", N_("The newcomer"), OptionKind.MEMBER, True),),
    ),
    Subcommand("steps", N_("The program, week by week")),
    Subcommand(
        "add-step",
        N_("Managers: add a step to the program"),
        (
            Option("week", N_("The week, 1 to 4"), OptionKind.CHOICE, True, ("1", "2", "3", "4")),
            Option("text", N_("What to do"), required=True),
        ),
        words="steps add",
    ),
    Subcommand(
        "remove-step",
        N_("Managers: remove a step from the program"),
        (Option("number", N_("The step's number in the program"), OptionKind.NUMBER, True),),
        words="steps remove",
    ),
)


OFFBOARDING = (
    Subcommand("me", N_("Your offboarding checklist, if you are leaving"), words=""),
    Subcommand(
        "start",
        N_("Managers: start someone's offboarding"),
        (
            Option("member", N_("Who is leaving"), OptionKind.MEMBER, True),
            Option("last_day", N_("Their last day, e.g. 2027-01-29"), required=True),
        ),
    ),
    Subcommand(
        "cancel",
        N_("Managers: cancel an offboarding"),
        (Option("member", N_("Who is no longer leaving"), OptionKind.MEMBER, True),),
    ),
    Subcommand("status", N_("Managers: who is leaving, and what is done")),
    Subcommand(
        "notes",
        N_("Managers: notes kept for future projects"),
        (Option("word", N_("Only notes with this word")),),
    ),
)


def build(*, store: OnboardingStore, departures: DepartureStore, roster: Roster) -> Feature:
    welcome = Welcome(store=store, roster=roster)
    checklist = Checklist(store=store, roster=roster, welcome=welcome)
    follow_ups = FollowUps(store=store, directory=roster)
    leaving = Offboarding(store=departures, directory=roster)

    async def jobs() -> list[Job]:
        return [*await follow_ups.jobs(), *await leaving.jobs()]

    return Feature(
        name="onboarding",
        commands=(
            Command(
                "onboarding",
                checklist.onboarding,
                description=N_("Your first month: the checklist, your intro, your feedback"),
                usage=USAGE,
                subcommands=SUBCOMMANDS,
            ),
            Command(
                "offboarding",
                leaving.offboarding,
                description=N_("A warm goodbye: handover, feedback, farewell, alumni"),
                usage=OFFBOARDING_USAGE,
                subcommands=OFFBOARDING,
            ),
        ),
        listeners=(
            Listener(MemberJoined, welcome.on_join),
            Listener(MemberLeft, welcome.on_leave),
            Listener(HomeOpened, checklist.on_home),
        ),
        buttons=(
            ButtonRoute("onboarding.", checklist.on_button),
            ButtonRoute("offboarding.", leaving.on_button),
        ),
        forms=(
            FormRoute("onboarding.", checklist.on_form),
            FormRoute("offboarding.", leaving.on_form),
        ),
        jobs=jobs,
        templates=TEMPLATES,
        settings=SETTINGS,
    )
