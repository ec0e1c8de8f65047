"""A token bucket: at most ``rate`` sends a second on average, bursts of at most ``burst``."""

from __future__ import annotations

import asyncio
import time

# How much a bucket may send at once after an idle spell, in seconds of its rate. Platforms
# count their limit over a window (Discord: a second): a whole second's burst on top of the
# steady rate sent twice the rate within one window, and in a fleet every process's burst
# added up (bench/fleet.py: 85-115 x 429 right after a change, all in its first seconds).
BURST_SECONDS = 0.25


def burst_for(rate: float) -> float:
    return max(1.0, rate * BURST_SECONDS)


class TokenBucket:
    def __init__(self, rate: float, burst: int | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = float(burst) if burst is not None else burst_for(rate)
        self._tokens = self.capacity
        self._updated = time.monotonic()
        self._lock = asyncio.Lock()

    def set_rate(self, rate: float) -> None:
        """Pace at ``rate`` from now on (a fleet's share changed)."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = burst_for(rate)
        self._tokens = min(self._tokens, self.capacity)

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = time.monotonic()
                self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await asyncio.sleep((1 - self._tokens) / self.rate)

    def pause(self, seconds: float) -> None:
        """The platform asked us to wait (e.g. a 429's retry_after): drain the bucket for that long."""
        self._tokens = min(self._tokens, -seconds * self.rate)
        self._updated = time.monotonic()
