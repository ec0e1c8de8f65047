"""The desk's queue (issue 27): checks are requests on the claims they find, the queue puts the
most wanted first, members take claims or are put on them (and told), and a checked claim asked
about again and again is said to be going round again, once. Run on both stores."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.core.audit import audit_store
from bot.core.desk import demand_of
from bot.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.core.models import Actor, ClaimAdded, HistoryKind, MatchTier, Person, Verdict
from bot.core.notifications.models import EventKind
from bot.core.presentation import describe_event
from tests.core.conftest import WS, Env

BRIDGE = "The mayor said the bridge will reopen in May."
ASKED = "Is it true the mayor said the bridge will reopen in May?"
LINK = "https://discord.com/channels/1/2/3"


async def _confident_check(env: Env, who: Actor, *, link: str | None = None) -> int:
    outcome = await env.service.check_message(who, ASKED, link=link, channel="C7")
    assert [m.id for m in outcome.matches][:1] == [1]
    assert outcome.matches[0].match is not None
    assert outcome.matches[0].match.tier is MatchTier.CONFIDENT
    return outcome.check_id


async def test_a_check_that_finds_a_claim_is_a_request_on_it(env: Env) -> None:
    await _confident_check(env, env.sam, link=LINK)
    env.clock.advance(days=8)
    await _confident_check(env, env.rita)
    shown = await env.service.show(env.sam, 1)
    assert (shown.claim.requests, shown.recent_requests) == (2, 1)
    page = await env.service.requests(env.sam, 1)
    assert (page.total, page.recent) == (2, 1)
    # Newest first: who, where, the message's link.
    assert [(q.asked_by.name, q.channel_id, q.link) for q in page.items] == [
        ("Rita", "C7", None),
        ("Sam", "C7", LINK),
    ]


async def test_a_possible_match_is_no_request_until_a_member_confirms_it(env: Env) -> None:
    outcome = await env.service.check_message(env.sam, "the bridge is closed")
    possible = [m.id for m in outcome.matches if m.match and m.match.tier is MatchTier.POSSIBLE]
    assert possible == [1]
    assert (await env.service.show(env.sam, 1)).claim.requests == 0
    await env.service.give_verdict(env.sam, outcome.check_id, 1, Verdict.CONFIRMED)
    assert (await env.service.show(env.sam, 1)).claim.requests == 1


async def test_a_rejected_match_takes_its_request_back(env: Env) -> None:
    check = await _confident_check(env, env.sam)
    await _confident_check(env, env.rita)
    await env.service.give_verdict(env.sam, check, 1, Verdict.REJECTED)
    page = await env.service.requests(env.sam, 1)
    assert page.total == 1
    assert [q.asked_by.name for q in page.items] == ["Rita"]
    queue = await env.service.queue(env.sam)
    assert [(i.claim.id, i.requests) for i in queue.items] == [(1, 1)]


async def test_requests_of_another_workspace_never_mix(env: Env) -> None:
    await _confident_check(env, env.sam)
    outsider = Actor(workspace="discord:999", user_id="sam", display_name="Sam")
    with pytest.raises(NotFound):
        await env.service.requests(outsider, 1)
    assert (await env.service.queue(outsider)).items == ()


async def test_the_queue_puts_the_most_wanted_first_weighted_to_recent_requests(
    env: Env,
) -> None:
    for text in (
        "The council will close the central library for a year.",
        "Bus fares will double from January, the operator said.",
    ):
        added = await env.service.add_claim(env.rita, text, force=True)
        assert isinstance(added, ClaimAdded)
    library = "Will the council close the central library for a year?"
    fares = "Are bus fares going to double from January, as the operator said?"
    for _ in range(3):  # three requests on the library a month ago …
        await env.service.check_message(env.sam, library)
    env.clock.advance(days=30)
    for _ in range(2):  # … count for less than two on the fares today
        await env.service.check_message(env.sam, fares)
    queue = await env.service.queue(env.sam)
    assert [(i.claim.id, i.requests) for i in queue.items] == [(3, 2), (2, 3), (1, 0)]
    assert queue.items[0].last_asked_at == env.clock.now()
    # The rule itself: a request counts double a week later.
    now = env.clock.now()
    assert demand_of([now]) > demand_of([now - timedelta(days=7)] * 2) - 1e-9


async def test_queue_views_filter_page_and_refuse_bad_input(env: Env) -> None:
    for n in range(12):
        await env.service.add_claim(
            env.rita,
            f"Claim number {n} about the harbour wall repairs.",
            tags="harbour",
            force=True,
        )
    await env.service.assign(env.sam, 5)
    await env.service.change_status(env.ed, 7, "disputed", "The minutes say otherwise")
    first = await env.service.queue(env.sam)
    assert (first.total, len(first.items), first.pages) == (12, 10, 2)
    second = await env.service.queue(env.sam, page=2)
    assert len(second.items) == 2
    mine = await env.service.queue(env.sam, "mine")
    assert [i.claim.id for i in mine.items] == [5]
    assert mine.items[0].assignee == Person(user_id="sam", name="Sam")
    unassigned = await env.service.queue(env.sam, "unassigned", tag="harbour")
    assert 5 not in [i.claim.id for i in unassigned.items]
    assert 7 not in [i.claim.id for i in unassigned.items]  # disputed: not open
    disputed = await env.service.queue(env.sam, status="disputed")
    assert [i.claim.id for i in disputed.items] == [7]
    assert (await env.service.queue(env.rita, "mine")).items == ()
    with pytest.raises(InvalidInput, match="Unknown queue 'everything'"):
        await env.service.queue(env.sam, "everything")
    with pytest.raises(InvalidInput, match="out of range"):
        await env.service.queue(env.sam, page=0)
    with pytest.raises(InvalidInput):
        await env.service.queue(env.sam, status="maybe")


async def _delivered(env: Env) -> list[tuple[str, str, EventKind, str]]:
    await env.dispatcher.deliver_due()
    return [
        (n.recipient_kind.value, n.recipient, e.kind, e.reason)
        for n in env.recorder.sent
        for e in n.events
    ]


async def test_a_member_takes_a_claim_and_a_moderator_puts_someone_on_one(env: Env) -> None:
    taken = await env.service.assign(env.sam, 1)
    assert taken.claim.assignee == Person(user_id="sam", name="Sam")
    assert await _delivered(env) == []  # taking it yourself tells nobody
    # Sam cannot hand it on, nor can Rita take it from Sam.
    before = await env.service.history(env.sam, 1)
    with pytest.raises(PermissionDenied, match="Only moderators"):
        await env.service.assign(env.sam, 1, Person(user_id="rita", name="Rita"))
    with pytest.raises(PermissionDenied, match="Sam is already on #1"):
        await env.service.assign(env.rita, 1)
    with pytest.raises(PermissionDenied, match="Only Sam or a moderator"):
        await env.service.unassign(env.rita, 1)
    with pytest.raises(InvalidInput, match="already assigned to you"):
        await env.service.assign(env.sam, 1)
    # "Take it" takes a claim from nobody, a moderator's press neither.
    with pytest.raises(PermissionDenied, match="To take it over: /claim assign 1 to:<you>"):
        await env.service.assign(env.ed, 1)
    assert await env.service.history(env.sam, 1) == before
    # A moderator reassigns it: Rita hears it is hers, Sam that it is no longer his.
    moved = await env.service.assign(env.ed, 1, Person(user_id="rita", name="Rita"))
    assert (moved.previous, moved.claim.assignee) == (
        Person(user_id="sam", name="Sam"),
        Person(user_id="rita", name="Rita"),
    )
    assert sorted(await _delivered(env)) == [
        ("dm", "rita", EventKind.ASSIGNED, "assigned to Rita (rita)"),
        ("dm", "sam", EventKind.UNASSIGNED, "assigned to Rita (rita)"),
    ]
    env.recorder.sent.clear()
    assert [i.claim.id for i in (await env.service.queue(env.rita, "mine")).items] == [1]
    assert (await env.service.queue(env.sam, "mine")).items == ()
    await env.service.unassign(env.rita, 1)
    assert await _delivered(env) == []  # dropping it yourself tells nobody
    with pytest.raises(InvalidInput, match="Nobody is assigned"):
        await env.service.unassign(env.rita, 1)
    kinds = [e.kind for e in await env.service.history(env.sam, 1)]
    assert kinds[-3:] == [HistoryKind.ASSIGNED, HistoryKind.ASSIGNED, HistoryKind.UNASSIGNED]
    report = await audit_store(env.store)
    assert report.ok, report
    with pytest.raises(NotFound):
        await env.service.assign(env.sam, 99)
    with pytest.raises(InvalidInput):
        await env.service.assign(env.ed, 1, Person(user_id="<!here>", name="x"))


async def test_the_one_a_moderator_takes_off_a_claim_hears_of_it(env: Env) -> None:
    await env.service.assign(env.sam, 1)
    done = await env.service.unassign(env.ed, 1)
    assert (done.previous, done.claim.assignee) == (Person(user_id="sam", name="Sam"), None)
    assert await _delivered(env) == [
        ("dm", "sam", EventKind.UNASSIGNED, "unassigned from Sam (sam)")
    ]
    note = env.recorder.sent[0]
    assert describe_event(note.events[0]).startswith(
        "#1 is no longer yours: Ed took you off it — “The mayor said"
    )


async def test_two_members_taking_one_claim_at_once_one_gets_it(env: Env) -> None:
    results = await asyncio.gather(
        env.service.assign(env.sam, 1), env.service.assign(env.rita, 1), return_exceptions=True
    )
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert (len(won), len(lost)) == (1, 1)
    assert isinstance(lost[0], Conflict | PermissionDenied)
    claim = (await env.service.show(env.sam, 1)).claim
    assert claim.assignee == won[0].claim.assignee
    kinds = [e.kind for e in await env.service.history(env.sam, 1)]
    assert kinds.count(HistoryKind.ASSIGNED) == 1


async def test_a_check_that_finds_nothing_goes_to_the_desk_once(env: Env) -> None:
    message = "The river festival has been cancelled because of the floods."
    outcome = await env.service.check_message(env.sam, message, link=LINK, channel="C9")
    assert not any(m.match and m.match.tier is MatchTier.CONFIDENT for m in outcome.matches)
    sent = await env.service.send_to_desk(env.rita, outcome.check_id)
    claim = sent.detail.claim
    assert (sent.already, claim.text, claim.status.value, claim.requests) == (
        False,
        message,
        "unverified",
        1,
    )
    assert [s.url for s in sent.detail.sources] == [LINK]
    page = await env.service.requests(env.rita, claim.id)
    assert [(q.asked_by.name, q.channel_id, q.link) for q in page.items] == [("Sam", "C9", LINK)]
    again = await env.service.send_to_desk(env.sam, f"#{outcome.check_id}")
    assert (again.already, again.detail.claim.id) == (True, claim.id)
    assert len((await env.service.queue(env.sam)).items) == 2  # not three
    # Now the desk holds it: checking the message again finds it.
    later = await env.service.check_message(env.ed, message)
    assert later.matches[0].id == claim.id
    with pytest.raises(InvalidInput, match="found this message in claim"):
        await env.service.send_to_desk(env.sam, later.check_id)
    with pytest.raises(NotFound):
        await env.service.send_to_desk(env.sam, 999)
    outsider = Actor(workspace="discord:999", user_id="sam", display_name="Sam")
    with pytest.raises(NotFound):
        await env.service.send_to_desk(outsider, outcome.check_id)


async def test_a_message_too_long_for_a_claim_is_refused_and_nothing_is_stored(env: Env) -> None:
    long = "The river festival has been cancelled. " * 40
    outcome = await env.service.check_message(env.sam, long)
    with pytest.raises(InvalidInput, match="longer than a claim may be"):
        await env.service.send_to_desk(env.sam, outcome.check_id)
    assert len((await env.service.queue(env.sam)).items) == 1


async def test_a_checked_claim_asked_about_again_and_again_is_going_round_once(
    env: Env,
) -> None:
    await env.service.change_status(env.ed, 1, "disputed", "Council minutes say June")
    await env.service.subscribe(env.rita, "claim", "1")
    admin = Actor(workspace=WS, user_id="boss", display_name="Boss", is_workspace_admin=True)
    await env.service.set_notice_channel(admin, "C42")
    await _delivered(env)
    env.recorder.sent.clear()
    for _ in range(4):
        await _confident_check(env, env.sam)
        env.clock.advance(minutes=5)
    assert await _delivered(env) == []  # four is not yet "again and again"
    await _confident_check(env, env.sam)
    alert = "5 requests in the last hour"
    assert sorted(await _delivered(env)) == [
        ("channel", "C42", EventKind.GOING_ROUND, alert),
        ("dm", "rita", EventKind.GOING_ROUND, alert),
    ]
    env.recorder.sent.clear()
    for _ in range(6):  # the same day: said once
        await _confident_check(env, env.sam)
    assert await _delivered(env) == []
    env.clock.advance(days=1, minutes=1)
    for _ in range(5):
        await _confident_check(env, env.sam)
    assert [k for _, _, k, _ in await _delivered(env)] == [EventKind.GOING_ROUND] * 2


async def test_an_unverified_claim_asked_about_often_is_no_alert(env: Env) -> None:
    await env.service.subscribe(env.rita, "claim", "1")
    for _ in range(8):
        await _confident_check(env, env.sam)
    assert await _delivered(env) == []


async def test_the_alert_fires_exactly_once_under_a_hundred_requests_at_once(env: Env) -> None:
    await env.service.change_status(env.ed, 1, "verified", "The council confirmed it")
    await env.service.subscribe(env.rita, "claim", "1")
    await _delivered(env)
    env.recorder.sent.clear()
    askers = [Actor(workspace=WS, user_id=f"m{n}", display_name=f"Member {n}") for n in range(100)]
    results = await asyncio.gather(
        *(env.service.check_message(a, ASKED) for a in askers), return_exceptions=True
    )
    failed = [r for r in results if isinstance(r, BaseException)]
    assert not failed, failed[:3]
    delivered = await _delivered(env)
    assert [(kind, to) for kind, to, _, _ in delivered] == [("dm", "rita")]
    assert delivered[0][2] is EventKind.GOING_ROUND
    assert (await env.service.show(env.sam, 1)).claim.requests == 100
    rows = await env.deliveries()
    assert len(rows) == 1


@pytest.mark.parametrize("few_tagged", [0, 2000])
async def test_a_tag_is_queued_alike_whether_its_claims_are_few_or_many(
    env: Env, few_tagged: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rare tag is queued from its own claims, a common one by walking the queue: both
    plans give the same page."""
    monkeypatch.setattr("bot.store.sql.desk.FEW_TAGGED", few_tagged)
    for n in range(14):
        tags = "harbour" if n % 2 else "roads"
        await env.service.add_claim(
            env.rita, f"Claim {n} about the harbour wall and the roads.", tags=tags, force=True
        )
    for n in (3, 5, 5, 7, 7, 7):
        await env.service.check_message(env.sam, f"Claim {n} about the harbour wall and the roads?")
    await env.service.assign(env.sam, 3)
    page = await env.service.queue(env.sam, tag="harbour")
    # Claim n is #n+2 (#1 is the bridge); the harbour's are the odd ones, most asked first.
    assert [i.claim.id for i in page.items] == [9, 7, 5, 3, 11, 13, 15]
    assert [i.requests for i in page.items][:3] == [3, 2, 1]
    assert page.total == 7
    free = await env.service.queue(env.sam, "unassigned", tag="harbour")
    assert [i.claim.id for i in free.items] == [9, 7, 5, 11, 13, 15]
    mine = await env.service.queue(env.sam, "mine", tag="harbour")
    assert [i.claim.id for i in mine.items] == [3]
    assert (await env.service.queue(env.sam, tag="nowhere")).items == ()
