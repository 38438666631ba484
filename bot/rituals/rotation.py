"""Who speaks next in "get to know a team member": a fair rotation.

Everyone speaks once before anyone speaks twice. The queue is ordered by
the last time each person held the spotlight, those who never did first;
whoever is at the front and eligible that week is picked. A newcomer joins
at the front (after their first weeks), someone away or opted out keeps
their place, and someone who swaps to another week never took their turn,
so they are first in line again the week after.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime, timedelta

from bot.chat import Member
from bot.rituals.records import Person, Turn, TurnStatus

OPT_OUT_ALL = "rituals"  # every ritual
OPT_OUT_SPOTLIGHT = "spotlight"  # every spotlight ritual
OPT_OUT_CELEBRATIONS = "celebrations"  # birthdays and anniversaries


def ritual_opt_out(ritual_id: int) -> str:
    """The opt-out token for one ritual, kept in the member's `opt_outs`."""
    return f"ritual:{ritual_id}"


def eligible(
    member: Member,
    *,
    ritual_id: int,
    at: datetime,
    today: date,
    newcomer_days: int,
    person: Person | None,
) -> bool:
    """Whether `member` may hold the spotlight at `at` (`today`: its local date)."""
    if member.is_bot or (member.left_at is not None and member.left_at <= at):
        return False
    if {OPT_OUT_ALL, OPT_OUT_SPOTLIGHT, ritual_opt_out(ritual_id)} & member.opt_outs:
        return False
    if member.joined_at is not None and at - member.joined_at < timedelta(days=newcomer_days):
        return False
    away = person.away_until if person is not None else None
    return away is None or away < today


def _tie_break(salt: str, user_id: str) -> str:
    """A stable order among equals that is not alphabetical, the same in every process."""
    return hashlib.sha256(f"{salt}:{user_id}".encode()).hexdigest()


def queue(candidates: Collection[str], turns: Sequence[Turn], *, salt: str) -> list[str]:
    """The candidates in the order they should speak."""
    last: dict[str, datetime] = {}
    for turn in turns:
        if turn.status is not TurnStatus.SWAPPED and turn.user_id in candidates:
            last[turn.user_id] = max(turn.slot, last.get(turn.user_id, turn.slot))

    def rank(user_id: str) -> tuple[bool, datetime, str]:
        spoken = last.get(user_id)
        return (spoken is not None, spoken or _NEVER, _tie_break(salt, user_id))

    return sorted(candidates, key=rank)


_NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def pick(
    candidates: Collection[str],
    turns: Sequence[Turn],
    *,
    salt: str,
    exclude: Collection[str] = (),
) -> str | None:
    """The next speaker among `candidates`, leaving out `exclude`; None if nobody is left."""
    allowed = [c for c in candidates if c not in exclude]
    order = queue(allowed, turns, salt=salt)
    return order[0] if order else None


def holder(turns: Sequence[Turn], slot: datetime) -> Turn | None:
    """The turn that holds a slot (picked or spoke), if any."""
    for turn in turns:
        if turn.slot == slot and turn.status is not TurnStatus.SWAPPED:
            return turn
    return None


def swapped_out(turns: Sequence[Turn], slot: datetime) -> set[str]:
    """Everyone who gave a slot away: they are not asked for it again."""
    return {t.user_id for t in turns if t.slot == slot and t.status is TurnStatus.SWAPPED}
