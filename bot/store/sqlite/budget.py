"""A time budget for searches: a statement that runs past it is interrupted, not waited for.

A search is whatever a person types, and some texts (fifty ``a* b* c*`` prefixes over a
200,000-claim workspace) cost seconds. Searches run on a connection of their own, so a slow
one never holds up a ``show`` (which has the reader), and this budget bounds how long the next
search waits behind it. SQLite calls the progress handler every few thousand virtual-machine
steps; it interrupts the statement once the search's deadline has passed.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator

import aiosqlite

from bot.core.errors import InvalidInput
from bot.store import search_limits
from bot.store.search_limits import TOO_BROAD

# VM steps between two looks at the clock (tens of microseconds of work; FTS5 does much of a
# query inside single steps, so a larger figure let a broad query run on unlooked-at).
_STEPS = 1_000


class SearchBudget:
    def __init__(self) -> None:
        self._deadline = float("inf")

    async def install(self, conn: aiosqlite.Connection) -> None:
        await conn.set_progress_handler(self._over, _STEPS)

    def _over(self) -> int:
        # Runs in the connection's thread; a non-zero answer interrupts the statement.
        return int(time.monotonic() > self._deadline)

    @contextlib.asynccontextmanager
    async def limit(self, seconds: float | None = None) -> AsyncIterator[None]:
        """Statements on the connection while this is open must end within ``seconds``; an
        interrupted one becomes the plain refusal ``TOO_BROAD``."""
        self._deadline = time.monotonic() + (
            search_limits.SEARCH_SECONDS if seconds is None else seconds
        )
        try:
            yield
        except sqlite3.OperationalError as error:
            if "interrupted" not in str(error):
                raise
            raise InvalidInput(TOO_BROAD) from None
        finally:
            self._deadline = float("inf")
