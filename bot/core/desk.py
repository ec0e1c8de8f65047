"""The desk's queue (issue 27): who asked about a claim, how much it is wanted, who is on it,
and when a checked claim is going round again. The rules, for every store and front end.

Demand: each request adds 2^(days since ``DEMAND_EPOCH`` / ``DEMAND_HALF_LIFE``), so a request
counts half as much a week later than one made now. Every claim's sum decays by the same factor
as time passes, so the order of the claims by demand never changes by itself: a store keeps the
sum (as its natural logarithm, which never overflows) in one indexed column and the queue is one
index walk, most wanted first. A claim nobody asked about has demand 0 (no request made after
the epoch sums to less than 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from bot.core.models import ClaimSummary, Person, Status

DEMAND_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
DEMAND_HALF_LIFE = timedelta(days=7)
NO_DEMAND = 0.0
# "asked 14 times (9 this week)"
RECENT_REQUESTS = timedelta(days=7)


def demand_term(at: datetime) -> float:
    """The logarithm of what one request made at ``at`` adds to its claim's demand."""
    halvings = (at - DEMAND_EPOCH) / DEMAND_HALF_LIFE
    return max(halvings * math.log(2.0), 1e-9)  # > 0: even a request dated before the epoch counts


def with_request(demand: float, term: float) -> float:
    """log(e^demand + e^term), where demand 0 means no request yet."""
    if demand <= NO_DEMAND:
        return term
    high, low = max(demand, term), min(demand, term)
    return high + math.log1p(math.exp(low - high))


def demand_of(times: Iterable[datetime]) -> float:
    """A claim's demand from its requests' times (what a store recomputes after one is taken
    back: a member said the message was not this claim)."""
    demand = NO_DEMAND
    for at in times:
        demand = with_request(demand, demand_term(at))
    return demand


@dataclass(frozen=True, slots=True)
class RepeatRule:
    """When a checked claim is "going round again": ``threshold`` requests within ``window``,
    for a claim of one of ``statuses``, said once per ``quiet`` at most."""

    threshold: int = 5
    window: timedelta = timedelta(hours=1)
    quiet: timedelta = timedelta(days=1)
    statuses: frozenset[Status] = frozenset({Status.VERIFIED, Status.DISPUTED})

    def applies_to(self, status: Status) -> bool:
        return status in self.statuses

    def may_alert(self, last_alerted: datetime | None, now: datetime) -> bool:
        return last_alerted is None or now - last_alerted >= self.quiet


def going_round_detail(count: int, rule: RepeatRule) -> str:
    """The alert's words after "#12 (disputed) is going round again: "."""
    hours = rule.window / timedelta(hours=1)
    span = "the last hour" if hours == 1 else f"the last {hours:g} hours"
    return f"{count} requests in {span}"


def told_of_assignment(
    actor: Person, assignee: Person | None, previous: Person | None
) -> tuple[tuple[bool, str], ...]:
    """Who hears of an assignment, by DM: (put on it, user id) for the one now on the claim,
    and (taken off it) for the one it was taken from; never the member who did it (taking a
    claim yourself, or dropping it, tells nobody)."""
    told: list[tuple[bool, str]] = []
    if assignee is not None and assignee.user_id != actor.user_id:
        told.append((True, assignee.user_id))
    if previous is not None and previous.user_id not in (actor.user_id, _id(assignee)):
        told.append((False, previous.user_id))
    return tuple(told)


def _id(person: Person | None) -> str | None:
    return person.user_id if person else None


def assignment_detail(assignee: Person | None, previous: Person | None) -> str:
    """The history entry's detail: names and platform ids, so the entry says who for good."""
    if assignee is None:
        return f"unassigned from {previous.name} ({previous.user_id})" if previous else "unassigned"
    return f"assigned to {assignee.name} ({assignee.user_id})"


class QueueView(StrEnum):
    OPEN = "open"  # everyone's
    MINE = "mine"
    UNASSIGNED = "unassigned"


@dataclass(frozen=True, slots=True)
class QueueQuery:
    view: QueueView = QueueView.OPEN
    viewer_id: str = ""
    status: Status = Status.UNVERIFIED
    tag: str | None = None
    page: int = 1
    page_size: int = 10


@dataclass(frozen=True, slots=True)
class QueueItem:
    claim: ClaimSummary
    requests: int
    assignee: Person | None
    last_asked_at: datetime | None


@dataclass(frozen=True, slots=True)
class QueuePage:
    items: tuple[QueueItem, ...]
    query: QueueQuery
    # Claims in the queue counted up to a cap (``total_is_capped`` says "more than").
    total: int
    total_is_capped: bool

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.page_size))

    @property
    def has_next(self) -> bool:
        return self.query.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.query.page > 1


@dataclass(frozen=True, slots=True)
class Request:
    """Someone asked about a claim: a check that showed it, or a member's "yes, this one"."""

    asked_by: Person
    channel_id: str
    link: str | None
    at: datetime
    check_id: int | None


@dataclass(frozen=True, slots=True)
class RequestsPage:
    claim: ClaimSummary
    items: tuple[Request, ...]
    total: int
    recent: int  # within RECENT_REQUESTS
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
