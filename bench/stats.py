"""Timing helpers shared by the benchmarks: percentiles, a timed loop, a stopwatch of named
steps, peak memory."""

from __future__ import annotations

import math
import resource
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


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
    """This process's own peak resident memory.

    On Linux, getrusage's ru_maxrss of a process started with fork and exec also counts the
    parent's peak at the fork (the kernel carries it over the exec): the benchmark's parent,
    which has just generated and imported the archive, would be measured instead of the bot.
    /proc/self/status's VmHWM belongs to this process's own address space.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)  # kB
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


@dataclass
class Spent:
    """Seconds of this thread's CPU and of the clock, summed over a step's runs."""

    cpu: float = 0.0
    wall: float = 0.0


@dataclass
class Stopwatch:
    """Time spent in named steps, each summed over however many times it ran."""

    steps: dict[str, Spent] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            yield
        finally:
            spent = self.steps.setdefault(name, Spent())
            spent.cpu += time.thread_time() - cpu
            spent.wall += time.perf_counter() - wall

    def cpu_us(self, name: str, claims: int) -> float:
        return self.steps[name].cpu / claims * 1e6

    def wall_us(self, name: str, claims: int) -> float:
        return self.steps[name].wall / claims * 1e6
