"""Who hears of a change: the core's rule, with no store involved."""

from __future__ import annotations

import random
from datetime import UTC, datetime

from bot.core.models import ClaimAdded
from bot.core.notifications.models import Cadence, Channel, EventKind, Scope
from bot.core.notifications.recipients import Follower, Recipient, recipients
from tests.conftest import WS, Desk

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def follower(user: str, scope: Scope, target: str = "", **kw: object) -> Follower:
    return Follower(
        user_id=user,
        scope=scope,
        target=target,
        delivery=kw.get("delivery", Channel.DM),  # type: ignore[arg-type]
        channel_id=str(kw.get("channel", "")),
        cadence=kw.get("cadence", Cadence.INSTANT),  # type: ignore[arg-type]
    )


FOLLOWERS = [
    follower("claim-fan", Scope.CLAIM, "7"),
    follower("other-claim", Scope.CLAIM, "8"),
    follower("tag-fan", Scope.TAG, "kursk"),
    follower("everything", Scope.ALL),
    follower("author", Scope.ALL),
    follower("desk-channel", Scope.ALL, delivery=Channel.CHANNEL, channel="C1"),
]


def addresses(kind: EventKind) -> set[str]:
    chosen = recipients(FOLLOWERS, kind=kind, claim_id=7, tags=("kursk",), author_id="author")
    return {r.address for r in chosen}


def test_each_scope_hears_what_it_chose_and_the_author_no_dm() -> None:
    assert addresses(EventKind.CLAIM_ADDED) == {"tag-fan", "everything", "C1"}
    assert addresses(EventKind.SOURCE_ADDED) == {"claim-fan", "everything", "C1"}
    assert addresses(EventKind.STATUS_CHANGED) == {"claim-fan", "tag-fan", "everything", "C1"}


def test_one_delivery_per_address_and_the_most_urgent_wins() -> None:
    overlapping = [
        follower("rita", Scope.TAG, "kursk", cadence=Cadence.DAILY),
        follower("rita", Scope.CLAIM, "7", cadence=Cadence.INSTANT),
        follower("rita", Scope.ALL, cadence=Cadence.HOURLY),
    ]
    chosen = recipients(
        overlapping, kind=EventKind.STATUS_CHANGED, claim_id=7, tags=("kursk",), author_id="x"
    )
    assert chosen == [Recipient(Channel.DM, "rita", Cadence.INSTANT)]


async def test_the_store_delivers_to_exactly_whom_the_rule_names(desk: Desk) -> None:
    # Every mix of scope, delivery and cadence, the author among the followers: the deliveries
    # the store writes in the change's transaction are the rule's recipients, no more, no less.
    rng = random.Random(5)
    added = await desk.service.add_claim(
        desk.reporter, "Ferry fares rose by a third this spring.", tags="ferries,prices"
    )
    assert isinstance(added, ClaimAdded)
    followers: list[Follower] = []
    for n in range(60):
        user = rng.choice(["u-rep", "ana", "ben", "cy", f"x{n}"])
        scope = rng.choice(list(Scope))
        target = {Scope.CLAIM: rng.choice(["1", "2"]), Scope.TAG: rng.choice(["ferries", "bus"])}
        delivery = rng.choice(list(Channel))
        cadence = rng.choice(list(Cadence))
        channel = rng.choice(["C1", "C2"]) if delivery is Channel.CHANNEL else ""
        _, created = await desk.store.add_subscription(
            WS, user, scope, target.get(scope, ""), delivery, channel, cadence, at=T0
        )
        if created:
            followers.append(
                Follower(user, scope, target.get(scope, ""), delivery, channel, cadence)
            )
    stored = [
        (Follower(s.user_id, s.scope, s.target, s.delivery, s.channel_id, s.cadence))
        for user in {f.user_id for f in followers}
        for s in await desk.store.subscriptions(WS, user)
    ]
    for kind, change in (
        (EventKind.SOURCE_ADDED, desk.service.add_source(desk.reporter, 1, "https://e.org/a")),
        (EventKind.STATUS_CHANGED, desk.service.change_status(desk.editor, 1, "verified", "Yes")),
    ):
        await change
        author = desk.reporter.user_id if kind is EventKind.SOURCE_ADDED else desk.editor.user_id
        expected = recipients(
            stored, kind=kind, claim_id=1, tags=("ferries", "prices"), author_id=author
        )
        written = await desk.query(
            "SELECT d.recipient_kind, d.recipient, d.cadence FROM deliveries d"
            " JOIN events e ON e.id = d.event_id WHERE e.kind = ?",
            kind.value,
        )
        assert sorted(written) == sorted(
            (r.kind.value, r.address, r.cadence.value) for r in expected
        ), kind
