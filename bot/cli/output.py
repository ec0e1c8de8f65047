"""Where the command line writes: its answers to stdout, its errors and progress to stderr."""

from __future__ import annotations

from rich.console import Console


def errors_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)
