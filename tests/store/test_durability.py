"""Acknowledged means stored: a process killed with SIGKILL loses no claim it had confirmed."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.processes import Lines

_ADDER = """
import asyncio, sys
from pathlib import Path
from bot.core.models import Actor
from bot.core.matching.matcher import Matcher
from bot.core.service import ClaimService
from bot.core.ports import SystemClock
from bot.store.sqlite import SqliteStore

async def main() -> None:
    store = await SqliteStore.open(Path(sys.argv[1]))
    service = ClaimService(store, SystemClock(), configured_moderators={}, matcher=Matcher.words_only(store))
    actor = Actor(workspace="console:durable", user_id="u", display_name="Rita")
    n = 0
    while True:
        n += 1
        outcome = await service.add_claim(
            actor, f"Claim {n}: ferry fares rose by {n} percent this year.", force=True,
            source_url=f"https://example.org/fares/{n}",
        )
        print(outcome.claim.id, flush=True)  # the acknowledgement a user would see

asyncio.run(main())
"""


def test_no_acknowledged_add_is_lost_to_a_kill(tmp_path: Path) -> None:
    # The kill lands after a given number of acknowledgements, counted as they arrive (not
    # after a time, which a slow machine spends starting Python): in the middle of the next
    # add's transaction, or between two.
    for attempt, acknowledged_before_kill in enumerate((1, 7, 40)):
        db = tmp_path / f"durable-{attempt}.sqlite3"
        process = subprocess.Popen(
            [sys.executable, "-c", _ADDER, str(db)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        printed = Lines(process)
        acknowledged = [int(printed.next(within=60)) for _ in range(acknowledged_before_kill)]
        process.send_signal(signal.SIGKILL)
        acknowledged += [int(line) for line in printed.rest()]  # printed before the kill landed
        with sqlite3.connect(db) as conn:
            stored = dict(
                conn.execute("SELECT number, source_count FROM claims WHERE workspace_key = 1")
            )
        for number in acknowledged:
            # Stored, with the source it was acknowledged with.
            assert stored.get(number) == 1, number
