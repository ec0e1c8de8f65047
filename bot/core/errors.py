"""Errors whose message is meant for the person who asked.

Every refusal the core makes is one of these, so an adapter only has to show ``str(error)``
(ephemerally) and never decides on its own what went wrong.
"""


class ClaimdeskError(Exception):
    """Base of every user-facing refusal; the message says what is wrong and what to do."""


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
