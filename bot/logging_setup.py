"""Logging to stderr (a bot serving chat) or to a file (one-off commands and the console, whose
output is their answer), with every configured secret masked wherever it might appear."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from pathlib import Path


class RedactSecrets(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        text = message + ("\n" + record.exc_text if record.exc_text else "")
        if any(s in text for s in self._secrets):
            for secret in self._secrets:
                message = message.replace(secret, "[redacted]")
            record.msg, record.args = message, None
            if record.exc_text:
                for secret in self._secrets:
                    record.exc_text = record.exc_text.replace(secret, "[redacted]")
        return True


class RedactingFormatter(logging.Formatter):
    """Masks secrets in the finished line, traceback included: the filter above runs before a
    traceback is formatted, so a token inside an exception's message would pass it."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if len(s) >= 6]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


def configure_logging(level: str, secrets: Iterable[str], file: Path | None = None) -> None:
    """Log at ``level`` to ``file`` (appended to), or to stderr when there is none. A file
    that cannot be opened leaves warnings and errors on stderr, with one line saying why."""
    secrets = list(secrets)
    handler: logging.Handler = logging.StreamHandler()
    if file is not None:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(file, encoding="utf-8", delay=False)
        except OSError as error:
            print(f"Cannot write the log to {file} ({error.strerror}).", file=sys.stderr)
            handler.setLevel(logging.WARNING)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s", secrets)
    )
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
