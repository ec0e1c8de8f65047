"""Subscriptions, the outbox and its delivery bookkeeping.

``enqueue`` runs inside the transaction of the change it reports: the event and one delivery
per recipient are committed together with the change, or not at all. On PostgreSQL several
processes deliver at once: ``claim_due`` takes its deliveries FOR UPDATE SKIP LOCKED, so two
processes never take the same one, and a process killed mid-way leaves its share leased until
the lease runs out, then due again for the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.core.notifications.models import Cadence, Channel, DueDelivery, Scope, Subscription
from bot.core.notifications.schedule import due_at
from bot.store.keys import pack
from bot.store.outbox_rows import (
    EventFacts,
    due_delivery_from,
    event_payload,
    platform_of,
    subscription_from,
)
from bot.store.sql import statements as q
from bot.store.sql.base import SqlBase
from bot.store.sql.db import Db


async def enqueue(
    db: Db,
    *,
    workspace_key: int,
    workspace: str,
    facts: EventFacts,
    direct: Sequence[tuple[Channel, str]] = (),
) -> int:
    """Write the event and fan it out to the subscriptions that hear of it, and to the
    ``direct`` recipients the change names (once each: one a subscription already reaches is
    not sent it twice); returns the deliveries created."""
    fan_out = q.FAN_OUT[facts.kind]
    heard = fan_out is not None and await db.value(q.ANYONE_SUBSCRIBED, key=workspace_key)
    if not heard and not direct:
        return 0  # nobody hears of it: no event row to keep
    packed_claim = pack(workspace_key, facts.claim_id)
    event_id = await db.value(
        q.ADD_EVENT,
        key=workspace_key,
        claim_id=packed_claim,
        kind=facts.kind.value,
        payload=event_payload(facts),
        at=facts.at.isoformat(),
    )
    created = 0
    if heard and fan_out is not None:
        created = await db.run(
            fan_out,
            event_id=int(event_id),
            platform=platform_of(workspace),
            instant_at=facts.at.isoformat(),
            hourly_at=due_at(Cadence.HOURLY, facts.at).isoformat(),
            daily_at=due_at(Cadence.DAILY, facts.at).isoformat(),
            key=workspace_key,
            number=str(facts.claim_id),
            claim_id=packed_claim,
            actor_id=facts.actor.user_id,
        )
    for kind, address in direct:  # after the fan-out: it skips an address already reached
        created += await db.run(
            q.ADD_DIRECT_DELIVERY,
            event_id=int(event_id),
            key=workspace_key,
            platform=platform_of(workspace),
            recipient_kind=kind.value,
            recipient=address,
            at=facts.at.isoformat(),
        )
    return created


class OutboxQueries(SqlBase):
    """Subscriptions, and the outbox the dispatcher works through."""

    # ------------------------------------------------------------ subscriptions
    async def add_subscription(
        self,
        workspace: str,
        user_id: str,
        scope: Scope,
        target: str,
        delivery: Channel,
        channel_id: str,
        cadence: Cadence,
        *,
        at: datetime,
    ) -> tuple[Subscription, bool]:
        one = {
            "user_id": user_id,
            "scope": scope.value,
            "target": target,
            "delivery": delivery.value,
            "channel_id": channel_id,
        }
        async with self._write() as db:
            key = await self._ensure_key(db, workspace, at)
            created = await db.run(
                q.ADD_SUBSCRIPTION, key=key, cadence=cadence.value, at=at.isoformat(), **one
            )
            row = await db.row(q.SUBSCRIPTION, key=key, **one)
        self._remember(workspace, key)
        assert row is not None
        return subscription_from(workspace, row), created > 0

    async def remove_subscriptions(
        self, workspace: str, user_id: str, scope: Scope, target: str
    ) -> int:
        key = await self._key(workspace)
        if key is None:
            return 0
        async with self._write() as db:
            return await db.run(
                q.REMOVE_SUBSCRIPTIONS, key=key, user_id=user_id, scope=scope.value, target=target
            )

    async def subscriptions(self, workspace: str, user_id: str) -> list[Subscription]:
        key = await self._key(workspace)
        if key is None:
            return []
        rows = await self._reads.rows(q.SUBSCRIPTIONS_OF, key=key, user_id=user_id)
        return [subscription_from(workspace, r) for r in rows]

    # ----------------------------------------------------------------- dispatch
    async def claim_due(
        self,
        platforms: Sequence[str],
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
        recipient: str | None = None,
        workspace: str | None = None,
    ) -> list[DueDelivery]:
        """Take up to ``limit`` due deliveries and lease them until ``lease_until``; only
        ``recipient``'s in ``workspace`` if given (a console user's mailbox).

        A leased delivery whose sender dies is due again when the lease runs out, so nothing
        is lost; senders make resends harmless (see Notification.key).
        """
        if not platforms:
            return []
        due = q.DUE[(recipient is not None, workspace is not None)]
        async with self._write() as db:
            rows = await db.rows(
                due,
                platforms=list(platforms),
                now=now.isoformat(),
                limit=limit,
                recipient=recipient,
                workspace=workspace,
            )
            if rows:
                await db.run(q.LEASE, ids=[r[0] for r in rows], until=lease_until.isoformat())
        return [due_delivery_from(r) for r in rows]

    async def mark_delivered(self, ids: Sequence[int], *, at: datetime) -> None:
        async with self._write() as db:
            await db.run(q.DELIVERED, ids=list(ids), at=at.isoformat())

    async def reschedule(self, ids: Sequence[int], *, next_attempt: datetime, error: str) -> None:
        async with self._write() as db:
            await db.run(
                q.RESCHEDULED,
                ids=list(ids),
                next_attempt=next_attempt.isoformat(),
                error=error[:500],
            )

    async def mark_failed(self, ids: Sequence[int], *, at: datetime, error: str) -> None:
        async with self._write() as db:
            await db.run(q.FAILED, ids=list(ids), at=at.isoformat(), error=error[:500])

    async def first_undeliverable_notice(
        self, workspace: str, user_id: str, *, at: datetime
    ) -> bool:
        """True the first time only: a user is told once that their DMs are closed."""
        async with self._write() as db:
            key = await self._ensure_key(db, workspace, at)
            first = await db.run(q.FIRST_UNDELIVERABLE, key=key, user_id=user_id, at=at.isoformat())
        self._remember(workspace, key)
        return first > 0

    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None:
        if not platforms:
            return None
        when = await self._reads.value(q.NEXT_DUE, platforms=list(platforms))
        return datetime.fromisoformat(when) if when else None

    async def delivery_counts(self) -> dict[str, int]:
        return {str(r[0]): int(r[1]) for r in await self._reads.rows(q.DELIVERY_COUNTS)}
