"""Subscriptions, the outbox and its delivery bookkeeping, in SQL.

``enqueue`` runs inside the transaction of the change it reports (see store.py): the event and
one delivery per matching recipient are committed together with the change, or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import aiosqlite

from bot.core.notifications.models import (
    Cadence,
    Channel,
    DueDelivery,
    Scope,
    Subscription,
)
from bot.core.notifications.schedule import due_at
from bot.store.keys import pack
from bot.store.outbox_rows import (
    SUBSCRIPTION_COLUMNS,
    URGENCY_ORDER,
    EventFacts,
    due_delivery_from,
    event_payload,
    hearing,
    platform_of,
    subscription_from,
)
from bot.store.sqlite.base import StoreBase


async def enqueue(
    conn: aiosqlite.Connection,
    *,
    workspace_key: int,
    workspace: str,
    facts: EventFacts,
) -> int:
    """Write the event and fan it out to matching subscriptions; returns deliveries created."""
    packed_claim = pack(workspace_key, facts.claim_id)
    async with conn.execute(
        "SELECT 1 FROM subscriptions WHERE workspace_key = ? LIMIT 1", (workspace_key,)
    ) as cur:
        if await cur.fetchone() is None:
            return 0  # nobody follows anything here: no event row to keep
    payload = event_payload(facts)
    cur = await conn.execute(
        "INSERT INTO events(workspace_key, claim_id, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        (
            workspace_key,
            packed_claim,
            facts.kind.value,
            payload,
            facts.at.isoformat(),
        ),
    )
    event_id = cur.lastrowid
    # The core's rule (outbox_rows.hearing), compiled into one INSERT … SELECT. The most
    # urgent subscriptions come first, so UNIQUE(event, recipient) keeps them.
    params: list[object] = [
        event_id,
        platform_of(workspace),
        facts.at.isoformat(),
        due_at(Cadence.HOURLY, facts.at).isoformat(),
        due_at(Cadence.DAILY, facts.at).isoformat(),
        workspace_key,
    ]

    def bind(value: object) -> str:
        params.append(value)
        return "?"

    heard = hearing(facts, packed_claim, bind)
    if not heard:
        return 0
    cur = await conn.execute(
        "INSERT OR IGNORE INTO deliveries(event_id, workspace_key, platform, recipient_kind,"
        " recipient, cadence, next_attempt_at)"
        " SELECT ?, s.workspace_key, ?, s.delivery,"
        " CASE s.delivery WHEN 'dm' THEN s.user_id ELSE s.channel_id END, s.cadence,"
        " CASE s.cadence WHEN 'instant' THEN ? WHEN 'hourly' THEN ? ELSE ? END"
        f" FROM subscriptions s WHERE s.workspace_key = ? AND {heard}"
        f" ORDER BY CASE s.cadence {URGENCY_ORDER} END",
        params,
    )
    return cur.rowcount


class OutboxQueries(StoreBase):
    """Subscriptions, workspace settings, and the outbox the dispatcher works through."""

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
        async with self._transaction() as conn:
            key = await self._ensure_key(conn, workspace, at)
            # Same target and place again: update the cadence instead of adding a twin.
            cur = await conn.execute(
                "INSERT INTO subscriptions(workspace_key, user_id, scope, target, delivery, channel_id,"
                " cadence, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (workspace_key, user_id, scope, target, delivery, channel_id)"
                " DO UPDATE SET cadence = excluded.cadence WHERE cadence <> excluded.cadence",
                (
                    key,
                    user_id,
                    scope.value,
                    target,
                    delivery.value,
                    channel_id,
                    cadence.value,
                    at.isoformat(),
                ),
            )
            created = cur.rowcount > 0
            async with conn.execute(
                f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE workspace_key = ? AND user_id = ?"
                " AND scope = ? AND target = ? AND delivery = ? AND channel_id = ?",
                (key, user_id, scope.value, target, delivery.value, channel_id),
            ) as c:
                row = await c.fetchone()
        assert row is not None
        return subscription_from(workspace, row), created

    async def remove_subscriptions(
        self, workspace: str, user_id: str, scope: Scope, target: str
    ) -> int:
        key = await self._key(workspace)
        if key is None:
            return 0
        async with self._transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM subscriptions WHERE workspace_key = ? AND user_id = ? AND scope = ? AND target = ?",
                (key, user_id, scope.value, target),
            )
            return cur.rowcount

    async def subscriptions(self, workspace: str, user_id: str) -> list[Subscription]:
        key = await self._key(workspace)
        if key is None:
            return []
        async with self._reader.execute(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE workspace_key = ? AND user_id = ?"
            " ORDER BY scope, target",
            (key, user_id),
        ) as cur:
            return [subscription_from(workspace, r) for r in await cur.fetchall()]

    # ----------------------------------------------------------------- settings
    async def setting(self, workspace: str, name: str) -> str | None:
        key = await self._key(workspace)
        if key is None:
            return None
        async with self._reader.execute(
            "SELECT value FROM workspace_settings WHERE workspace_key = ? AND name = ?", (key, name)
        ) as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else None

    async def set_setting(
        self, workspace: str, name: str, value: str | None, *, at: datetime
    ) -> None:
        async with self._transaction() as conn:
            key = await self._ensure_key(conn, workspace, at)
            if value is None:
                await conn.execute(
                    "DELETE FROM workspace_settings WHERE workspace_key = ? AND name = ?",
                    (key, name),
                )
            else:
                await conn.execute(
                    "INSERT INTO workspace_settings VALUES (?, ?, ?)"
                    " ON CONFLICT (workspace_key, name) DO UPDATE SET value = excluded.value",
                    (key, name, value),
                )

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
        marks = ",".join("?" * len(platforms))
        extra = ""
        params: list[Any] = [*platforms, now.isoformat()]
        if recipient is not None:
            extra += " AND d.recipient = ?"
            params.append(recipient)
        if workspace is not None:
            extra += " AND w.external_id = ?"
            params.append(workspace)
        async with self._transaction() as conn:
            async with conn.execute(
                "SELECT d.id, w.external_id, d.recipient_kind, d.recipient, d.cadence, d.attempts,"
                " e.id, e.payload FROM deliveries d"
                " JOIN events e ON e.id = d.event_id JOIN workspaces w ON w.key = d.workspace_key"
                f" WHERE d.state = 'pending' AND d.platform IN ({marks}) AND d.next_attempt_at <= ?{extra}"
                " ORDER BY d.next_attempt_at, d.id LIMIT ?",
                [*params, limit],
            ) as cur:
                rows = await cur.fetchall()
            if rows:
                await conn.executemany(
                    "UPDATE deliveries SET next_attempt_at = ? WHERE id = ?",
                    [(lease_until.isoformat(), r[0]) for r in rows],
                )
        return [due_delivery_from(r) for r in rows]

    async def mark_delivered(self, ids: Sequence[int], *, at: datetime) -> None:
        async with self._transaction() as conn:
            await conn.executemany(
                "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, finished_at = ?"
                " WHERE id = ? AND state = 'pending'",
                [(at.isoformat(), i) for i in ids],
            )

    async def reschedule(self, ids: Sequence[int], *, next_attempt: datetime, error: str) -> None:
        async with self._transaction() as conn:
            await conn.executemany(
                "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
                " WHERE id = ? AND state = 'pending'",
                [(next_attempt.isoformat(), error[:500], i) for i in ids],
            )

    async def mark_failed(self, ids: Sequence[int], *, at: datetime, error: str) -> None:
        async with self._transaction() as conn:
            await conn.executemany(
                "UPDATE deliveries SET state = 'failed', attempts = attempts + 1, finished_at = ?,"
                " last_error = ? WHERE id = ? AND state = 'pending'",
                [(at.isoformat(), error[:500], i) for i in ids],
            )

    async def first_undeliverable_notice(
        self, workspace: str, user_id: str, *, at: datetime
    ) -> bool:
        """True the first time only: a user is told once that their DMs are closed."""
        async with self._transaction() as conn:
            key = await self._ensure_key(conn, workspace, at)
            cur = await conn.execute(
                "INSERT OR IGNORE INTO undeliverable_notices VALUES (?, ?, ?)",
                (key, user_id, at.isoformat()),
            )
            return cur.rowcount > 0

    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None:
        if not platforms:
            return None
        marks = ",".join("?" * len(platforms))
        async with self._reader.execute(
            f"SELECT min(next_attempt_at) FROM deliveries WHERE state = 'pending' AND platform IN ({marks})",
            list(platforms),
        ) as cur:
            row = await cur.fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    async def fleet_size(self, member: str, *, alive_for: timedelta) -> int:
        """One: a SQLite store serves one bot process (a fleet shares PostgreSQL)."""
        return 1

    async def delivery_counts(self) -> dict[str, int]:
        async with self._reader.execute(
            "SELECT state, count(*) FROM deliveries GROUP BY state"
        ) as cur:
            return {r[0]: int(r[1]) for r in await cur.fetchall()}
