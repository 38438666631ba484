"""The neutral vocabulary every part of Hearth speaks.

Platform adapters translate Slack and Discord payloads into these values and
render the outbound ones; feature slices only ever see these. Every identity
carries its workspace, so no rule can mix one team's data with another's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class Platform(StrEnum):
    LOCAL = "local"
    SLACK = "slack"
    DISCORD = "discord"


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    MEMBER = "member"

    @property
    def can_manage(self) -> bool:
        return self in (Role.ADMIN, Role.MANAGER)


@dataclass(frozen=True, slots=True, order=True)
class WorkspaceRef:
    platform: Platform
    workspace_id: str

    def member(self, user_id: str) -> MemberRef:
        return MemberRef(self, user_id)


@dataclass(frozen=True, slots=True, order=True)
class MemberRef:
    workspace: WorkspaceRef
    user_id: str


DEFAULT_LOCALE = "en"
DEFAULT_TIMEZONE = "UTC"


def known_zone(name: str) -> bool:
    """Whether `name` is an IANA time zone a member or a team may use
    (`Europe/Paris`, `UTC`; not a bare abbreviation like `CET`)."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return "/" in name or name == "UTC"


@dataclass(frozen=True, slots=True)
class Workspace:
    ref: WorkspaceRef
    name: str
    locale: str = DEFAULT_LOCALE
    timezone: str = DEFAULT_TIMEZONE
    settings: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Member:
    ref: MemberRef
    name: str
    timezone: str | None = None
    locale: str | None = None
    role: Role = Role.MEMBER
    is_bot: bool = False
    joined_at: datetime | None = None
    left_at: datetime | None = None
    opt_outs: frozenset[str] = frozenset()

    @property
    def active(self) -> bool:
        return self.left_at is None

    def timezone_in(self, workspace: Workspace) -> str:
        return self.timezone or workspace.timezone

    def locale_in(self, workspace: Workspace) -> str:
        return self.locale or workspace.locale


# --- inbound events -------------------------------------------------------
#
# Each event carries the platform's delivery id: the inbox claims
# (platform, workspace, delivery id) once, so retries and replays are skipped.


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    delivery_id: str
    workspace: WorkspaceRef
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandInvoked(Event):
    """A slash command: `/kudos @ana for the launch` is command "kudos"."""

    actor: str
    channel: str
    command: str
    text: str
    is_dm: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePosted(Event):
    actor: str
    channel: str
    message_id: str
    text: str
    thread_id: str | None = None
    is_dm: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDeleted(Event):
    channel: str
    message_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Reaction(Event):
    """An emoji put on (or taken off) a message; `message_author` None for a bot's."""

    actor: str
    channel: str
    message_id: str
    message_author: str | None
    emoji: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionAdded(Reaction):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class ReactionRemoved(Reaction):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberJoined(Event):
    member: Member


@dataclass(frozen=True, slots=True, kw_only=True)
class MemberLeft(Event):
    user_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ButtonPressed(Event):
    actor: str
    channel: str | None
    message_id: str | None
    action_id: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FormSubmitted(Event):
    actor: str
    form_id: str
    value: str
    fields: Mapping[str, str]
    channel: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HomeOpened(Event):
    """A member opened Hearth's home (Slack's App Home tab): features answer
    with `Visibility.HOME` sections about that member."""

    actor: str


EVENT_TYPES: tuple[type[Event], ...] = (
    CommandInvoked,
    MessagePosted,
    MessageDeleted,
    ReactionAdded,
    ReactionRemoved,
    MemberJoined,
    MemberLeft,
    ButtonPressed,
    FormSubmitted,
    HomeOpened,
)


# --- outbound -------------------------------------------------------------


def N_(msgid: str) -> str:  # noqa: N802 (the gettext marker convention)
    """Mark a string for translation; the renderer translates it per locale."""
    return msgid


class Visibility(StrEnum):
    PUBLIC = "public"  # in a channel, for everyone there
    PRIVATE = "private"  # in a channel, seen only by `to` (Slack ephemeral)
    DM = "dm"  # a direct message to `to`
    THREAD = "thread"  # a reply under `thread` (a message id) or `thread_key`
    HOME = "home"  # a section of `to`'s home view, shown when they open it


class ButtonStyle(StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True, slots=True)
class Action:
    """A button. `label` is an English msgid, translated when rendered."""

    label: str
    action_id: str
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True, slots=True)
class Attachment:
    """A small text file sent with a message (an export, a summary)."""

    filename: str
    content: str
    mime_type: str = "text/plain"


@dataclass(frozen=True, slots=True)
class Message:
    """What to say, not how: adapters render it for their platform.

    `channel` None means "where the triggering event happened". A message with
    a `key` can be found again: later messages thread under it with
    `thread_key`, and the outbox never sends the same key twice.
    """

    template: str
    context: Mapping[str, object] = field(default_factory=dict)
    visibility: Visibility = Visibility.PUBLIC
    channel: str | None = None
    to: str | None = None
    thread: str | None = None
    thread_key: str | None = None
    key: str | None = None
    actions: tuple[Action, ...] = ()
    attachments: tuple[Attachment, ...] = ()

    def __post_init__(self) -> None:
        if self.visibility in (Visibility.PRIVATE, Visibility.DM, Visibility.HOME) and not self.to:
            raise ValueError(f"a {self.visibility} message needs `to`")
        if self.visibility is Visibility.THREAD and not (self.thread or self.thread_key):
            raise ValueError("a thread message needs `thread` or `thread_key`")


class FieldKind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    URL = "url"
    CHOICE = "choice"


@dataclass(frozen=True, slots=True)
class FormField:
    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = True
    choices: tuple[str, ...] = ()
    initial: str = ""
    max_length: int = 1000


@dataclass(frozen=True, slots=True)
class Form:
    """A modal for `to` to fill in; its submission arrives as FormSubmitted."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    to: str
    value: str = ""
    submit_label: str = N_("Submit")


Reply = Message | Form


# --- ports the core offers every slice -----------------------------------


class Directory(Protocol):
    """Who is who: the workspaces and members Hearth knows."""

    async def workspace(self, ref: WorkspaceRef) -> Workspace | None: ...

    async def workspaces(self, platform: Platform | None = None) -> list[Workspace]:
        """Every workspace Hearth knows (on one platform when given)."""
        ...

    async def member(self, ref: MemberRef) -> Member | None: ...

    async def members(self, workspace: WorkspaceRef) -> list[Member]: ...

    async def find_member(self, workspace: WorkspaceRef, name: str) -> Member | None:
        """A member by user id or by (case-insensitive) name."""
        ...


class Roster(Directory, Protocol):
    """The directory, writable: adapters and the local workspace keep it current."""

    async def save_workspace(self, workspace: Workspace) -> None:
        """Insert or update (name, locale, time zone, settings)."""
        ...

    async def save_member(self, member: Member) -> None:
        """Insert or update every field of the member."""
        ...

    async def member_left(self, ref: MemberRef, at: datetime) -> None: ...
