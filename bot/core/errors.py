"""Errors whose message is meant for the person who asked.

Every refusal the core makes is one of these, so an adapter only has to show ``str(error)``
(ephemerally) and never decides on its own what went wrong.
"""

import re

# Lone surrogates: what undecodable bytes (``\xff`` in argv) become in a Python string. They
# are not text: a reply that echoes one cannot be encoded to UTF-8 for Discord or Slack.
_SURROGATE = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD, the replacement character."""
    return _SURROGATE.sub("\ufffd", text)


class ClaimdeskError(Exception):
    """Base of every user-facing refusal; the message says what is wrong and what to do."""

    def __init__(self, message: str = "") -> None:
        # A refusal may quote what was typed; it must still be sendable.
        super().__init__(without_surrogates(message))


class InvalidInput(ClaimdeskError):
    """The request itself is malformed: too long, bad URL, unknown status, missing reason…"""


class NotFound(ClaimdeskError):
    """No such claim in this workspace (another workspace's claim is also 'not found')."""


class PermissionDenied(ClaimdeskError):
    """The actor lacks the role the action needs."""


class Conflict(ClaimdeskError):
    """The claim changed since the actor looked at it; nothing was written."""


class StoreUnavailable(ClaimdeskError):
    """The store cannot be written as it is (full disk, read-only, not a store file): the
    message says what an operator should do. Nothing was written."""


class StoreDamaged(StoreUnavailable):
    """The store's file fails SQLite's integrity check: Claimdesk refuses to write to it."""


class LookupFailed(ClaimdeskError):
    """Looking outside the desk did not work (no key, a refused key, no quota, no network)."""
