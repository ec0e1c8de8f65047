"""Subscriptions, workspace settings, the outbox and its delivery bookkeeping. Mirrors
bot/store/sqlite/outbox.py, with one difference that matters when several processes deliver:
``claim_due`` takes its deliveries FOR UPDATE SKIP LOCKED, so two processes never take the same
one, and a process killed mid-way leaves its share leased until the lease runs out, then due
again for the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

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
from bot.store.postgres.base import PgBase

if TYPE_CHECKING:
    from bot.store.postgres.base import Conn


async def enqueue(
    conn: Conn,
    *,
    workspace_key: int,
    workspace: str,
    facts: EventFacts,
) -> int:
    """Write the event and fan it out to matching subscriptions; returns deliveries created."""
    packed_claim = pack(workspace_key, facts.claim_id)
    if not await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM subscriptions WHERE workspace_key = $1)", workspace_key
    ):
        return 0  # nobody follows anything here: no event row to keep
    payload = event_payload(facts)
    event_id = await conn.fetchval(
        "INSERT INTO events(workspace_key, claim_id, kind, payload, created_at)"
        " VALUES ($1, $2, $3, $4, $5) RETURNING id",
        workspace_key,
        packed_claim,
        facts.kind.value,
        payload,
        facts.at.isoformat(),
    )
    # The core's rule (outbox_rows.hearing), compiled into one INSERT … SELECT. The most
    # urgent subscriptions come first, so UNIQUE(event, recipient) keeps them.
    params: list[Any] = [
        event_id,
        platform_of(workspace),
        facts.at.isoformat(),
        due_at(Cadence.HOURLY, facts.at).isoformat(),
        due_at(Cadence.DAILY, facts.at).isoformat(),
        workspace_key,
    ]

    def bind(value: object) -> str:
        params.append(value)
        return f"${len(params)}"

    heard = hearing(facts, packed_claim, bind)
    if not heard:
        return 0
    status_line = await conn.execute(
        "INSERT INTO deliveries(event_id, workspace_key, platform, recipient_kind,"
        " recipient, cadence, next_attempt_at)"
        " SELECT event_id, workspace_key, platform, recipient_kind, recipient, cadence,"
        " next_attempt_at FROM (SELECT DISTINCT ON (recipient_kind, recipient)"
        " $1::bigint AS event_id, s.workspace_key, $2::text AS platform,"
        " s.delivery AS recipient_kind,"
        " CASE s.delivery WHEN 'dm' THEN s.user_id ELSE s.channel_id END AS recipient, s.cadence,"
        " CASE s.cadence WHEN 'instant' THEN $3 WHEN 'hourly' THEN $4 ELSE $5 END"
        " AS next_attempt_at"
        f" FROM subscriptions s WHERE s.workspace_key = $6 AND {heard}"
        f" ORDER BY recipient_kind, recipient, CASE s.cadence {URGENCY_ORDER} END) heard"
        " ON CONFLICT (event_id, recipient_kind, recipient) DO NOTHING",
        *params,
    )
    return int(status_line.split()[-1])


class OutboxQueries(PgBase):
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
            status_line = await conn.execute(
                "INSERT INTO subscriptions(workspace_key, user_id, scope, target, delivery,"
                " channel_id, cadence, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                " ON CONFLICT (workspace_key, user_id, scope, target, delivery, channel_id)"
                " DO UPDATE SET cadence = excluded.cadence"
                " WHERE subscriptions.cadence <> excluded.cadence",
                key,
                user_id,
                scope.value,
                target,
                delivery.value,
                channel_id,
                cadence.value,
                at.isoformat(),
            )
            row = await conn.fetchrow(
                f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE workspace_key = $1"
                " AND user_id = $2 AND scope = $3 AND target = $4 AND delivery = $5"
                " AND channel_id = $6",
                key,
                user_id,
                scope.value,
                target,
                delivery.value,
                channel_id,
            )
        self._remember(workspace, key)
        assert row is not None
        return subscription_from(workspace, row), status_line.split()[-1] != "0"

    async def remove_subscriptions(
        self, workspace: str, user_id: str, scope: Scope, target: str
    ) -> int:
        key = await self._key(workspace)
        if key is None:
            return 0
        status_line = await self._pool.execute(
            "DELETE FROM subscriptions WHERE workspace_key = $1 AND user_id = $2 AND scope = $3"
            " AND target = $4",
            key,
            user_id,
            scope.value,
            target,
        )
        return int(status_line.split()[-1])

    async def subscriptions(self, workspace: str, user_id: str) -> list[Subscription]:
        key = await self._key(workspace)
        if key is None:
            return []
        rows = await self._pool.fetch(
            f"SELECT {SUBSCRIPTION_COLUMNS} FROM subscriptions WHERE workspace_key = $1"
            " AND user_id = $2 ORDER BY scope, target",
            key,
            user_id,
        )
        return [subscription_from(workspace, r) for r in rows]

    # ----------------------------------------------------------------- settings
    async def setting(self, workspace: str, name: str) -> str | None:
        key = await self._key(workspace)
        if key is None:
            return None
        value = await self._pool.fetchval(
            "SELECT value FROM workspace_settings WHERE workspace_key = $1 AND name = $2",
            key,
            name,
        )
        return str(value) if value is not None else None

    async def set_setting(
        self, workspace: str, name: str, value: str | None, *, at: datetime
    ) -> None:
        async with self._transaction() as conn:
            key = await self._ensure_key(conn, workspace, at)
            if value is None:
                await conn.execute(
                    "DELETE FROM workspace_settings WHERE workspace_key = $1 AND name = $2",
                    key,
                    name,
                )
            else:
                await conn.execute(
                    "INSERT INTO workspace_settings VALUES ($1, $2, $3)"
                    " ON CONFLICT (workspace_key, name) DO UPDATE SET value = excluded.value",
                    key,
                    name,
                    value,
                )
        self._remember(workspace, key)

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

        Rows another process is taking right now are skipped, not waited for; a leased
        delivery whose sender dies is due again when the lease runs out.
        """
        if not platforms:
            return []
        params: list[Any] = [list(platforms), now.isoformat(), limit]
        extra = ""
        if recipient is not None:
            params.append(recipient)
            extra += f" AND d.recipient = ${len(params)}"
        if workspace is not None:
            params.append(workspace)
            extra += f" AND d.workspace_key = (SELECT key FROM workspaces WHERE external_id = ${len(params)})"
        params.append(lease_until.isoformat())
        rows = await self._pool.fetch(
            "WITH taken AS (SELECT d.id FROM deliveries d"
            " WHERE d.state = 'pending' AND d.platform = ANY($1) AND d.next_attempt_at <= $2"
            f"{extra} ORDER BY d.next_attempt_at, d.id LIMIT $3 FOR UPDATE SKIP LOCKED),"
            f" leased AS (UPDATE deliveries d SET next_attempt_at = ${len(params)}"
            " FROM taken WHERE d.id = taken.id RETURNING d.*)"
            " SELECT d.id, w.external_id, d.recipient_kind, d.recipient, d.cadence, d.attempts,"
            " e.id, e.payload FROM leased d"
            " JOIN events e ON e.id = d.event_id JOIN workspaces w ON w.key = d.workspace_key"
            " ORDER BY d.id",
            *params,
        )
        return [due_delivery_from(r) for r in rows]

    async def mark_delivered(self, ids: Sequence[int], *, at: datetime) -> None:
        await self._pool.execute(
            "UPDATE deliveries SET state = 'delivered', attempts = attempts + 1, finished_at = $1"
            " WHERE id = ANY($2) AND state = 'pending'",
            at.isoformat(),
            list(ids),
        )

    async def reschedule(self, ids: Sequence[int], *, next_attempt: datetime, error: str) -> None:
        await self._pool.execute(
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2"
            " WHERE id = ANY($3) AND state = 'pending'",
            next_attempt.isoformat(),
            error[:500],
            list(ids),
        )

    async def mark_failed(self, ids: Sequence[int], *, at: datetime, error: str) -> None:
        await self._pool.execute(
            "UPDATE deliveries SET state = 'failed', attempts = attempts + 1, finished_at = $1,"
            " last_error = $2 WHERE id = ANY($3) AND state = 'pending'",
            at.isoformat(),
            error[:500],
            list(ids),
        )

    async def first_undeliverable_notice(
        self, workspace: str, user_id: str, *, at: datetime
    ) -> bool:
        """True the first time only: a user is told once that their DMs are closed."""
        async with self._transaction() as conn:
            key = await self._ensure_key(conn, workspace, at)
            status_line = await conn.execute(
                "INSERT INTO undeliverable_notices VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                key,
                user_id,
                at.isoformat(),
            )
        self._remember(workspace, key)
        return status_line.split()[-1] != "0"

    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None:
        if not platforms:
            return None
        found = await self._pool.fetchval(
            "SELECT min(next_attempt_at) FROM deliveries WHERE state = 'pending'"
            " AND platform = ANY($1)",
            list(platforms),
        )
        return datetime.fromisoformat(found) if found else None

    async def fleet_size(self, member: str, *, alive_for: timedelta) -> int:
        """The database's clock judges who is alive: processes on several machines agree."""
        return int(
            await self._pool.fetchval(
                "WITH seen AS (INSERT INTO fleet(member, seen_at) VALUES ($1, now())"
                " ON CONFLICT (member) DO UPDATE SET seen_at = now() RETURNING member),"
                # Every start is a new member: those gone a day are forgotten.
                " gone AS (DELETE FROM fleet WHERE seen_at < now() - interval '1 day')"
                " SELECT 1 + count(*) FROM fleet WHERE seen_at > now() - $2::interval"
                " AND member <> $1",
                member,
                alive_for,
            )
        )

    async def delivery_counts(self) -> dict[str, int]:
        rows = await self._pool.fetch("SELECT state, count(*) FROM deliveries GROUP BY state")
        return {r[0]: int(r[1]) for r in rows}
