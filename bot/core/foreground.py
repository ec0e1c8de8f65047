"""Members' commands come first. While a command is being answered, background work that
would take the event loop, the writer or the CPU from it (delivering notifications) waits for
it to finish. A steady stream of commands delays that work by at most ``at_most`` a time;
it never stops it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

# A member's command takes milliseconds; a notification held this long is still prompt.
YIELD_AT_MOST = 0.5


class Foreground:
    def __init__(self) -> None:
        self._serving = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def serving(self) -> int:
        """How many commands are being answered now."""
        return self._serving

    @contextlib.contextmanager
    def command(self) -> Iterator[None]:
        """Around answering one command."""
        self._serving += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self._serving -= 1
            if self._serving == 0:
                self._quiet.set()

    async def yield_to_commands(self, at_most: float = YIELD_AT_MOST) -> None:
        """Return once no command is being answered, or after ``at_most`` seconds."""
        if self._quiet.is_set():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), at_most)
