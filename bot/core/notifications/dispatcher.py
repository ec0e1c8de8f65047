"""Empties the outbox: delivers due notifications through each platform's Deliverer.

Guarantees, together with the store:
- nothing is lost: an event's deliveries are committed with the change; a delivery is only
  marked done after its platform accepted it; a sender that dies leaves a lease that expires;
- nothing is sent twice: each notification carries a stable key (Notification.key) that the
  platform uses to drop a resend (Discord's enforce_nonce), and a delivery is marked once;
- failures are retried with exponential backoff, honouring the platform's retry_after, and
  given up after ``give_up_after`` with the reason stored;
- sends are paced per platform by a token bucket, so a change followed by thousands of people
  neither bursts into 429s nor starves the bot's answers to commands;
- members' commands come first: a send, and the writes around it, wait while a command is
  being answered (core/foreground.py), for at most half a second at a time.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Protocol

from bot.core.foreground import Foreground
from bot.core.notifications.models import (
    NOTICE_CHANNEL,
    Cadence,
    Channel,
    DueDelivery,
    Notification,
)
from bot.core.notifications.ratelimit import TokenBucket
from bot.core.notifications.schedule import backoff
from bot.core.ports import Clock, OutboxStore, SettingsStore

log = logging.getLogger(__name__)

# How often a process says it is delivering, and how long one that stopped saying so still
# counts as alive (its share of the rate is taken over after that).
FLEET_REFRESH = timedelta(seconds=2)
FLEET_ALIVE = timedelta(seconds=10)


class DeliveryFailed(Exception):
    def __init__(
        self,
        reason: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
        recipient_unreachable: bool = False,
        global_limit: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        # The whole platform (not just this recipient's route) asked us to wait.
        self.global_limit = global_limit
        # Permanent: retrying cannot help (unknown channel, DMs closed, bot removed…).
        self.permanent = permanent or recipient_unreachable
        # The person can't be reached where they asked (e.g. DMs closed): tell them once.
        self.recipient_unreachable = recipient_unreachable


class Deliverer(Protocol):
    platform: str
    rate_per_second: float

    async def deliver(self, notification: Notification) -> None:
        """Send one message; raise DeliveryFailed to retry or give up."""
        ...

    async def tell_unreachable(
        self, workspace: str, user_id: str, reason: str, *, channel_id: str
    ) -> None:
        """Tell a user, in the workspace's notice channel, why their notifications stopped."""
        ...


class DispatchStore(OutboxStore, SettingsStore, Protocol):
    """The outbox, and the settings that say where members are told that their DMs fail."""


