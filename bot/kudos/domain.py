"""Kudos: the rules of giving, as pure functions over frozen values.

Nothing here touches a database or a platform. The handlers in
`commands.py` gather the facts (who is who, how much the giver already gave
this period), these rules decide, and the store records the decision in one
transaction that re-checks the allowance, so two gifts racing for the last
unit of allowance cannot both pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.chat import N_, Member, MemberRef, WorkspaceRef
from bot.kudos.parsing import emoji_name
from bot.mentions import channel_named

DEFAULT_VALUES = ("teamwork", "learning", "trust", "celebrate")
UNDO_WINDOW = timedelta(minutes=10)


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"


class Source(StrEnum):
    COMMAND = "command"
    MESSAGE = "message"
    REACTION = "reaction"


def _int(settings: Mapping[str, str], key: str, default: int) -> int:
    raw = settings.get(key, "").strip()
    return int(raw) if raw.isascii() and raw.isdecimal() else default


def _words(settings: Mapping[str, str], key: str, default: Sequence[str]) -> tuple[str, ...]:
    raw = settings.get(key)
    if raw is None:
        return tuple(default)
    return tuple(dict.fromkeys(w.strip().strip("#:").lower() for w in raw.split(",") if w.strip()))


def _flag(settings: Mapping[str, str], key: str, default: bool) -> bool:
    raw = settings.get(key)
    return default if raw is None else raw.strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When milestone badges are earned; every number is a workspace setting."""

    rising_talent: int = 10
    top_rated: int = 25
    top_rated_plus: int = 50
    streak_days: int = 5
    streak_window_days: int = 30
    generous_receivers: int = 10
    champion_same_value: int = 10


_DEFAULTS = Thresholds()


_READ_KEPT = 8  # the settings of the workspaces most recently seen


@dataclass(frozen=True, slots=True)
class Policy:
    """A workspace's kudos settings, read from its `kudos.*` settings."""

    emojis: frozenset[str] = frozenset({"tada"})
    allowance: int = 5
    manager_allowance: int = 10
    period: Period = Period.DAY
    values: tuple[str, ...] = DEFAULT_VALUES
    require_value: bool = False
    allow_dm: bool = False
    digest_channel: str | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)

    @classmethod
    def of(cls, settings: Mapping[str, str]) -> Policy:
        """The policy of these settings, read once per settings object: a
        workspace's settings are replaced, never changed in place."""
        for known, policy in _READ:
            if known is settings:
                return policy
        policy = cls._read(settings)
        _READ.insert(0, (settings, policy))
        del _READ[_READ_KEPT:]
        return policy

    @classmethod
    def _read(cls, settings: Mapping[str, str]) -> Policy:
        period = settings.get("kudos.period", Period.DAY.value)
        allowance = _int(settings, "kudos.allowance", 5)
        return cls(
            emojis=frozenset(
                emoji_name(w) for w in re.split(r"[\s,]+", settings.get("kudos.emoji", "tada")) if w
            )
            or frozenset({"tada"}),
            allowance=allowance,
            manager_allowance=_int(settings, "kudos.manager_allowance", max(allowance, 10)),
            period=Period(period) if period in Period._value2member_map_ else Period.DAY,
            values=_words(settings, "kudos.values", DEFAULT_VALUES),
            require_value=_flag(settings, "kudos.require_value", False),
            allow_dm=_flag(settings, "kudos.allow_dm", False),
            digest_channel=channel_named(settings.get("kudos.digest_channel", "")),
            thresholds=Thresholds(
                **{
                    f.name: _int(settings, f"kudos.badge.{f.name}", getattr(_DEFAULTS, f.name))
                    for f in fields(Thresholds)
                }
            ),
        )

    def allowance_for(self, member: Member) -> int:
        return self.manager_allowance if member.role.can_manage else self.allowance


_READ: list[tuple[Mapping[str, str], Policy]] = []


