"""Community: interest circles, anonymous questions to leaders, pulse surveys.

Circles gather people around interests beyond work; `/ask` puts a question
to the leaders without anyone, admins included, being able to tell who
asked; `/pulse` asks everyone how things go, on a 1-to-5 scale, and shows
the results only when enough people answered. See docs/community.md.
"""

from __future__ import annotations

from pathlib import Path

from bot.chat import N_, Directory
from bot.community.circles import USAGE as CIRCLE_USAGE
from bot.community.circles import Circles
from bot.community.domain import CommunityStore
from bot.community.voices import ASK_USAGE, PULSE_DAYS, PULSE_USAGE, Voices
from bot.features import ButtonRoute, Command, Feature, Option, Setting, Subcommand

__all__ = ["build"]

TEMPLATES = Path(__file__).parent / "templates"

SETTINGS = (
    Setting(
        "community.questions_channel",
        N_("Channel for anonymous questions (empty: DM the admins and managers)"),
        "",
    ),
    Setting(
        "community.pulse_channel",
        N_("Channel for pulse results (empty: DM whoever asked)"),
        "",
    ),
    PULSE_DAYS,
)

_NAME = Option("name", N_("The circle's name"), required=True)
CIRCLE = (
    Subcommand("list", N_("Every circle here")),
    Subcommand(
        "create",
        N_("Start a circle for an interest"),
        (_NAME, Option("about", N_("What it is about, and its #channel if it has one"))),
    ),
    Subcommand("join", N_("Join a circle"), (_NAME,)),
    Subcommand("leave", N_("Leave a circle"), (_NAME,)),
    Subcommand("members", N_("Who is in a circle"), (_NAME,)),
    Subcommand("remove", N_("Remove a circle you started"), (_NAME,)),
)
PULSE = (
    Subcommand(
        "ask",
        N_("Managers: ask everyone, on a 1 to 5 scale"),
        (Option("question", N_("The question"), required=True),),
    ),
    Subcommand(
        "results",
        N_("Managers: a pulse's results"),
        (Option("number", N_("The pulse's number"), required=True),),
    ),
    Subcommand("list", N_("Managers: the latest pulses")),
)


def build(*, store: CommunityStore, directory: Directory) -> Feature:
    circles = Circles(store=store)
    voices = Voices(store=store, directory=directory)
    return Feature(
        name="community",
        commands=(
            Command(
                "circle",
                circles.circle,
                description=N_("Interest circles: people to share a passion with"),
                usage=CIRCLE_USAGE,
                subcommands=CIRCLE,
            ),
            Command(
                "ask",
                voices.ask,
                description=N_("Ask the leaders a question, anonymously"),
                usage=ASK_USAGE,
            ),
            Command(
                "pulse",
                voices.pulse,
                description=N_("Pulse surveys whose answers stay anonymous"),
                usage=PULSE_USAGE,
                subcommands=PULSE,
            ),
        ),
        buttons=(ButtonRoute("community.", voices.on_button),),
        jobs=voices.jobs,
        templates=TEMPLATES,
        settings=SETTINGS,
    )
