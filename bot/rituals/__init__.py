"""Rituals: managers schedule the team's recurring moments; each fires once, on time.

Get to know a team member, watercooler questions, a celebration digest,
twice-yearly gatherings, co-working sessions, check-ins and custom posts,
in the team's time zone. See docs/rituals.md.
"""

from __future__ import annotations

from pathlib import Path

from bot.chat import N_, HomeOpened, Roster
from bot.features import (
    ButtonRoute,
    Command,
    Feature,
    FireTimes,
    FormRoute,
    Listener,
    Option,
    OptionKind,
    Subcommand,
)
from bot.rituals.commands import USAGE, Managing
from bot.rituals.domain import Kind, NoRecognitions, Recognitions, RitualStore
from bot.rituals.firing import Firing
from bot.rituals.participation import Participation

TEMPLATES = Path(__file__).parent / "templates"


def _numbered(name: str, description: str) -> Subcommand:
    number = Option("ritual", N_("The ritual's number, from /ritual list"), OptionKind.NUMBER, True)
    return Subcommand(name, description, (number,))


SUBCOMMANDS = (
    Subcommand(
        "add",
        N_("Managers: schedule a ritual (no options: a form)"),
        (
            Option("type", N_("What kind of ritual"), OptionKind.CHOICE, choices=tuple(Kind)),
            Option("schedule", N_("When, e.g. every monday 16:00")),
            Option("timezone", N_("Time zone, e.g. Europe/Paris"), prefix="tz="),
            Option("text", N_("Words to post, check-in question or event name"), prefix="text="),
        ),
    ),
    Subcommand("list", N_("Every ritual here and its next time")),
    Subcommand(
        "edit",
        N_("Managers: change a ritual (no schedule: a form)"),
        (
            Option("ritual", N_("The ritual's number, from /ritual list"), OptionKind.NUMBER, True),
            Option("schedule", N_("When, e.g. every monday 16:00")),
        ),
    ),
    _numbered("pause", N_("Managers: pause a ritual")),
    _numbered("resume", N_("Managers: resume a ritual")),
    _numbered("remove", N_("Managers: remove a ritual")),
    _numbered("preview", N_("Managers: the next times and the first message")),
    _numbered("run-now", N_("Managers: post a ritual now")),
    Subcommand(
        "optout",
        N_("Leave a ritual, spotlights, celebrations or all"),
        (Option("what", N_("A ritual's number, spotlight, celebrations or all"), required=True),),
    ),
    Subcommand(
        "optin",
        N_("Come back to a ritual, spotlights, celebrations or all"),
        (Option("what", N_("A ritual's number, spotlight, celebrations or all"), required=True),),
    ),
    Subcommand(
        "away",
        N_("No spotlight for you until a date"),
        (Option("until", N_("The date you are back, e.g. 2027-01-10"), required=True),),
        words="away until",
    ),
    Subcommand("back", N_("You are back: spotlights again")),
    Subcommand(
        "birthday",
        N_("Share your birthday (or off)"),
        (Option("day", N_("Month and day, e.g. 03-14"), required=True),),
    ),
    Subcommand(
        "started",
        N_("Share when you joined, for work anniversaries (or off)"),
        (Option("day", N_("A date, e.g. 2021-06-01"), required=True),),
    ),
    Subcommand(
        "win",
        N_("A win for the next celebration digest"),
        (Option("text", N_("What went well"), required=True),),
    ),
    Subcommand("me", N_("What you shared and opted out of")),
)


def build(
    *,
    store: RitualStore,
    roster: Roster,
    fire_times: FireTimes,
    recognitions: Recognitions | None = None,
) -> Feature:
    """The rituals feature. `fire_times` is the scheduler's own calculation
    (for `/ritual list` and `preview`); `recognitions` reads the week's kudos
    for the celebration digest."""
    firing = Firing(
        store=store,
        directory=roster,
        fire_times=fire_times,
        recognitions=recognitions or NoRecognitions(),
    )
    participation = Participation(store=store, roster=roster, firing=firing)
    managing = Managing(
        store=store,
        directory=roster,
        firing=firing,
        fire_times=fire_times,
        participation=participation,
    )
    participation.route_manager_forms(managing.form)
    return Feature(
        name="rituals",
        commands=(
            Command(
                "ritual",
                managing.ritual,
                description=N_("Schedule the team's rituals, or choose your part in them"),
                usage=USAGE,
                subcommands=SUBCOMMANDS,
            ),
        ),
        listeners=(Listener(HomeOpened, managing.on_home),),
        buttons=(ButtonRoute("rituals.", participation.on_button),),
        forms=(FormRoute("rituals.", participation.on_form),),
        jobs=firing.jobs,
        templates=TEMPLATES,
    )
