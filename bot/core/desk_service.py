"""The desk's rules, as ClaimService holds them (issue 27): the queue, a claim's requests,
sending a message that matched nothing to the desk, and who is on each claim.

A mixin of ClaimService rather than a service of its own: every rule here leans on the same
store, clock and moderator settings, and every adapter reaches it through the same runner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.core import validation as v
from bot.core.desk import (
    RECENT_REQUESTS,
    QueuePage,
    QueueQuery,
    QueueView,
    RepeatRule,
    RequestsPage,
)
from bot.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from bot.core.models import (
    Actor,
    Claim,
    ClaimDetail,
    HistoryEntry,
    MatchTier,
    Person,
    Status,
)
from bot.core.ports import Clock, NewClaim, NewSource
from bot.core.ports.stores import (
    ArchiveStore,
    CheckStore,
    ClaimStore,
    QueueStore,
)
from bot.core.presentation import shorten

# A claim sent to the desk from a check is kept under this key, so a second press finds it.
SENT_FROM_CHECK = "check:{}"


@dataclass(frozen=True, slots=True)
class Assignment:
    claim: Claim  # as it now is
    entry: HistoryEntry
    previous: Person | None


@dataclass(frozen=True, slots=True)
class SentToDesk:
    detail: ClaimDetail
    check_id: int
    already: bool  # sent before (by this member or another): nothing new was stored


class _Store(ClaimStore, ArchiveStore, CheckStore, QueueStore, Protocol):
    pass


class DeskRules:
    """What ClaimService provides to these rules (see its __init__)."""

    _store: _Store
    _clock: Clock
    limits: v.Limits
    repeat: RepeatRule
    _written: Callable[[], None]

    async def is_moderator(self, actor: Actor) -> bool:
        raise NotImplementedError

    async def show(self, actor: Actor, claim_id: int | str) -> ClaimDetail:
        raise NotImplementedError

    async def _require_claim(self, workspace: str, number: int) -> Claim:
        raise NotImplementedError

    # ------------------------------------------------------------------ reading
    async def queue(
        self,
        actor: Actor,
        view: str = QueueView.OPEN.value,
        *,
        tag: str | None = None,
        status: str | Status | None = None,
        page: int = 1,
    ) -> QueuePage:
        """Open claims (unverified, or ``status``), most wanted first: requests weighted to
        recent ones (bot/core/desk.py), then the oldest."""
        wanted = _view(view)
        v.page(page)
        query = QueueQuery(
            view=wanted,
            viewer_id=actor.user_id,
            status=v.status(status) if status else Status.UNVERIFIED,
            tag=v.tag(tag, self.limits) if tag else None,
            page=page,
            page_size=self.limits.page_size,
        )
        return await self._store.queue(actor.workspace, query)

    async def requests(self, actor: Actor, claim_id: int | str, *, page: int = 1) -> RequestsPage:
        """Who asked about a claim, newest first."""
        number = v.claim_id(claim_id)
        v.page(page)
        claim = await self._require_claim(actor.workspace, number)
        size = self.limits.page_size
        items = await self._store.requests_of(actor.workspace, number, page=page, page_size=size)
        recent = await self._recent_requests(actor.workspace, number)
        return RequestsPage(
            claim=claim.summary(),
            items=tuple(items),
            total=claim.requests,
            recent=recent,
            page=page,
            page_size=size,
        )

    async def _recent_requests(self, workspace: str, number: int) -> int:
        since = self._clock.now() - RECENT_REQUESTS
        return await self._store.requests_since(workspace, number, since)

    # ------------------------------------------------------------------ writing
    async def send_to_desk(self, actor: Actor, check_id: int | str) -> SentToDesk:
        """A check that found nothing the message repeats: add the message as a new unverified
        claim, its link as the claim's first source, the check as its first request. Sending the
        same check again finds the claim it made."""
        number = v.check_id(check_id)
        check = await self._store.stored_check(actor.workspace, number)
        if check is None:
            raise NotFound(f"There is no check {number} here.")
        same = [m.claim_id for m in check.asked.shown if m.tier is MatchTier.CONFIDENT]
        if same:
            raise InvalidInput(
                f"Check {number} found this message in claim #{same[0]} already: say “yes, this"
                f" one” (/claim confirm {number} {same[0]}) instead of adding it again."
            )
        key = SENT_FROM_CHECK.format(number)
        existing = await self._store.find_seeded(actor.workspace, key)
        if existing is not None:
            return SentToDesk(await self.show(actor, existing.id), number, already=True)
        text = check.asked.text
        if len(text) > self.limits.claim_text:
            raise InvalidInput(
                f"That message is longer than a claim may be ({len(text):,} characters; at most"
                f" {self.limits.claim_text:,}): add the claim it makes in your own words with"
                " /claim add."
            )
        claim = NewClaim(
            text=v.claim_text(text, self.limits),
            claimant="",
            claimed_on=None,
            tags=(),
            seed_key=key,
        )
        source = self._message_source(check.asked.link, number)
        try:
            added = await self._store.add_claim(
                actor.workspace,
                claim,
                actor=actor.person(),
                at=self._clock.now(),
                source=source,
                request=check.asked.request(number),
            )
        except Exception:
            # Two presses at once: the other one stored it (the key is unique per workspace).
            existing = await self._store.find_seeded(actor.workspace, key)
            if existing is None:
                raise
            return SentToDesk(await self.show(actor, existing.id), number, already=True)
        self._written()
        # The card as /claim show gives it (with its requests of the week).
        return SentToDesk(await self.show(actor, added.claim.id), number, already=False)

    def _message_source(self, link: str | None, check_id: int) -> NewSource | None:
        """The message's own link, as where the claim was seen (a platform's link that is not
        a web address is left out)."""
        if not link:
            return None
        try:
            url = v.url(link, self.limits)
        except InvalidInput:
            return None
        return NewSource(
            url=url,
            title="",
            outlet=v.outlet_from_url(url),
            stance=v.stance("context"),
            note=f"The message sent to the desk (check {check_id}).",
        )

    async def assign(
        self, actor: Actor, claim_id: int | str, to: Person | None = None
    ) -> Assignment:
        """Put a member on a claim. A moderator assigns anyone; anyone may take a claim nobody
        is on for themselves (``to`` None: the actor)."""
        number = v.claim_id(claim_id)
        target = _member(to) if to is not None else actor.person()
        claim = await self._require_claim(actor.workspace, number)
        moderator = await self.is_moderator(actor)
        current = claim.assignee
        if target.user_id != actor.user_id and not moderator:
            raise PermissionDenied(
                "Only moderators can put someone else on a claim. You can take one nobody is on"
                f" yourself: /claim assign {number}."
            )
        if current is not None and current.user_id == target.user_id:
            who = "you" if target.user_id == actor.user_id else target.name
            raise InvalidInput(f"#{number} is already assigned to {who}; nothing changed.")
        if current is not None and (to is None or not moderator):
            # "Take it" never takes a claim from someone (a stale button, a moderator's too):
            # taking one over is said in so many words.
            how = (
                f" To take it over: /claim assign {number} to:<you>."
                if moderator
                else " A moderator can reassign it."
            )
            raise PermissionDenied(f"{current.name} is already on #{number}.{how}")
        return await self._set_assignee(actor, claim, target)

    async def unassign(self, actor: Actor, claim_id: int | str) -> Assignment:
        """Take whoever is on a claim off it: the assignee themselves, or a moderator."""
        number = v.claim_id(claim_id)
        claim = await self._require_claim(actor.workspace, number)
        current = claim.assignee
        if current is None:
            raise InvalidInput(f"Nobody is assigned to #{number}; nothing changed.")
        if current.user_id != actor.user_id and not await self.is_moderator(actor):
            raise PermissionDenied(
                f"Only {current.name} or a moderator can take {current.name} off #{number}."
            )
        return await self._set_assignee(actor, claim, None)

    async def _set_assignee(
        self, actor: Actor, claim: Claim, assignee: Person | None
    ) -> Assignment:
        expected = claim.assignee.user_id if claim.assignee else None
        try:
            now, entry = await self._store.set_assignee(
                actor.workspace,
                claim.id,
                assignee,
                expected=expected,
                actor=actor.person(),
                at=self._clock.now(),
            )
        except Conflict as taken:
            raise Conflict(
                f"#{claim.id} changed hands meanwhile (now: {taken}). Show it again, then decide."
            ) from None
        self._written()
        return Assignment(claim=now, entry=entry, previous=claim.assignee)


def _member(given: Person) -> Person:
    """A member named by a front end (a Discord member, a Slack mention, a console name)."""
    user_id = v.platform_id(given.user_id, what="member")
    name = v.clean_text(given.name)[:80] or user_id
    return Person(user_id=user_id, name=name)


def _view(value: str) -> QueueView:
    wanted = (value or QueueView.OPEN.value).strip().lower()
    try:
        return QueueView(wanted)
    except ValueError:
        raise InvalidInput(
            f"Unknown queue '{shorten(value, 24)}'. Use mine, unassigned, or nothing for all"
            " open claims."
        ) from None
