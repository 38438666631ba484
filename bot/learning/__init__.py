"""Learning: learning days, sessions, and a learning log with streaks.

The first Tuesday and the first Thursday of each month by default are the
team's learning days, announced with the sessions members proposed; every
day, anyone logs what they learned and keeps a streak. See docs/learning.md.
"""

from __future__ import annotations

from pathlib import Path

from bot.chat import N_, Directory, HomeOpened
from bot.features import (
    ButtonRoute,
    Command,
    Feature,
    FireTimes,
    Listener,
    Option,
    Setting,
    Subcommand,
)
from bot.learning.days import LearningDays
from bot.learning.domain import DEFAULT_DAYS, LearningStore
from bot.learning.log import LEARNING_TIME, USAGE, Learning

__all__ = ["build"]

TEMPLATES = Path(__file__).parent / "templates"

SETTINGS = (
    Setting("learning.channel", N_("Channel where learning days are announced (empty: none)"), ""),
    Setting(
        "learning.days",
        N_("Learning days, e.g. 1st tue,1st thu (or last fri)"),
        DEFAULT_DAYS,
    ),
    LEARNING_TIME,
)

SUBCOMMANDS = (
    Subcommand(
        "log",
        N_("Log what you learned (#topics welcome)"),
        (Option("what", N_("What you learned, e.g. how our deploys work #devops"), required=True),),
    ),
    Subcommand("me", N_("Your streak and what you logged lately")),
    Subcommand(
        "feed",
        N_("What the team learned this week"),
        (Option("topic", N_("Only this #topic"), prefix="#"),),
    ),
    Subcommand(
        "forget",
        N_("Delete one of your entries"),
        (Option("number", N_("The entry's number, from /learn me"), required=True),),
    ),
    Subcommand(
        "session",
        N_("Propose a session for the next learning day"),
        (Option("title", N_("What you will share"), required=True),),
    ),
    Subcommand("sessions", N_("Sessions of the coming learning days")),
)


def build(*, store: LearningStore, directory: Directory, fire_times: FireTimes) -> Feature:
    learning = Learning(store=store, fire_times=fire_times)
    days = LearningDays(store=store, directory=directory)
    return Feature(
        name="learning",
        commands=(
            Command(
                "learn",
                learning.learn,
                description=N_("Be 1% smarter every day: log what you learned, join sessions"),
                usage=USAGE,
                subcommands=SUBCOMMANDS,
            ),
        ),
        listeners=(Listener(HomeOpened, learning.on_home),),
        buttons=(ButtonRoute("learning.", learning.on_button),),
        jobs=days.jobs,
        templates=TEMPLATES,
        settings=SETTINGS,
    )
