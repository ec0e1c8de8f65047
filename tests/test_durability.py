"""Acknowledged means stored: a process killed with SIGKILL loses no claim it had confirmed."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO

_ADDER = """
import asyncio, sys
from pathlib import Path
from bot.core.models import Actor
from bot.core.service import ClaimService
from bot.core.ports import SystemClock
from bot.store.sqlite import SqliteStore

async def main() -> None:
    store = await SqliteStore.open(Path(sys.argv[1]))
    service = ClaimService(store, SystemClock(), configured_moderators={})
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
    for attempt, run_for in enumerate((0.6, 1.1, 1.7)):
        db = tmp_path / f"durable-{attempt}.sqlite3"
        process = subprocess.Popen(
            [sys.executable, "-c", _ADDER, str(db)], cwd=REPO, stdout=subprocess.PIPE, text=True
        )
        time.sleep(run_for)
        process.send_signal(signal.SIGKILL)
        out, _ = process.communicate()
        acknowledged = [int(line) for line in out.split()]
        assert acknowledged, "nothing was acknowledged before the kill"
        with sqlite3.connect(db) as conn:
            stored = dict(
                conn.execute("SELECT number, source_count FROM claims WHERE workspace_key = 1")
            )
        for number in acknowledged:
            # Stored, with the source it was acknowledged with.
            assert stored.get(number) == 1, number
