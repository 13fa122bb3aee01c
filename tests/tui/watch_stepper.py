"""A watch sleep the test steps by hand: each `step()` ends one pending sleep."""

from __future__ import annotations

import asyncio


class Stepper:
    def __init__(self) -> None:
        self.sleeping = 0
        self._released = 0
        self._wake: asyncio.Event | None = None

    async def sleep(self, seconds: float) -> None:
        self.sleeping += 1
        if self._wake is None:
            self._wake = asyncio.Event()
        ticket = self.sleeping
        while self._released < ticket:
            await self._wake.wait()
            self._wake.clear()

    def step(self) -> None:
        self._released += 1
        if self._wake is not None:
            self._wake.set()
