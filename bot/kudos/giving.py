"""Giving and taking back kudos: by command, by message, by reaction.

Every way in ends in `Giving.give`, which checks the rules, asks the store
to record the gift (the store re-checks the allowance in the same
transaction), then celebrates and announces any milestone reached. A
refusal is private and stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bot.chat import (
    Directory,
    Member,
    MemberRef,
    Message,
    Visibility,
    Workspace,
)
from bot.features import Outcome
from bot.kudos.domain import (
    REASONS,
    UNDO_WINDOW,
    Allowance,
    Award,
    Facts,
    Gift,
    KudosStore,
    Milestone,
    Policy,
    Refusal,
    Refused,
    Source,
    check_allowance,
    check_recipients,
    check_values,
    facts_bound,
    milestone_candidates,
    milestones,
    needs_facts,
    period_bounds,
)
from bot.kudos.parsing import without_hashtags
from bot.mentions import Mention, resolve


@dataclass(frozen=True, slots=True)
class Attempt:
    """A gift as typed, before the rules: who, why, how, where."""

    workspace: Workspace
    giver: Member
    targets: Sequence[Mention | Member]
    reason: str
    hashtags: tuple[str, ...]
    badge: str | None
    private: bool
    channel: str | None
    is_dm: bool
    source: Source
    source_ref: str
    gift_id: str
    now: datetime


def refusal(to: str, channel: str | None, refused: Refused) -> Message:
    if refused.reason is Refusal.OVER_ALLOWANCE:
        return Message(
            "kudos/over_allowance",
            dict(refused.values),
            visibility=Visibility.PRIVATE,
            channel=channel,
            to=to,
        )
    return Message(
        "hearth/error",
        {"reason": REASONS[refused.reason], "values": dict(refused.values)},
        visibility=Visibility.PRIVATE,
        channel=channel,
        to=to,
    )


class Giving:
    def __init__(self, *, store: KudosStore, directory: Directory) -> None:
        self._store = store
        self._directory = directory
        # Milestones are awarded once and never taken back, so what this
        # process has seen awarded can be remembered safely.
        self._awarded: dict[MemberRef, set[Milestone]] = {}
        # The last facts read per member, with the totals and day they were
        # read at: a bound on what can have changed since (domain.facts_bound).
        self._facts: dict[MemberRef, tuple[Facts, tuple[int, int], date]] = {}

    async def allowance(self, workspace: Workspace, member: Member, now: datetime) -> Allowance:
        policy = Policy.of(workspace.settings)
        start, end = period_bounds(policy.period, now, member.timezone_in(workspace))
        used = await self._store.used(member.ref, since=start)
        return Allowance(policy.allowance_for(member), used, end)

    async def _resolve(
        self, workspace: Workspace, targets: Sequence[Mention | Member]
    ) -> list[Member | str]:
        found: list[Member | str] = []
        for target in targets:
            if isinstance(target, Member):
                found.append(target)
                continue
            member = await resolve(self._directory, workspace.ref, target)
            found.append(member if member is not None else (target.name or target.lookup))
        return found

    async def give(self, attempt: Attempt) -> list[Outcome]:
        workspace, giver = attempt.workspace, attempt.giver
        to, channel = giver.ref.user_id, attempt.channel
        policy = Policy.of(workspace.settings)
        if attempt.is_dm and not policy.allow_dm:
            return [refusal(to, channel, Refused(Refusal.DM_DISALLOWED))]
        receivers, refused = check_recipients(
            giver, await self._resolve(workspace, attempt.targets)
        )
        if refused is None:
            values, refused = check_values(policy, attempt.hashtags)
        if refused is None and attempt.badge is not None:
            catalogue = await self._store.catalogue(workspace.ref)
            if attempt.badge not in {b.name for b in catalogue}:
                listed = ", ".join(b.name for b in catalogue) or "-"
                refused = Refused(Refusal.UNKNOWN_BADGE, {"badge": attempt.badge, "badges": listed})
        if refused is not None:
            return [refusal(to, channel, refused)]
        start, end = period_bounds(policy.period, attempt.now, giver.timezone_in(workspace))
        limit = policy.allowance_for(giver)
        gift = Gift(
            id=attempt.gift_id,
            workspace=workspace.ref,
            giver=giver.ref.user_id,
            receivers=tuple(r.ref.user_id for r in receivers),
            reason=without_hashtags(attempt.reason, values),
            values=values,
            badge=attempt.badge,
            channel=channel,
            source=attempt.source,
            source_ref=attempt.source_ref,
            private=attempt.private or attempt.is_dm,
            given_at=attempt.now,
        )
        given = await self._store.give(gift, limit=limit, period_start=start)
        if given is None:
            current = await self._store.used(giver.ref, since=start)
            over = check_allowance(Allowance(limit, current, end), len(receivers))
            assert over is not None
            return [refusal(to, channel, over)]
        if given.stored == 0:
            return []  # the same gift, delivered again: already celebrated
        left = max(limit - given.used, 0)
        outcomes: list[Outcome] = [*self._celebrate(gift, left=left, resets_at=end)]
        outcomes += await self._milestones(workspace, gift, policy, given.totals)
        return outcomes

    def _celebrate(self, gift: Gift, *, left: int, resets_at: datetime) -> list[Message]:
        ws = gift.workspace
        context: dict[str, object] = {
            "giver": ws.member(gift.giver),
            "receivers": [ws.member(r) for r in gift.receivers],
            "reason": gift.reason,
            "values": [f"#{v}" for v in gift.values],
            "badge": gift.badge or "",
            "private": gift.private,
        }
        messages: list[Message] = []
        if not gift.private and gift.channel is not None:
            messages.append(Message("kudos/given", context, channel=gift.channel))
        messages += [
            Message(
                "kudos/received",
                {**context, "receiver": ws.member(receiver)},
                visibility=Visibility.DM,
                to=receiver,
                key=f"kudos:{gift.id}:{receiver}",
            )
            for receiver in gift.receivers
        ]
        if gift.source is Source.COMMAND:
            messages.append(
                Message(
                    "kudos/confirmed",
                    {**context, "left": left, "resets_at": resets_at},
                    visibility=Visibility.PRIVATE,
                    channel=gift.channel,
                    to=gift.giver,
                )
            )
        return messages

    async def _milestones(
        self,
        workspace: Workspace,
        gift: Gift,
        policy: Policy,
        totals: Mapping[str, tuple[int, int]],
    ) -> list[Message]:
        """Award and announce the milestones this gift completed, once each.

        All-time totals rule most milestones out; the costlier facts are read
        only for a member with a candidate milestone not yet awarded.
        """
        announced: list[Message] = []
        thresholds = policy.thresholds
        for user_id in (gift.giver, *gift.receivers):
            ref = workspace.ref.member(user_id)
            known = self._awarded.setdefault(ref, set())
            now_totals = totals.get(user_id, (0, 0))
            day = gift.given_at.astimezone(UTC).date()
            memo = self._facts.get(ref)
            if memo is None:
                pending = milestone_candidates(now_totals, thresholds) - known
            else:
                bound = facts_bound(memo[0], memo[1], now_totals, days=(day - memo[2]).days)
                pending = milestones(bound, thresholds) - known
            if not pending:
                continue
            earned = pending
            detail = ""
            if needs_facts(pending):
                facts = await self._store.facts(
                    ref,
                    now=gift.given_at,
                    streak_window=timedelta(days=thresholds.streak_window_days),
                )
                self._facts[ref] = (facts, now_totals, day)
                earned = milestones(facts, thresholds) - known
                detail = facts.top_value[0] if facts.top_value else ""
            for milestone in sorted(earned):
                award = Award(
                    user_id,
                    milestone,
                    gift.given_at,
                    detail if milestone is Milestone.VALUES_CHAMPION else "",
                )
                known.add(milestone)  # awarded now, or before by another process
                if await self._store.award(ref, award):
                    announced.append(self._announce(ref, award, gift))
        return announced

    def _announce(self, ref: MemberRef, award: Award, gift: Gift) -> Message:
        context = {"member": ref, "milestone": award.milestone.value, "detail": award.detail}
        if gift.private or gift.channel is None:
            return Message("kudos/badge_earned", context, visibility=Visibility.DM, to=ref.user_id)
        return Message("kudos/badge_earned", context, channel=gift.channel)

    async def undo_last(self, workspace: Workspace, giver: Member, now: datetime) -> list[str]:
        """Reverse the giver's latest gift within the undo window; its receivers."""
        rows = await self._store.last_gift(giver.ref, since=now - UNDO_WINDOW)
        if not rows:
            return []
        reversed_rows = await self._store.reverse_gift(workspace.ref, rows[0].gift_id, at=now)
        return [row.receiver for row in reversed_rows]
