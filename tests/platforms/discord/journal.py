"""What the emulator saw, in order, and awaitable: a test waits for an event, never a clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def match_route(pattern: str, path: str) -> dict[str, str] | None:
    """`/channels/{channel_id}/messages` matches `/channels/42/messages` as {"channel_id": "42"}."""
    wanted = pattern.strip("/").split("/")
    actual = path.strip("/").split("/")
    if len(wanted) != len(actual):
        return None
    params: dict[str, str] = {}
    for want, got in zip(wanted, actual, strict=True):
        if want.startswith("{") and want.endswith("}"):
            params[want[1:-1]] = got
        elif want != got:
            return None
    return params


@dataclass(frozen=True)
class RecordedRequest:
    """One REST call as the emulator received and answered it (path without `/api/v10`)."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    status: int
    response: Any

    def matches(self, method: str, pattern: str) -> bool:
        return self.method == method.upper() and match_route(pattern, self.path) is not None


@dataclass(frozen=True)
class GatewayFrame:
    """One frame a client sent on the gateway, with the connection it came on (1, 2, ...)."""

    connection: int
    op: int
    d: Any


@dataclass(frozen=True)
class Disconnection:
    """How a gateway connection ended; `by` is who closed it."""

    connection: int
    code: int | None
    by: str


@dataclass(frozen=True)
class InteractionCallback:
    """One response attempt to an interaction; a refused second response has status 400."""

    interaction_id: int
    type: int
    data: Any
    status: int


@dataclass
class Journal(Generic[T]):
    """An append-only list whose items can be awaited by predicate."""

    what: str
    items: list[T] = field(default_factory=list)
    _waiters: list[tuple[Callable[[T], bool], asyncio.Future[T]]] = field(default_factory=list)

    def append(self, item: T) -> None:
        self.items.append(item)
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(item):
                future.set_result(item)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self.items))

    def __len__(self) -> int:
        return len(self.items)

    # The timeout only keeps a broken test from hanging; it names what was seen instead.
    async def wait_for(self, predicate: Callable[[T], bool], *, timeout: float) -> T:  # noqa: ASYNC109
        """The earliest item matching, already recorded or yet to come."""
        for item in self.items:
            if predicate(item):
                return item
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        waiter = (predicate, future)
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            seen = "\n  ".join(repr(item) for item in self.items[-20:]) or "(nothing)"
            raise TimeoutError(
                f"no matching {self.what} within {timeout}s; saw:\n  {seen}"
            ) from None
        finally:
            self._waiters.remove(waiter)
