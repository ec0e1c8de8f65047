"""What both stores' outboxes share: an event's payload as stored, and rows read back as the
core's types."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.models import Person, Stance, Status
from bot.core.notifications.models import (
    Cadence,
    Channel,
    ClaimEvent,
    DueDelivery,
    EventKind,
    Scope,
    Subscription,
)
from bot.core.notifications.recipients import AUTHOR_HEARS_BY_DM, BY_URGENCY, scopes_hearing

SUBSCRIPTION_COLUMNS = "id, user_id, scope, target, delivery, channel_id, cadence, created_at"


# Subscriptions by cadence, most urgent first (``ORDER BY CASE s.cadence … END``): of one
# recipient's several subscriptions, the first inserted is kept.
URGENCY_ORDER = " ".join(f"WHEN '{c.value}' THEN {n}" for n, c in enumerate(BY_URGENCY))


def hearing(facts: EventFacts, packed_claim: int, bind: Callable[[object], str]) -> str:
    """The core's rule of who hears of ``facts`` (notifications/recipients.py) as SQL on the
    subscriptions ``s``, or "" if nobody does. ``bind`` takes a parameter and returns its
    placeholder in the store's own style, so both stores compile the same rule."""
    heard_by: list[str] = []
    for scope in scopes_hearing(facts.kind):
        if scope is Scope.ALL:
            heard_by.append("s.scope = 'all'")
        elif scope is Scope.CLAIM:
            heard_by.append(f"(s.scope = 'claim' AND s.target = {bind(str(facts.claim_id))})")
        else:
            heard_by.append(
                "(s.scope = 'tag' AND s.target IN"
                f" (SELECT tag FROM claim_tags WHERE claim_id = {bind(packed_claim)}))"
            )
    if not heard_by:
        return ""
    author = (
        ""
        if AUTHOR_HEARS_BY_DM
        else f" AND NOT (s.delivery = 'dm' AND s.user_id = {bind(facts.actor.user_id)})"
    )
    return f"({' OR '.join(heard_by)}){author}"


def platform_of(workspace: str) -> str:
    return workspace.split(":", 1)[0]


@dataclass(frozen=True)
class EventFacts:
    """What happened to a claim, as its outbox event records it (and who hears of it is worked
    out from: the kind, the claim, its tags, the actor)."""

    kind: EventKind
    claim_id: int
    claim_text: str
    status: Status
    actor: Person
    at: datetime
    tags: Sequence[str] = ()
    old_status: Status | None = None
    new_status: Status | None = None
    reason: str = ""
    source_url: str | None = None
    source_stance: Stance | None = None
    source_outlet: str = ""


def event_payload(facts: EventFacts) -> str:
    """The event as the outbox stores it (JSON): what a notification needs, fixed when it
    happened."""
    payload: dict[str, Any] = {
        "kind": facts.kind.value,
        "claim_id": facts.claim_id,
        "claim_text": facts.claim_text,
        "status": facts.status.value,
        "old_status": facts.old_status.value if facts.old_status else None,
        "new_status": facts.new_status.value if facts.new_status else None,
        "actor_id": facts.actor.user_id,
        "actor_name": facts.actor.name,
        "reason": facts.reason,
        "source_url": facts.source_url,
        "source_stance": facts.source_stance.value if facts.source_stance else None,
        "source_outlet": facts.source_outlet,
        "tags": list(facts.tags),
        "at": facts.at.isoformat(),
    }
    return json.dumps(payload, ensure_ascii=False)


def subscription_from(workspace: str, r: Any) -> Subscription:
    return Subscription(
        id=r[0],
        workspace=workspace,
        user_id=r[1],
        scope=Scope(r[2]),
        target=r[3],
        delivery=Channel(r[4]),
        channel_id=r[5],
        cadence=Cadence(r[6]),
        created_at=datetime.fromisoformat(r[7]),
    )


def event_from(event_id: int, workspace: str, payload: str) -> ClaimEvent:
    data = json.loads(payload)
    return ClaimEvent(
        id=event_id,
        workspace=workspace,
        kind=EventKind(data["kind"]),
        claim_id=data["claim_id"],
        claim_text=data["claim_text"],
        status=Status(data["status"]),
        old_status=Status(data["old_status"]) if data["old_status"] else None,
        new_status=Status(data["new_status"]) if data["new_status"] else None,
        actor_id=data["actor_id"],
        actor_name=data["actor_name"],
        reason=data["reason"],
        source_url=data["source_url"],
        source_stance=Stance(data["source_stance"]) if data["source_stance"] else None,
        source_outlet=data["source_outlet"],
        tags=tuple(data["tags"]),
        at=datetime.fromisoformat(data["at"]),
    )


def due_delivery_from(row: Any) -> DueDelivery:
    """A delivery taken from the outbox: (delivery id, workspace, recipient kind, recipient,
    cadence, attempts, event id, event payload)."""
    return DueDelivery(
        id=row[0],
        workspace=row[1],
        recipient_kind=Channel(row[2]),
        recipient=row[3],
        cadence=Cadence(row[4]),
        attempts=row[5],
        event=event_from(row[6], row[1], row[7]),
    )
