"""Subscriptions, the outbox and the dispatcher: once each, never lost, bounded retries."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from bot.core.commands import CommandRunner
from bot.core.commands import replies as r
from bot.core.errors import InvalidInput, NotFound, PermissionDenied
from bot.core.foreground import Foreground
from bot.core.models import Actor
from bot.core.notifications.dispatcher import DeliveryFailed, Dispatcher
from bot.core.notifications.models import EventKind
from bot.core.notifications.ratelimit import TokenBucket
from tests.conftest import read_rows
from tests.core.conftest import WS, Env


async def test_follower_hears_once_even_with_overlapping_subscriptions(env: Env) -> None:
    await env.service.subscribe(env.sam, "claim", "1")
    await env.service.subscribe(env.sam, "tag", "transport")
    await env.service.subscribe(env.sam, "all")
    await env.service.change_status(env.ed, 1, "disputed", "Council minutes say June")
    assert await env.dispatcher.deliver_due() == 1
    assert len(env.recorder.sent) == 1
    note = env.recorder.sent[0]
    assert (note.recipient, note.events[0].kind, note.events[0].reason) == (
        "sam",
        EventKind.STATUS_CHANGED,
        "Council minutes say June",
    )
    assert await env.dispatcher.deliver_due() == 0  # nothing left, nothing twice
    assert (await env.deliveries()) == [("sam", "delivered", 1, "")]


async def test_author_of_a_change_gets_no_dm_about_it(env: Env) -> None:
    await env.service.subscribe(env.ed, "all")
    await env.service.change_status(env.ed, 1, "verified", "Confirmed by the council")
    assert (await env.deliveries()) == []


async def test_what_each_scope_hears(env: Env) -> None:
    await env.service.subscribe(env.sam, "tag", "transport")
    await env.service.add_source(
        env.rita, 1, "https://example.com/a"
    )  # sources: claim followers only
    await env.service.add_claim(
        env.rita, "Tram fares will double next year, the operator says.", tags="transport"
    )
    await env.service.add_claim(
        env.rita, "Unemployment fell to 3.1 percent in October.", tags="economy"
    )
    await env.dispatcher.deliver_due()
    assert [(n.events[0].kind, n.events[0].claim_id) for n in env.recorder.sent] == [
        (EventKind.CLAIM_ADDED, 2)
    ]


async def test_unsubscribe_stops_notifications(env: Env) -> None:
    await env.service.subscribe(env.sam, "claim", "#1")
    assert await env.service.unsubscribe(env.sam, "claim", "1") == 1
    await env.service.change_status(env.ed, 1, "verified", "Confirmed by the council")
    assert (await env.deliveries()) == []
    with pytest.raises(InvalidInput, match="You were not following claim #1"):
        await env.service.unsubscribe(env.sam, "claim", "1")


async def test_bad_subscriptions_are_refused(env: Env) -> None:
    with pytest.raises(NotFound):
        await env.service.subscribe(env.sam, "claim", "99")
    with pytest.raises(NotFound):
        await env.service.subscribe(
            env.sam.model_copy(update={"workspace": "discord:2"}), "claim", "1"
        )
    with pytest.raises(InvalidInput, match="Unknown subscription 'everything'"):
        await env.service.subscribe(env.sam, "everything")
    with pytest.raises(InvalidInput, match="Unknown digest 'weekly'"):
        await env.service.subscribe(env.sam, "all", cadence="weekly")
    with pytest.raises(PermissionDenied, match="manage channels"):
        await env.service.subscribe(env.sam, "all", delivery="channel", channel_id="123")
    assert await env.service.subscriptions(env.sam) == []
    manager = env.sam.model_copy(update={"can_manage_channels": True})
    subscription, created = await env.service.subscribe(
        manager, "all", delivery="channel", channel_id="123"
    )
    assert created
    assert subscription.describe() == "every claim in channel 123"


async def test_retry_after_and_server_errors_delay_but_never_lose(env: Env) -> None:
    await env.service.subscribe(env.sam, "claim", "1")
    await env.service.change_status(env.ed, 1, "verified", "Confirmed by the council")
    env.recorder.failures = [
        DeliveryFailed("429 rate limited", retry_after=30),
        DeliveryFailed("500 server error"),
    ]
    await env.dispatcher.deliver_due()
    assert (await env.deliveries()) == [("sam", "pending", 1, "429 rate limited")]
    env.clock.advance(seconds=29)
    assert await env.dispatcher.deliver_due() == 0  # still waiting as the platform asked
    env.clock.advance(seconds=2)
    await env.dispatcher.deliver_due()
    assert (await env.deliveries()) == [("sam", "pending", 2, "500 server error")]
    env.clock.advance(seconds=21)  # backoff for the second attempt: 20 s
    await env.dispatcher.deliver_due()
    assert (await env.deliveries()) == [("sam", "delivered", 3, "500 server error")]
    assert len(env.recorder.sent) == 1


async def test_gives_up_after_a_bounded_time_with_the_reason(env: Env) -> None:
    await env.service.subscribe(env.sam, "claim", "1")
    await env.service.change_status(env.ed, 1, "verified", "Confirmed by the council")
    env.recorder.failures = [DeliveryFailed("503 unavailable")] * 3
    await env.dispatcher.deliver_due()
    env.clock.advance(hours=25)
    await env.dispatcher.deliver_due()
    [(recipient, state, attempts, error)] = await env.deliveries()
    assert (recipient, state, attempts) == ("sam", "failed", 2)
    assert error == "gave up after 1 day, 0:00:00: 503 unavailable"


async def test_closed_dms_fail_at_once_and_the_user_is_told_once(env: Env) -> None:
    admin = Actor(workspace=WS, user_id="boss", display_name="Boss", can_manage_workspace=True)
    await env.service.set_notice_channel(admin, "C42")
    await env.service.subscribe(env.sam, "claim", "1")
    await env.service.change_status(env.ed, 1, "verified", "Confirmed by the council")
    await env.service.change_status(env.ed, 1, "disputed", "New minutes found")
    closed = DeliveryFailed(
        "Cannot send messages to this user (DMs closed)", recipient_unreachable=True
    )
    env.recorder.failures = [closed, closed]
    await env.dispatcher.deliver_due()
    assert [d[1] for d in (await env.deliveries())] == ["failed", "failed"]
    assert env.recorder.told == [("sam", "Cannot send messages to this user (DMs closed)", "C42")]


async def test_closed_dms_without_a_notice_channel_fail_and_tell_nobody(env: Env) -> None:
    await env.service.subscribe(env.sam, "claim", "1")
    await env.service.change_status(env.ed, 1, "verified", "Confirmed by the council")
    env.recorder.failures = [DeliveryFailed("DMs closed", recipient_unreachable=True)]
    await env.dispatcher.deliver_due()
    assert [d[1] for d in (await env.deliveries())] == ["failed"]
    assert env.recorder.told == []


async def test_of_overlapping_subscriptions_the_most_urgent_cadence_is_the_one_kept(
    env: Env,
) -> None:
    # sam: everything in a daily digest, and this claim at once; rita: an hourly digest of the
    # tag and a daily one of everything. Each hears once, on their most urgent cadence.
    await env.service.subscribe(env.sam, "all", cadence="daily")
    await env.service.subscribe(env.sam, "claim", "1")
    await env.service.subscribe(env.rita, "all", cadence="daily")
    await env.service.subscribe(env.rita, "tag", "transport", cadence="hourly")
    await env.service.change_status(env.ed, 1, "disputed", "Council minutes say June")
    kept = await read_rows(
        env.path, env.url, "SELECT recipient, cadence FROM deliveries ORDER BY recipient"
    )
    assert [tuple(r) for r in kept] == [("rita", "hourly"), ("sam", "instant")]
    assert await env.dispatcher.deliver_due() == 1  # sam, now; rita at the hour
    env.clock.advance(minutes=45)
    assert await env.dispatcher.deliver_due() == 1
    assert sorted(n.recipient for n in env.recorder.sent) == ["rita", "sam"]


async def test_digest_collects_events_until_the_hour(env: Env) -> None:
    await env.service.subscribe(env.sam, "claim", "1", cadence="hourly")
    await env.service.add_source(env.rita, 1, "https://example.com/a", stance="refutes")
    await env.service.change_status(env.ed, 1, "disputed", "Council minutes say June")
    assert await env.dispatcher.deliver_due() == 0  # 09:15: not yet
    env.clock.advance(minutes=45)
    assert await env.dispatcher.deliver_due() == 2
    [digest] = env.recorder.sent
    assert [e.kind for e in digest.events] == [EventKind.SOURCE_ADDED, EventKind.STATUS_CHANGED]


async def test_a_crashed_sender_leaves_a_lease_that_expires(env: Env) -> None:
    await env.service.subscribe(env.sam, "claim", "1")
    await env.service.change_status(env.ed, 1, "verified", "Confirmed by the council")
    now = env.clock.now()
    taken = await env.store.claim_due(
        ["console"], now=now, lease_until=now + timedelta(minutes=2), limit=10
    )
    assert len(taken) == 1  # ...and the process dies before delivering
    assert await env.dispatcher.deliver_due() == 0  # leased: nobody else sends it meanwhile
    env.clock.advance(minutes=3)
    assert await env.dispatcher.deliver_due() == 1
    assert len(env.recorder.sent) == 1


def test_a_bucket_sends_at_most_a_quarter_second_of_its_rate_at_once() -> None:
    # A platform counts its limit over a window (Discord: a second). A whole second's burst on
    # top of the steady rate sent twice the rate within one window, and in a fleet every
    # process's burst added up: bench/fleet.py got 85-115 x 429 after a change, 0 now.
    bucket = TokenBucket(150.0)
    assert bucket.capacity == 37.5
    bucket.set_rate(75.0)  # one of two processes: the fleet's bursts add up to the same
    assert bucket.capacity == 18.75
    assert TokenBucket(2.0).capacity == 1.0  # never less than one send


async def test_a_delivery_waits_while_a_members_command_is_answered(env: Env) -> None:
    # The runner and the dispatcher share one Foreground, as run_front_ends wires them.
    runner = CommandRunner(env.service)
    dispatcher = Dispatcher(env.store, [env.recorder], env.clock, foreground=runner.foreground)
    await env.service.subscribe(env.sam, "claim", "1")
    await env.service.change_status(env.ed, 1, "disputed", "Council minutes say June")
    started, answered = asyncio.Event(), asyncio.Event()
    real_search = env.service.search

    async def slow_search(*args: Any, **kw: Any) -> Any:
        started.set()
        await answered.wait()  # the command is being answered until the test says so
        return await real_search(*args, **kw)

    env.service.search = slow_search  # type: ignore[method-assign]
    command = asyncio.create_task(runner.run_line(env.rita, "/claim search bridge"))
    await started.wait()
    delivering = asyncio.create_task(dispatcher.deliver_due())
    await asyncio.sleep(0.2)
    assert env.recorder.sent == []  # held back while the member waits for an answer
    answered.set()
    reply = await command
    assert isinstance(reply, r.SearchReply)
    assert await delivering == 1
    assert [n.recipient for n in env.recorder.sent] == ["sam"]


async def test_a_stream_of_commands_delays_a_delivery_by_at_most_the_bound() -> None:
    foreground = Foreground()
    with foreground.command():  # a command that never ends
        waited = asyncio.create_task(foreground.yield_to_commands(at_most=0.1))
        await asyncio.sleep(0.02)
        assert not waited.done()
        await asyncio.wait_for(waited, 5)  # returned on its own, the command still running
        assert foreground.serving == 1
    assert foreground.serving == 0
    # Nothing being answered: it returns at once, not after its bound.
    await asyncio.wait_for(foreground.yield_to_commands(at_most=60), 5)
