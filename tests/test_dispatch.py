"""The dispatcher: each delivery handled once, crashes resumed, replies sorted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.app import open_hearth
from bot.chat import CommandInvoked, Message, Platform, Visibility, WorkspaceRef
from bot.schedule import SimulatedClock
from bot.settings import Settings
from tests.probe import Probe, build

ACME = WorkspaceRef(Platform.LOCAL, "acme")
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def command(text: str, delivery: str = "d1", actor: str = "ana") -> CommandInvoked:
    return CommandInvoked(
        delivery_id=delivery,
        workspace=ACME,
        occurred_at=NOW,
        actor=actor,
        channel="general",
        command="probe",
        text=text,
    )


async def test_a_repeated_delivery_is_handled_once(settings: Settings) -> None:
    probe = Probe(weekly_in=[])
    async with open_hearth(
        settings, clock=SimulatedClock(NOW), extra_features=[build(probe)]
    ) as hearth:
        first = await hearth.dispatcher.handle(command("hello"), now=NOW)
        again = await hearth.dispatcher.handle(command("hello"), now=NOW)
        assert (first.queued, first.duplicate) == (1, False)
        assert (again.queued, again.duplicate) == (0, True)
        assert await hearth.storage.outbox.pending_count() == 1


async def test_an_unknown_workspace_and_member_are_recorded_on_first_sight(
    settings: Settings,
) -> None:
    async with open_hearth(settings, clock=SimulatedClock(NOW)) as hearth:
        await hearth.dispatcher.handle(command("hi", actor="newbie"), now=NOW)
        assert await hearth.storage.roster.workspace(ACME) is not None
        assert await hearth.storage.roster.member(ACME.member("newbie")) is not None


async def test_private_replies_come_back_and_public_ones_are_queued(settings: Settings) -> None:
    probe = Probe(weekly_in=[])
    async with open_hearth(
        settings, clock=SimulatedClock(NOW), extra_features=[build(probe)]
    ) as hearth:
        private = await hearth.dispatcher.handle(command("private", "d1"), now=NOW)
        dm = await hearth.dispatcher.handle(command("dm", "d2"), now=NOW)
        assert [m.visibility for m in private.direct if isinstance(m, Message)] == [
            Visibility.PRIVATE
        ]
        assert private.queued == 0
        assert (dm.direct, dm.queued) == ((), 1)


async def test_an_event_claimed_before_a_crash_is_processed_on_restart(
    settings: Settings,
) -> None:
    probe = Probe(weekly_in=[])
    clock = SimulatedClock(NOW)
    async with open_hearth(settings, clock=clock, extra_features=[build(probe)]) as hearth:
        # The process claims the event, acknowledges it, and dies before handling it.
        assert await hearth.storage.inbox.claim(command("hello", "lost"), now=NOW)
    clock.set(NOW + timedelta(minutes=5))
    async with open_hearth(settings, clock=clock, extra_features=[build(probe)]) as hearth:
        assert await hearth.resume() == 1
        assert await hearth.storage.outbox.pending_count() == 1
        assert await hearth.resume() == 0


async def test_a_handler_failure_is_logged_and_never_half_queued(settings: Settings) -> None:
    probe = Probe(weekly_in=[])
    async with open_hearth(
        settings, clock=SimulatedClock(NOW), extra_features=[build(probe)]
    ) as hearth:
        handled = await hearth.dispatcher.handle(command("boom"), now=NOW)
        assert handled.queued == 0
        assert [m.template for m in handled.direct if isinstance(m, Message)] == ["hearth/error"]
