"""Build the benchmark stores with the store's own bulk import, timing only the import."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.generate import Archive
from bot.store.sqlite import SqliteStore

# The benchmark's newsroom is a Discord guild, so the same file also serves the end-to-end run.
GUILD = 111000000000000001
WORKSPACE = f"discord:{GUILD}"
# Generated text is held in memory this many claims at a time, then imported (and timed).
# Each import call starts its writer process and fills its pipeline anew (see
# bot/store/sqlite/bulk_writer.py), which a real archive, imported in one call, does once.
CHUNK = 250_000


@dataclass(frozen=True)
class BuildReport:
    claims: int
    workspaces: int
    import_seconds: float
    generate_seconds: float
    db_mb: float

    @property
    def claims_per_second(self) -> float:
        return self.claims / self.import_seconds if self.import_seconds else 0.0


def tenant(n: int) -> str:
    return f"discord:{GUILD + n}"


def remove_store(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def db_megabytes(path: Path) -> float:
    total = sum(
        Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )
    return round(total / 1e6, 1)


def after(done: int, progress: Callable[[int], None] | None) -> Callable[[int], None] | None:
    """Progress within one import call, reported as progress of the whole build."""
    if progress is None:
        return None
    report = progress
    return lambda count: report(done + count)


async def build(
    path: Path,
    archive: Archive,
    plan: list[tuple[str, int, int]],
    progress: Callable[[int], None] | None = None,
) -> BuildReport:
    """Import ``plan``: (workspace, claim count, archive offset) in order, into a new file."""
    remove_store(path)
    store = await SqliteStore.open(path)
    imported = 0
    generating = importing = 0.0
    try:
        for workspace, count, offset in plan:
            claims = archive.claims(count, offset=offset)
            while True:
                start = time.perf_counter()
                chunk = list(itertools.islice(claims, CHUNK))
                generating += time.perf_counter() - start
                if not chunk:
                    break
                start = time.perf_counter()
                imported += await store.bulk_import(
                    workspace, chunk, at=datetime.now(UTC), progress=after(imported, progress)
                )
                importing += time.perf_counter() - start
    finally:
        await store.close()
    return BuildReport(imported, len(plan), importing, generating, db_megabytes(path))
