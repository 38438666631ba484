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
from bot.features import Command, Feature, Listener, Setting, SettingKind
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


def build(*, store: KudosStore, directory: Directory) -> Feature:
    kudos = Kudos(store=store, directory=directory)
    digest = Digest(store=store, directory=directory)
    return Feature(
        name="kudos",
        commands=(Command("kudos", kudos.kudos, description=N_("Thank a teammate"), usage=USAGE),),
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
