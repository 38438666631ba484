"""Every recorded change wakes whoever waits for one, so a test awaits an event, never a clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Changes:
    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def until(self, check: Callable[[], T | None], seconds: float, what: str) -> T:
        """Wait for `check` to find something, looking again after every change."""
        try:
            async with asyncio.timeout(seconds):
                while True:
                    changed = self._changed
                    found = check()
                    if found is not None:
                        return found
                    await changed.wait()
        except TimeoutError:
            raise TimeoutError(f"waited {seconds}s for {what}") from None