def period_bounds(period: Period, now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """The current allowance period in the giver's time zone, as aware instants.

    A day starts at local midnight; a week on Monday at local midnight.
    """
    zone = ZoneInfo(timezone)
    local = now.astimezone(zone)
    start_day = local.date()
    if period is Period.WEEK:
        start_day -= timedelta(days=local.weekday())
    length = timedelta(days=7 if period is Period.WEEK else 1)
    start = datetime.combine(start_day, time(0), tzinfo=zone)
    end = datetime.combine(start_day + length, time(0), tzinfo=zone)
    return start, end


# --- what a gift is ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Gift:
    """One act of giving (a command, a message or a reaction) to one or more people."""

    id: str
    workspace: WorkspaceRef
    giver: str
    receivers: tuple[str, ...]
    reason: str
    values: tuple[str, ...]
    badge: str | None
    channel: str | None
    source: Source
    source_ref: str  # the message id or reaction key whose deletion undoes it
    private: bool
    given_at: datetime


@dataclass(frozen=True, slots=True)
class Kudos:
    """One recipient's share of a gift: what boards, stats and exports count."""

    id: int
    gift_id: str
    workspace: WorkspaceRef
    giver: str
    receiver: str
    reason: str
    values: tuple[str, ...]
    badge: str | None
    channel: str | None
    source: Source
    private: bool
    given_at: datetime
    reversed_at: datetime | None = None


class Refusal(StrEnum):
    """Why a gift is refused; each maps to a private, helpful message."""

    NO_RECIPIENT = "no_recipient"
    SELF = "self"
    BOT = "bot"
    UNKNOWN = "unknown"
    LEFT = "left"
    DM_DISALLOWED = "dm_disallowed"
    VALUE_REQUIRED = "value_required"
    UNKNOWN_BADGE = "unknown_badge"
    OVER_ALLOWANCE = "over_allowance"


REASONS: Mapping[Refusal, str] = {
    Refusal.NO_RECIPIENT: N_("Who is it for? Mention someone, e.g. %(example)s."),
    Refusal.SELF: N_("Kudos are for others: you cannot give them to yourself."),
    Refusal.BOT: N_("%(name)s is a bot; kudos are for people."),
    Refusal.UNKNOWN: N_("I cannot find %(name)s in this workspace."),
    Refusal.LEFT: N_("%(name)s has left this workspace."),
    Refusal.DM_DISALLOWED: N_("Kudos are given in a channel here, so the team can join in."),
    Refusal.VALUE_REQUIRED: N_("Add one of the team's values: %(values)s."),
    Refusal.UNKNOWN_BADGE: N_("There is no badge called %(badge)s. Badges here: %(badges)s."),
}


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Refusal
    values: Mapping[str, object] = field(default_factory=dict)


def check_recipients(
    giver: Member, recipients: Sequence[Member | str]
) -> tuple[tuple[Member, ...], Refused | None]:
    """Resolved members in order, or the first refusal. A string is a name not found."""
    kept: list[Member] = []
    seen: set[str] = set()
    for found in recipients:
        if isinstance(found, str):
            return (), Refused(Refusal.UNKNOWN, {"name": found})
        if found.ref == giver.ref:
            return (), Refused(Refusal.SELF)
        if found.is_bot:
            return (), Refused(Refusal.BOT, {"name": found.name})
        if not found.active:
            return (), Refused(Refusal.LEFT, {"name": found.name})
        if found.ref.user_id not in seen:
            seen.add(found.ref.user_id)
            kept.append(found)
    if not kept:
        return (), Refused(Refusal.NO_RECIPIENT, {"example": "/kudos @ana for the review"})
    return tuple(kept), None


def check_values(policy: Policy, tags: Sequence[str]) -> tuple[tuple[str, ...], Refused | None]:
    values = tuple(t for t in tags if t in policy.values)
    if policy.require_value and not values:
        listed = ", ".join(f"#{v}" for v in policy.values)
        return (), Refused(Refusal.VALUE_REQUIRED, {"values": listed})
    return values, None


@dataclass(frozen=True, slots=True)
class Allowance:
    limit: int
    used: int
    resets_at: datetime

    @property
    def left(self) -> int:
        return max(self.limit - self.used, 0)


def check_allowance(allowance: Allowance, needed: int) -> Refused | None:
    if needed <= allowance.left:
        return None
    return Refused(
        Refusal.OVER_ALLOWANCE,
        {"needed": needed, "left": allowance.left, "reset": allowance.resets_at},
    )


# --- badges --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Badge:
    """A peer badge from the workspace's catalogue."""

    name: str
    emoji: str
    description: str


DEFAULT_CATALOGUE = (
    Badge("mentor", "🦉", "Helped someone grow"),
    Badge("helper", "🤝", "Went out of their way to help"),
    Badge("rockstar", "🌟", "Shipped something remarkable"),
    Badge("teacher", "📚", "Shared what they know"),
)


class Milestone(StrEnum):
    FIRST_RECEIVED = "first_received"
    FIRST_GIVEN = "first_given"
    RISING_TALENT = "rising_talent"
    TOP_RATED = "top_rated"
    TOP_RATED_PLUS = "top_rated_plus"
    GIVING_STREAK = "giving_streak"
    GENEROUS_GIVER = "generous_giver"
    VALUES_CHAMPION = "values_champion"


@dataclass(frozen=True, slots=True)
class Facts:
    """What a member's record says, as of one moment (for milestones)."""

    received_total: int
    given_total: int
    received_last_year: int
    giving_days_in_window: int
    distinct_receivers: int
    top_value: tuple[str, int] | None


def milestones(facts: Facts, thresholds: Thresholds) -> set[Milestone]:
    """Every milestone the facts meet (the store keeps those already awarded)."""
    earned: set[Milestone] = set()
    if facts.received_total >= 1:
        earned.add(Milestone.FIRST_RECEIVED)
    if facts.given_total >= 1:
        earned.add(Milestone.FIRST_GIVEN)
    tiers = (
        (thresholds.rising_talent, Milestone.RISING_TALENT),
        (thresholds.top_rated, Milestone.TOP_RATED),
        (thresholds.top_rated_plus, Milestone.TOP_RATED_PLUS),
    )
    earned |= {tier for needed, tier in tiers if facts.received_last_year >= needed}
    if facts.giving_days_in_window >= thresholds.streak_days:
        earned.add(Milestone.GIVING_STREAK)
    if facts.distinct_receivers >= thresholds.generous_receivers:
        earned.add(Milestone.GENEROUS_GIVER)
    if facts.top_value is not None and facts.top_value[1] >= thresholds.champion_same_value:
        earned.add(Milestone.VALUES_CHAMPION)
    return earned


@dataclass(frozen=True, slots=True)
class Award:
    member: str
    milestone: Milestone
    awarded_at: datetime
    detail: str = ""


# --- reading -------------------------------------------------------------------


class Window(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    ALL = "all"


WINDOW_DAYS = {Window.WEEK: 7, Window.MONTH: 30, Window.QUARTER: 91, Window.YEAR: 365}


def window_start(window: Window, now: datetime) -> datetime | None:
    """Boards look back a rolling window (None: all time)."""
    days = WINDOW_DAYS.get(window)
    return None if days is None else now - timedelta(days=days)


@dataclass(frozen=True, slots=True)
class Standing:
    user_id: str
    count: int
    rank: int


@dataclass(frozen=True, slots=True)
class Board:
    receivers: tuple[Standing, ...]
    givers: tuple[Standing, ...]
    # The viewer's own standing among receivers and among givers, when the
    # board was asked for with a viewer: (None, None) otherwise.
    viewer: tuple[Standing | None, Standing | None] = (None, None)


@dataclass(frozen=True, slots=True)
class Stats:
    received: int
    given: int
    values: tuple[tuple[str, int], ...]
    peer_badges: tuple[tuple[str, int], ...]
    awards: tuple[Award, ...]


@dataclass(frozen=True, slots=True)
class Health:
    """Recognition health: is appreciation spread, or pooled on a few?"""

    members: int
    unrecognised: tuple[str, ...]  # active members who received nothing in 30 days
    top_decile_share: float  # share of the last 30 days' kudos going to the top 10%
    giver_diversity: float  # distinct givers / active members, last 30 days


def health(active: Sequence[str], received: Mapping[str, int], givers: set[str]) -> Health:
    """Compute recognition health from the last 30 days' counts."""
    members = len(active)
    unrecognised = tuple(sorted(m for m in active if received.get(m, 0) == 0))
    counts = sorted(received.values(), reverse=True)
    total = sum(counts)
    top = max(1, -(-members // 10)) if members else 0
    share = sum(counts[:top]) / total if total else 0.0
    diversity = len(givers & set(active)) / members if members else 0.0
    return Health(members, unrecognised, round(share, 3), round(diversity, 3))


@dataclass(frozen=True, slots=True)
class Given:
    """What recording a gift did."""

    used: int  # the giver's kudos in the period, this gift included
    stored: int  # recipients newly recorded (0: the gift was a replay)
    totals: Mapping[str, tuple[int, int]]  # member -> (received, given), after the gift


def milestone_candidates(totals: tuple[int, int], thresholds: Thresholds) -> set[Milestone]:
    """Milestones a member's all-time totals do not rule out.

    Cheap to know after every gift; only when a candidate is not yet awarded
    are the costlier facts worth reading.
    """
    received, given = totals
    earned = milestones(
        Facts(
            received_total=received,
            given_total=given,
            received_last_year=received,
            giving_days_in_window=given,
            distinct_receivers=given,
            top_value=("", received) if received else None,
        ),
        thresholds,
    )
    return earned


def facts_bound(facts: Facts, then: tuple[int, int], now: tuple[int, int], *, days: int) -> Facts:
    """The most a member's facts can have grown since `facts` were read.

    Between two reads, every new kudos received adds at most one to each
    received count, every kudos given at most one receiver, and giving days
    grow by at most one a day (`days` since the read) and one a gift.
    Milestones this bound does not reach cannot have been earned, so the
    facts need not be read again.
    """
    received, given = now[0] - then[0], now[1] - then[1]
    top = facts.top_value
    return Facts(
        received_total=now[0],
        given_total=now[1],
        received_last_year=facts.received_last_year + received,
        giving_days_in_window=facts.giving_days_in_window + min(max(days, 0), given),
        distinct_receivers=facts.distinct_receivers + given,
        top_value=(top[0], top[1] + received) if top else (("", received) if received else None),
    )


def needs_facts(candidates: set[Milestone]) -> bool:
    """The first-kudos milestones follow from totals alone; others need facts."""
    return bool(candidates - {Milestone.FIRST_RECEIVED, Milestone.FIRST_GIVEN})


class KudosStore(Protocol):
    async def give(self, gift: Gift, *, limit: int, period_start: datetime) -> Given | None:
        """Record the gift if the giver's kudos since `period_start` plus this
        gift stay within `limit`, in one transaction. None when it would go
        over (nothing is stored). A gift whose id is already recorded is not
        recorded again (`stored` is 0)."""
        ...

    async def used(self, giver: MemberRef, *, since: datetime) -> int: ...

    async def reverse_source(
        self, workspace: WorkspaceRef, source_ref: str, *, at: datetime
    ) -> list[Kudos]:
        """Reverse every kudos given by that message or reaction; returns them."""
        ...

    async def last_gift(self, giver: MemberRef, *, since: datetime) -> list[Kudos]:
        """The giver's latest gift (all its recipients) not reversed, since then."""
        ...

    async def reverse_gift(
        self, workspace: WorkspaceRef, gift_id: str, *, at: datetime
    ) -> list[Kudos]: ...

    async def board(
        self,
        workspace: WorkspaceRef,
        *,
        since: datetime | None,
        limit: int,
        viewer: MemberRef | None = None,
    ) -> Board:
        """The first `limit` receivers and givers since then (all time: None);
        with a viewer, also the viewer's standings as `rank` gives them, read
        in the same pass over the counts."""
        ...

    async def rank(
        self, member: MemberRef, *, since: datetime | None
    ) -> tuple[Standing | None, Standing | None]:
        """The member's standing among receivers and among givers."""
        ...

    async def stats(self, member: MemberRef) -> Stats: ...

    async def facts(
        self, member: MemberRef, *, now: datetime, streak_window: timedelta
    ) -> Facts: ...

    async def award(self, member: MemberRef, award: Award) -> bool:
        """Record a milestone once; True only the first time."""
        ...

    async def catalogue(self, workspace: WorkspaceRef) -> list[Badge]: ...

    async def save_badge(self, workspace: WorkspaceRef, badge: Badge) -> None: ...

    async def remove_badge(self, workspace: WorkspaceRef, name: str) -> bool: ...

    async def between(
        self, workspace: WorkspaceRef, *, start: datetime | None, end: datetime
    ) -> list[Kudos]:
        """Kudos not reversed, given in [start, end), oldest first."""
        ...

    async def awards_between(
        self, workspace: WorkspaceRef, *, start: datetime, end: datetime
    ) -> list[Award]: ...

    async def first_time_receivers(
        self, workspace: WorkspaceRef, *, start: datetime, end: datetime
    ) -> list[str]:
        """Members whose first kudos ever arrived in [start, end)."""
        ...

    async def recent_counts(
        self, workspace: WorkspaceRef, *, since: datetime
    ) -> tuple[dict[str, int], set[str]]:
        """Received counts per member, and the set of givers, since then."""
        ...
