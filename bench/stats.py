"""Timing helpers shared by the benchmarks: percentiles, a timed loop, peak memory."""

from __future__ import annotations

import math
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Latency:
    """Milliseconds over ``runs`` runs of one operation."""

    runs: int
    p50: float
    p95: float
    p99: float

    def as_dict(self) -> dict[str, float]:
        return {"runs": self.runs, "p50_ms": self.p50, "p95_ms": self.p95, "p99_ms": self.p99}


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation: every figure is a time that really happened)."""
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def latency(samples_ms: list[float]) -> Latency:
    ordered = sorted(samples_ms)
    return Latency(
        len(ordered),
        round(percentile(ordered, 50), 3),
        round(percentile(ordered, 95), 3),
        round(percentile(ordered, 99), 3),
    )


async def measure(
    operation: Callable[[int], Awaitable[object]], runs: int, *, warmup: int = 3
) -> Latency:
    """Run ``operation(i)`` ``runs`` times after a short warm-up; times each run alone."""
    for i in range(warmup):
        await operation(-1 - i)
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        await operation(i)
        samples.append((time.perf_counter() - start) * 1000)
    return latency(samples)


def measure_sync(operation: Callable[[int], object], runs: int, *, warmup: int = 1) -> Latency:
    for i in range(warmup):
        operation(-1 - i)
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        operation(i)
        samples.append((time.perf_counter() - start) * 1000)
    return latency(samples)


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
