"""Mentorship: every newcomer gets a mentor for their first months, and peers meet in rounds.

Listens to onboarding's `newcomer.joined`; mentors volunteer, managers can
name one; the mentor is asked how it goes along the way and the newcomer
tells how it went at the end. See docs/mentorship.md.
"""

from __future__ import annotations

from pathlib import Path

from bot.chat import N_, MemberLeft, Roster
from bot.features import (
    NEWCOMER_JOINED,
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
    SignalListener,
    Subcommand,
)
from bot.mentorship import rounds
from bot.mentorship.domain import DAYS, MAX_MENTEES, MentorStore
from bot.mentorship.jobs import CHECK_IN_TIME, CheckIns
from bot.mentorship.matching import PairingStore
from bot.mentorship.mentoring import USAGE, Mentoring

__all__ = ["build"]

TEMPLATES = Path(__file__).parent / "templates"

SETTINGS = (
    Setting(
        "mentorship.auto",
        N_("Give every newcomer a mentor when they join"),
        "yes",
        SettingKind.FLAG,
    ),
    Setting(
        "mentorship.max_mentees",
        N_("Newcomers a mentor looks after at once"),
        str(MAX_MENTEES),
        SettingKind.NUMBER,
    ),
    Setting("mentorship.days", N_("Days a mentorship lasts"), str(DAYS), SettingKind.NUMBER),
    CHECK_IN_TIME,
    *rounds.SETTINGS,
)

SUBCOMMANDS = (
    Subcommand("me", N_("Your mentor, or the newcomers you mentor"), words=""),
    Subcommand("volunteer", N_("Offer to mentor newcomers")),
    Subcommand("retire", N_("Stop mentoring new newcomers")),
    Subcommand("feedback", N_("Tell us how your mentorship went")),
    Subcommand("status", N_("Managers: every mentorship and who has no mentor")),
    Subcommand(
        "assign",
        N_("Managers: name a newcomer's mentor"),
        (
            Option("newcomer", N_("The newcomer"), OptionKind.MEMBER, True),
            Option("mentor", N_("Their mentor"), OptionKind.MEMBER, True),
        ),
    ),
)


PAIRING = (
    Subcommand("me", N_("Whether you take part, and who you meet this round"), words=""),
    Subcommand("join", N_("Take part in the peer pairing rounds")),
    Subcommand("leave", N_("Stop taking part")),
    Subcommand(
        "away",
        N_("Skip rounds until a date"),
        (Option("until", N_("The date you are back, e.g. 2027-01-10"), required=True),),
        words="away until",
    ),
    Subcommand("back", N_("You are back: pair me again")),
    Subcommand("stats", N_("The latest rounds, and how many met")),
    Subcommand("run", N_("Managers: pair everyone now")),
)


def build(*, store: MentorStore, pairing: PairingStore, roster: Roster) -> Feature:
    mentoring = Mentoring(store=store, roster=roster)
    check_ins = CheckIns(store=store, directory=roster)
    peers = rounds.Rounds(store=pairing, directory=roster)

    async def jobs() -> list[Job]:
        return [*await check_ins.jobs(), *await peers.jobs()]

    return Feature(
        name="mentorship",
        commands=(
            Command(
                "mentor",
                mentoring.mentor,
                description=N_("Mentors for newcomers: yours, or volunteer to be one"),
                usage=USAGE,
                subcommands=SUBCOMMANDS,
            ),
            Command(
                "pairing",
                peers.pairing,
                description=N_("Peer pairing rounds: meet a teammate for a virtual coffee"),
                usage=rounds.USAGE,
                subcommands=PAIRING,
            ),
        ),
        listeners=(Listener(MemberLeft, mentoring.on_leave),),
        signals=(SignalListener(NEWCOMER_JOINED, mentoring.on_newcomer),),
        buttons=(
            ButtonRoute("mentorship.", mentoring.on_button),
            ButtonRoute("pairing.", peers.on_button),
        ),
        forms=(FormRoute("mentorship.", mentoring.on_form),),
        jobs=jobs,
        templates=TEMPLATES,
        settings=SETTINGS,
    )