class Dispatcher:
    def __init__(
        self,
        store: DispatchStore,
        deliverers: Sequence[Deliverer],
        clock: Clock,
        *,
        give_up_after: timedelta = timedelta(hours=24),
        lease: timedelta = timedelta(minutes=2),
        batch: int = 200,
        concurrency: int = 8,
        backoff_for: Callable[[int], float] = backoff,
        idle_poll: float = 5.0,
        member: str | None = None,
        foreground: Foreground | None = None,
    ) -> None:
        self._store = store
        self._deliverers = {d.platform: d for d in deliverers}
        self._buckets = {d.platform: TokenBucket(d.rate_per_second) for d in deliverers}
        # This process among the fleet delivering from one store (see _share_the_rate).
        self._member = member or f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._fleet_checked = -math.inf
        self._clock = clock
        self._give_up_after = give_up_after
        self._lease = lease
        self._batch = batch
        self._semaphore = asyncio.Semaphore(concurrency)
        self._backoff_for = backoff_for
        self._idle_poll = idle_poll
        self._wake = asyncio.Event()
        # Members' commands first: a send waits while one is being answered (foreground.py).
        self._foreground = foreground or Foreground()

    def wake(self) -> None:
        """Something was committed: look at the outbox now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        platforms = list(self._deliverers)
        log.info("notification dispatcher running for %s", ", ".join(platforms))
        while not stop.is_set():
            try:
                await self._share_the_rate()
                sent = await self.deliver_due()
            except Exception:
                log.exception("notification dispatch pass failed; retrying shortly")
                sent = 0
            if sent:
                continue
            timeout = self._idle_poll
            upcoming = await self._store.next_due_at(platforms)
            if upcoming is not None:
                timeout = max(0.05, min(timeout, (upcoming - self._clock.now()).total_seconds()))
            self._wake.clear()
            waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
            _, pending = await asyncio.wait(
                waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in pending:
                waiter.cancel()

    async def _share_the_rate(self) -> None:
        """Several processes delivering from one store share each platform's rate limit (it is
        the bot's, not the process's): each paces itself at its share of those alive, and takes
        over a dead one's share once it has been silent FLEET_ALIVE."""
        if time.monotonic() - self._fleet_checked < FLEET_REFRESH.total_seconds():
            return
        self._fleet_checked = time.monotonic()
        size = await self._store.fleet_size(self._member, alive_for=FLEET_ALIVE)
        for platform, bucket in self._buckets.items():
            bucket.set_rate(self._deliverers[platform].rate_per_second / max(1, size))

    def _batch_size(self) -> int:
        """Deliveries taken at once: no more than this process sends in half a lease, so a
        process that dies holds back little, and not for long."""
        rate = sum(bucket.rate for bucket in self._buckets.values())
        return max(1, min(self._batch, int(rate * self._lease.total_seconds() / 2)))

    async def deliver_due(
        self, *, recipient: str | None = None, workspace: str | None = None
    ) -> int:
        """One pass over what is due now (only ``recipient``'s in ``workspace``, if given);
        returns how many deliveries were settled."""
        await self._foreground.yield_to_commands()  # leasing a batch is a write as well
        now = self._clock.now()
        due = await self._store.claim_due(
            list(self._deliverers),
            now=now,
            lease_until=now + self._lease,
            limit=self._batch_size(),
            recipient=recipient,
            workspace=workspace,
        )
        if not due:
            return 0
        await asyncio.gather(*(self._send(group) for group in self._group(due)))
        return len(due)

    @staticmethod
    def _group(due: list[DueDelivery]) -> list[list[DueDelivery]]:
        """Instant deliveries go one by one; a recipient's due digest items go as one message."""
        groups: dict[tuple[str, str, str, str], list[DueDelivery]] = defaultdict(list)
        singles: list[list[DueDelivery]] = []
        for d in due:
            if d.cadence is Cadence.INSTANT:
                singles.append([d])
            else:
                groups[(d.workspace, d.recipient_kind.value, d.recipient, d.cadence.value)].append(
                    d
                )
        return singles + list(groups.values())

    async def _send(self, group: list[DueDelivery]) -> None:
        first = group[0]
        platform = first.workspace.split(":", 1)[0]
        deliverer = self._deliverers[platform]
        notification = Notification(
            workspace=first.workspace,
            recipient_kind=first.recipient_kind,
            recipient=first.recipient,
            cadence=first.cadence,
            events=tuple(d.event for d in group),
            delivery_ids=tuple(d.id for d in group),
        )
        ids = notification.delivery_ids
        async with self._semaphore:
            await self._buckets[platform].acquire()
            await self._foreground.yield_to_commands()
            try:
                await deliverer.deliver(notification)
            except DeliveryFailed as failure:
                await self._failed(deliverer, group, failure)
                return
            except Exception as error:  # a bug or an unexpected platform answer: retry, loudly
                log.exception("delivering %s failed unexpectedly", ids)
                await self._failed(deliverer, group, DeliveryFailed(f"unexpected error: {error!r}"))
                return
        # The write waits too: a member's own change needs the writer more than this does.
        await self._foreground.yield_to_commands()
        await self._store.mark_delivered(ids, at=self._clock.now())

    async def _tell_unreachable(
        self, deliverer: Deliverer, delivery: DueDelivery, reason: str
    ) -> None:
        channel_id = await self._store.setting(delivery.workspace, NOTICE_CHANNEL)
        if channel_id is None:
            log.info(
                "no notice channel in %s to tell %s that DMs fail",
                delivery.workspace,
                delivery.recipient,
            )
            return
        try:
            await deliverer.tell_unreachable(
                delivery.workspace, delivery.recipient, reason, channel_id=channel_id
            )
        except Exception:
            log.exception("could not tell %s that their notifications failed", delivery.recipient)

    async def _failed(
        self, deliverer: Deliverer, group: list[DueDelivery], failure: DeliveryFailed
    ) -> None:
        now = self._clock.now()
        ids = [d.id for d in group]
        oldest = min(d.event.at for d in group)
        if failure.retry_after and failure.global_limit:
            # A global limit: every send to this platform waits, not just this recipient's.
            self._buckets[deliverer.platform].pause(failure.retry_after)
        if failure.permanent:
            log.warning("giving up on deliveries %s: %s", ids, failure.reason)
            await self._store.mark_failed(ids, at=now, error=failure.reason)
            first = group[0]
            unreachable = failure.recipient_unreachable and first.recipient_kind is Channel.DM
            if unreachable and await self._store.first_undeliverable_notice(
                first.workspace, first.recipient, at=now
            ):
                await self._tell_unreachable(deliverer, first, failure.reason)
            return
        if now - oldest >= self._give_up_after:
            log.warning(
                "giving up on deliveries %s after %s: %s", ids, self._give_up_after, failure.reason
            )
            await self._store.mark_failed(
                ids, at=now, error=f"gave up after {self._give_up_after}: {failure.reason}"
            )
            return
        attempts = max(d.attempts for d in group) + 1
        delay = max(failure.retry_after or 0.0, self._backoff_for(attempts))
        await self._store.reschedule(
            ids, next_attempt=now + timedelta(seconds=delay), error=failure.reason
        )
