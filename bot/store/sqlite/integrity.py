"""SQLite's integrity check of the store's file: a damaged store must not take writes (they
could be acknowledged and then lost with the pages around them).

A small file is checked before the store opens. A large one (the quick check reads every page:
half a minute for a 3 GB store) is checked in the background on a connection of its own, so
the bot starts at once; if the check fails, every write from then on is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

import aiosqlite

from bot.core.errors import StoreDamaged
from bot.store.sqlite import faults
from bot.store.sqlite.connection import connect

log = logging.getLogger(__name__)

# Files up to this size are checked before the store opens (about a second of reading).
CHECK_FIRST_BYTES = 128 * 1024 * 1024


async def check(conn: aiosqlite.Connection, path: Path, pragma: str) -> None:
    """Run ``quick_check`` or ``integrity_check``; raises StoreDamaged if it finds anything."""
    async with conn.execute(f"PRAGMA {pragma}(5)") as cur:
        findings = [str(r[0]) for r in await cur.fetchall()]
    if findings != ["ok"]:
        finding = " ".join(" ".join(findings).split())  # one line: findings hold newlines
        raise faults.damaged(path, f"integrity check: {finding[:200]}")


def checked_first(path: Path) -> bool:
    """Whether the file is small enough to be checked before the store opens."""
    try:
        return path.stat().st_size <= CHECK_FIRST_BYTES
    except OSError:
        return True  # a new store: nothing to read


class BackgroundCheck:
    """The quick check of a large store, run beside the bot."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: aiosqlite.Connection | None = None
        self.damaged: StoreDamaged | None = None
        self._task = asyncio.create_task(self._run(), name="sqlite-integrity-check")

    async def _run(self) -> None:
        size_gb = self._path.stat().st_size / 1e9
        log.info("checking the store's integrity in the background (%.1f GB)", size_gb)
        self._conn = await connect(self._path)
        try:
            # The check reads each page once: a small cache (2 MB, not 32) keeps the bot's peak
            # memory where it was.
            await self._conn.execute("PRAGMA cache_size = -2000")
            await check(self._conn, self._path, "quick_check")
        except StoreDamaged as damaged:
            self.damaged = damaged
            log.error("%s", damaged)
        except aiosqlite.Error as error:
            if "interrupted" not in str(error):
                self.damaged = faults.damaged(self._path, str(error))
                log.error("%s", self.damaged)
        else:
            log.info("the store passed its integrity check")
        finally:
            await self._conn.close()

    async def finished(self) -> None:
        await asyncio.shield(self._task)

    async def close(self) -> None:
        if self._conn is not None and not self._task.done():
            await self._conn.interrupt()  # stops the check where it is; nothing to undo
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
