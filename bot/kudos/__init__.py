"""Kudos and peer badges: recognition people use, with no double counting and no abuse."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from bot.chat import (
    N_,
    Directory,
    HomeOpened,
    MessageDeleted,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
)
from bot.features import (
    Command,
    Feature,
    Listener,
    Option,
    OptionKind,
    Setting,
    SettingKind,
    Subcommand,
)
from bot.kudos.commands import USAGE, Kudos
from bot.kudos.domain import DEFAULT_VALUES, KudosStore, Thresholds
from bot.kudos.jobs import Digest

TEMPLATES = Path(__file__).parent / "templates"

SETTINGS = (
    Setting("kudos.emoji", N_("Emoji that give kudos, comma separated"), "tada"),
    Setting(
        "kudos.allowance", N_("Kudos each member may give per period"), "5", SettingKind.NUMBER
    ),
    Setting(
        "kudos.manager_allowance",
        N_("Kudos managers and admins may give per period"),
        "10",
        SettingKind.NUMBER,
    ),
    Setting(
        "kudos.period",
        N_("When allowances reset: day or week"),
        "day",
        SettingKind.CHOICE,
        ("day", "week"),
    ),
    Setting("kudos.values", N_("The team's values, comma separated"), ",".join(DEFAULT_VALUES)),
    Setting("kudos.require_value", N_("Require a value with every kudos"), "no", SettingKind.FLAG),
    Setting(
        "kudos.allow_dm", N_("Allow kudos in a direct message to Hearth"), "no", SettingKind.FLAG
    ),
    Setting("kudos.digest_channel", N_("Channel for the weekly kudos digest"), ""),
    Setting(
        "kudos.digest_day",
        N_("Day of the weekly digest"),
        "fri",
        SettingKind.CHOICE,
        ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
    ),
    Setting("kudos.digest_time", N_("Time of the weekly digest, HH:MM"), "16:00", SettingKind.TIME),
    *(
        Setting(
            f"kudos.badge.{f.name}",
            N_("Milestone threshold"),
            str(getattr(Thresholds(), f.name)),
            SettingKind.NUMBER,
        )
        for f in fields(Thresholds)
    ),
)


PERIODS = (N_("week"), N_("month"), N_("quarter"), N_("year"), N_("all"))
SUBCOMMANDS = (
    Subcommand(
        "give",
        N_("Thank one or two teammates"),
        (
            Option("who", N_("Who to thank"), OptionKind.MEMBER, required=True),
            Option("why", N_("What for"), required=True),
            Option("value", N_("A value it shows, e.g. teamwork"), prefix="#"),
            Option("also", N_("Someone else to thank"), OptionKind.MEMBER),
            Option("badge", N_("A badge from the catalogue"), prefix="badge:"),
            Option(
                "private", N_("Only they and you see it"), OptionKind.CHOICE, choices=("private",)
            ),
        ),
        words="",
    ),
    Subcommand(
        "board",
        N_("Top receivers and givers"),
        (Option("period", N_("Which period"), OptionKind.CHOICE, choices=PERIODS),),
    ),
    Subcommand("me", N_("Your kudos, allowance and badges")),
    Subcommand(
        "stats",
        N_("Someone's kudos and badges"),
        (Option("who", N_("Whose"), OptionKind.MEMBER, required=True),),
    ),
    Subcommand("undo", N_("Take back your last kudos (within 10 minutes)")),
    Subcommand("badges", N_("The badge catalogue")),
    Subcommand(
        "badge",
        N_("Admins: add or remove a badge"),
        (Option("change", N_("add NAME EMOJI DESCRIPTION, or remove NAME"), required=True),),
    ),
    Subcommand("export", N_("Admins: the workspace's kudos as CSV")),
    Subcommand("health", N_("Admins: how recognition is spread")),
)


def build(*, store: KudosStore, directory: Directory) -> Feature:
    kudos = Kudos(store=store, directory=directory)
    digest = Digest(store=store, directory=directory)
    return Feature(
        name="kudos",
        commands=(
            Command(
                "kudos",
                kudos.kudos,
                description=N_("Thank a teammate"),
                usage=USAGE,
                subcommands=SUBCOMMANDS,
            ),
        ),
        listeners=(
            Listener(MessagePosted, kudos.on_message),
            Listener(ReactionAdded, kudos.on_reaction),
            Listener(ReactionRemoved, kudos.on_unreact),
            Listener(MessageDeleted, kudos.on_delete),
            Listener(HomeOpened, kudos.on_home),
        ),
        jobs=digest.jobs,
        templates=TEMPLATES,
        settings=SETTINGS,
    )
