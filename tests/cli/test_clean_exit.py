"""A one-off command with the model on ends with its own exit code, never SIGABRT.

ONNX Runtime aborts the process ("terminate called without an active exception", exit -6)
when the interpreter exits while the background thread is still building the model's session.
Fifty runs: half close the desk at moments spread over the model's load (about 0.3 to 0.8 s
after start, where 15 of 40 such runs died before the fix), half are `claimdesk check`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import MODEL_PATH, REPO

# Open the desk as every command does, stay for a while, close it and exit.
CLOSE_AFTER = """
import asyncio, sys
from bot.bootstrap import open_claimdesk
from bot.cli.parser import build_parser, load

async def main() -> None:
    config = load(build_parser().parse_args(["--db", sys.argv[1], "console"]))
    async with open_claimdesk(config):
        await asyncio.sleep(float(sys.argv[2]))

asyncio.run(main())
"""
RUNS = 50


def _environment() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    return {**keep, "CLAIMDESK_MODEL_PATH": str(MODEL_PATH)}


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, cwd=REPO, env=_environment(), timeout=120
    )


def test_fifty_one_off_runs_with_the_model_exit_0_or_1(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    first = _run([sys.executable, "-m", "bot", "--db", str(db), "seed"])
    assert first.returncode == 0, first.stderr
    commands = [
        [sys.executable, "-c", CLOSE_AFTER, str(db), f"{0.05 * n:.2f}"] for n in range(RUNS // 2)
    ] + [
        [sys.executable, "-m", "bot", "--db", str(db), "check", "--json", "kursk is retaken"]
        for _ in range(RUNS - RUNS // 2)
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, commands))
    codes = [r.returncode for r in results]
    died = [
        (c[-1], r.returncode, r.stderr[-200:])
        for c, r in zip(commands, results, strict=True)
        if r.returncode not in (0, 1)
    ]
    assert not died, f"exit codes {codes}; first failures: {died[:3]}"
    # The checks answered (so the model had loaded and was used before each exit).
    assert all(r.stdout.startswith('{"matches": [') for r in results[RUNS // 2 :])
