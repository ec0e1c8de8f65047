"""Helpers for tests that drive a real process: read what it prints as it prints it, so a test
acts on an event the process announced, never on a guess of how long it takes."""

from __future__ import annotations

import queue
import subprocess
import threading


class Lines:
    """The lines a process prints on its standard output, read as they come (by a thread, so
    that lines already buffered are never waited for again)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None, "start the process with stdout=subprocess.PIPE"
        self._process = process
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(process.stdout,), daemon=True)
        self._thread.start()

    def _read(self, stream: object) -> None:
        for line in stream:  # type: ignore[attr-defined]
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def next(self, *, within: float) -> str:
        """The next line. Fails the test, saying so, if none comes within ``within`` seconds
        or the process ends first."""
        try:
            line = self._lines.get(timeout=within)
        except queue.Empty:
            raise AssertionError(f"the process printed no line within {within:.0f} s") from None
        if line is None:
            raise AssertionError(
                f"the process ended (exit {self._process.wait()}) before the line awaited"
            )
        return line

    def rest(self) -> list[str]:
        """Every line still to come, once the process has ended."""
        self._process.wait()
        self._thread.join()
        lines: list[str] = []
        while (line := self._lines.get()) is not None:
            lines.append(line)
        return lines
