"""ClaimService: every rule of Claimdesk, for every adapter.

Adapters build an ``Actor`` from the platform's user, call one method, and render what comes back
or the ``ClaimdeskError`` it raises. No adapter checks a permission or validates input itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from bot.core import validation as v
from bot.core.desk import RepeatRule
from bot.core.desk_service import DeskRules
from bot.core.errors import Conflict, InvalidInput, LookupFailed, NotFound, PermissionDenied
from bot.core.lookup import HOW_TO_GET_A_KEY, Adopted, Lookup, LookupResult
from bot.core.matching.matcher import Matcher, Purpose
from bot.core.models import (
    Actor,
    AddOutcome,
    CheckOutcome,
    Claim,
    ClaimAdded,
    ClaimDetail,
    ClaimSummary,
    DuplicateSuspected,
    HistoryEntry,
    HistoryKind,
    MatchingStatus,
    MatchTier,
    ModeratorSettings,
    Person,
    SearchPage,
    SourceAdded,
    Status,
    Verdict,
    VerdictGiven,
)
from bot.core.notifications.models import NOTICE_CHANNEL, Cadence, Channel, Scope, Subscription
from bot.core.permissions import is_moderator, require_moderator, require_workspace_manager
from bot.core.ports import (
    AlreadyThatStatus,
    Clock,
    ExportedMatch,
    ImportedChange,
    ImportedClaim,
    ListQuery,
    ModeratorKind,
    NewCheck,
    NewClaim,
    NewSource,
    ShownMatch,
    SourceExists,
    VerdictExists,
)
from bot.core.ports.stores import (
    ArchiveStore,
    CheckStore,
    ClaimStore,
    EmbeddingCounter,
    QueueStore,
    SettingsStore,
    SubscriptionStore,
)
from bot.core.presentation import shorten

RECENT_CHANGES_SHOWN = 5
DUPLICATES_SHOWN = 3
# A text search ranks this many matches at most (10 pages of 10).
SEARCH_RESULTS = 100


def message_key(text: str, link: str | None) -> str:
    """What a message's rejections are kept under: its link where the platform gives one, else
    a digest of its words (the same text pasted again is the same message)."""
    if link:
        return link
    folded = " ".join(text.lower().split())
    return "text:" + hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


class DeskStore(
    ClaimStore,
    ArchiveStore,
    SettingsStore,
    SubscriptionStore,
    EmbeddingCounter,
    CheckStore,
    QueueStore,
    Protocol,
):
    """What the service asks of the store: claims, seeding, settings, subscriptions, the
    embedding queue's counts, the checks members answer and the desk's queue (searching goes
    through the matcher; the audit, the outbox and the embedding worker each have their own
    port)."""


class ClaimService(DeskRules):
    _store: DeskStore

    def __init__(
        self,
        store: DeskStore,
        clock: Clock,
        *,
        matcher: Matcher,
        limits: v.Limits | None = None,
        configured_moderators: Mapping[str, ModeratorSettings] | None = None,
        lookup: Lookup | None = None,
        repeat: RepeatRule | None = None,
    ) -> None:
        self._store = store
        # When a checked claim asked about again and again is said to be going round again.
        self.repeat = repeat or RepeatRule()
        # Looking outside the desk (Google's Fact Check Tools); without it, lookup says how
        # to set it up.
        self._lookup = lookup
        self._clock = clock
        self._matcher = matcher
        self.limits = limits or v.Limits()
        # Moderators named in the config file, per workspace, on top of those set in chat.
        self._configured_moderators = dict(configured_moderators or {})
        self._write_listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        """The service's clock: what a reply says ages from."""
        return self._clock.now()

    def on_write(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every committed change (the dispatcher wakes up on it)."""
        self._write_listeners.append(listener)

    def _written(self) -> None:
        for listener in self._write_listeners:
            listener()

    # ----------------------------------------------------------------- reading
    async def search(
        self,
        actor: Actor,
        text: str = "",
        *,
        status: str | Status | None = None,
        tag: str | None = None,
        page: int = 1,
        page_size: int | None = None,
    ) -> SearchPage:
        query_text = v.query(text, self.limits) if text.strip() else ""
        v.page(page)
        size = page_size or self.limits.page_size
        if not 1 <= size <= 25:
            raise InvalidInput("A page holds 1 to 25 results.")
        wanted_status = v.status(status) if status else None
        wanted_tag = v.tag(tag, self.limits) if tag else None
        if not query_text:
            query = ListQuery(status=wanted_status, tag=wanted_tag, page=page, page_size=size)
            return await self._store.list_claims(actor.workspace, query)
        v.has_words(query_text)
        found = await self._matcher.match(
            actor.workspace,
            query_text,
            Purpose.SEARCH,
            limit=SEARCH_RESULTS,
            status=wanted_status,
            tag=wanted_tag,
        )
        offset = (page - 1) * size
        return SearchPage(
            items=tuple(found[offset : offset + size]),
            page=page,
            page_size=size,
            total=len(found),
            total_is_capped=len(found) >= SEARCH_RESULTS,
            ranked_within=SEARCH_RESULTS if len(found) >= SEARCH_RESULTS else None,
        )

    async def show(self, actor: Actor, claim_id: int | str) -> ClaimDetail:
        """A claim's card, with how often it was asked about lately."""
        number = v.claim_id(claim_id)
        detail = await self._store.get_detail(
            actor.workspace, number, recent_changes=RECENT_CHANGES_SHOWN
        )
        if detail is None:
            raise self._not_found(number)
        if not detail.claim.requests:
            return detail  # nobody asked: nothing to count
        recent = await self._recent_requests(actor.workspace, number)
        return detail.model_copy(update={"recent_requests": recent})

    async def history(self, actor: Actor, claim_id: int | str) -> list[HistoryEntry]:
        number = v.claim_id(claim_id)
        if await self._store.get_claim(actor.workspace, number) is None:
            raise self._not_found(number)
        return await self._store.history(actor.workspace, number)

    async def check_text(self, actor: Actor, text: str, *, limit: int = 5) -> list[ClaimSummary]:
        """Claims that a piece of text (e.g. a chat message) seems to repeat, confident ones
        first; none that a member said this message does not repeat."""
        cleaned = v.message(text, self.limits)
        return await self._check(actor, cleaned, message_key(cleaned, None), limit)

    async def check_message(
        self,
        actor: Actor,
        text: str,
        *,
        link: str | None = None,
        channel: str | None = None,
        limit: int = 5,
        as_request: bool = True,
    ) -> CheckOutcome:
        """``check_text``, kept as a check whose matches members can confirm or reject
        (``link``: where the message is, ``channel`` where it was asked, when the platform
        says). A member's check is a request on each claim it found confidently: the desk's
        queue counts it, and a checked claim asked about often is said to be going round again.
        A script's (``as_request`` False) is kept but counts for neither: a batch of a thousand
        lines would fill the queue and set off the alert."""
        cleaned = v.message(text, self.limits)
        key = message_key(cleaned, link)
        matches = await self._check(actor, cleaned, key, limit)
        shown = tuple(
            ShownMatch(m.id, m.match.tier, m.match.score)
            for m in matches
            if m.match and m.match.tier
        )
        requested = (
            tuple(m.claim_id for m in shown if m.tier is MatchTier.CONFIDENT) if as_request else ()
        )
        asked = NewCheck(
            key,
            cleaned,
            link,
            actor.person(),
            self._clock.now(),
            shown,
            channel_id=(channel or "").strip(),
            requested=requested,
        )
        kept = await self._store.record_check(actor.workspace, asked, repeat=self.repeat)
        if kept.alerted:
            self._written()  # the dispatcher wakes for the alert
        return CheckOutcome(check_id=kept.id, matches=tuple(matches))

    async def _check(self, actor: Actor, text: str, key: str, limit: int) -> list[ClaimSummary]:
        rejected = await self._store.rejected_for(actor.workspace, key)
        found = await self._matcher.match(
            actor.workspace, text, Purpose.CHECK, limit=limit + len(rejected)
        )
        return [m for m in found if m.id not in rejected][:limit]

    async def give_verdict(
        self, actor: Actor, check_id: int | str, claim_id: int | str, verdict: Verdict
    ) -> VerdictGiven:
        """A member's "yes, this one" or "not this one" on a match a check showed: kept once,
        in the claim's history. A confirmed match is an appearance of the claim; a rejected one
        is not offered again for that message."""
        check_number, claim_number = v.check_id(check_id), v.claim_id(claim_id)
        check = await self._store.stored_check(actor.workspace, check_number)
        if check is None:
            raise NotFound(f"There is no check {check_number} here.")
        shown = [m.claim_id for m in check.asked.shown]
        if claim_number not in shown:
            listed = ", ".join(f"#{n}" for n in shown) or "none"
            raise InvalidInput(
                f"#{claim_number} was not among check {check_number}'s matches ({listed})."
            )
        where = check.asked.link or f"“{shorten(check.asked.text, 200)}”"
        detail = f"check {check_number}, {where}"
        try:
            entry = await self._store.record_verdict(
                actor.workspace,
                check_number,
                claim_number,
                verdict,
                detail=detail,
                actor=actor.person(),
                at=self._clock.now(),
                repeat=self.repeat,
            )
        except VerdictExists as given:
            raise InvalidInput(
                f"#{claim_number} was already {given.verdict} for check {check_number}"
                f" by {given.by}."
            ) from None
        except NotFound:
            raise self._not_found(claim_number) from None
        self._written()
        claim = await self._require_claim(actor.workspace, claim_number)
        return VerdictGiven(
            verdict=verdict, check_id=check_number, claim=claim.summary(), entry=entry
        )

    async def exported_matches(self, workspace: str) -> list[ExportedMatch]:
        return await self._store.exported_matches(workspace)

    async def matching_status(self) -> MatchingStatus:
        counts = await self._store.embedding_counts()
        return MatchingStatus(
            semantic=self._matcher.model.describe(),
            embedded=counts.embedded,
            queued=counts.queued,
        )

    async def claim_suggestions(
        self, actor: Actor, text: str, *, limit: int = 25
    ) -> list[ClaimSummary]:
        """What an autocomplete box offers: an id shows that claim; words search (the last word
        as a prefix); nothing lists the newest. Half-typed input is normal there, so what would
        be refused elsewhere offers nothing instead."""
        wanted = text.strip().lstrip("#")
        try:
            if v.is_whole_number(wanted):
                return [(await self.show(actor, wanted)).claim.summary()]
            query = wanted + "*" if wanted else ""
            return list((await self.search(actor, query, page_size=limit)).items)
        except (InvalidInput, NotFound):
            return []

    async def tag_suggestions(self, actor: Actor, prefix: str, *, limit: int = 25) -> list[str]:
        return await self._store.tag_names(
            actor.workspace, v.clean_text(prefix).lower(), limit=limit
        )

    async def is_moderator(self, actor: Actor) -> bool:
        return is_moderator(actor, *await self._moderator_settings(actor.workspace))

    async def ensure_moderator(self, actor: Actor) -> None:
        """Refuse early (e.g. before asking for a reason) with the same message as a change."""
        require_moderator(actor, *await self._moderator_settings(actor.workspace))

    # ----------------------------------------------------------------- writing
    async def add_claim(
        self,
        actor: Actor,
        text: str,
        *,
        claimant: str | None = None,
        claimed_on: str | None = None,
        tags: list[str] | tuple[str, ...] | str | None = None,
        source_url: str | None = None,
        source_stance: str | None = None,
        force: bool = False,
    ) -> AddOutcome:
        new = NewClaim(
            text=v.claim_text(text, self.limits),
            claimant=v.claimant(claimant, self.limits),
            claimed_on=v.claimed_on(claimed_on),
            tags=v.tags(tags, self.limits),
        )
        source = self._new_source(source_url, source_stance, None) if source_url else None
        if not force:
            duplicates = await self._near_duplicates(actor.workspace, new.text)
            if duplicates:
                return DuplicateSuspected(candidates=tuple(duplicates[:DUPLICATES_SHOWN]))
        detail = await self._store.add_claim(
            actor.workspace,
            new,
            actor=actor.person(),
            at=self._clock.now(),
            source=source,
            recent_changes=RECENT_CHANGES_SHOWN,
        )
        self._written()
        return ClaimAdded(detail=detail)

    async def add_source(
        self,
        actor: Actor,
        claim_id: int | str,
        url: str,
        *,
        stance: str | None = None,
        note: str | None = None,
        outlet: str | None = None,
    ) -> SourceAdded:
        """Attach a source; returns it as stored and the claim's card as it now is (one trip:
        the store checks the claim and the link in the transaction that adds it)."""
        number = v.claim_id(claim_id)
        source = self._new_source(url, stance, note, outlet)
        try:
            detail, added = await self._store.add_source(
                actor.workspace,
                number,
                source,
                actor=actor.person(),
                at=self._clock.now(),
                recent_changes=RECENT_CHANGES_SHOWN,
            )
        except NotFound:
            raise self._not_found(number) from None
        except SourceExists:
            raise InvalidInput(f"That link is already a source of claim #{number}.") from None
        self._written()
        return SourceAdded(detail=detail, source=added)

    async def change_status(
        self,
        actor: Actor,
        claim_id: int | str,
        new_status: str | Status,
        reason: str | None,
        *,
        expected_version: int | None = None,
    ) -> tuple[ClaimDetail, HistoryEntry]:
        """Mark the claim ``new_status`` with ``reason`` (moderators only); returns the claim's
        card as it now is and the history entry appended."""
        number = v.claim_id(claim_id)
        target = v.status(new_status)
        await self.ensure_moderator(actor)
        cleaned_reason = v.reason(reason, self.limits)
        try:
            # One trip: the store checks the claim, its version and its status in the
            # transaction that changes it, and returns the card to show.
            result = await self._store.change_status(
                actor.workspace,
                number,
                target,
                reason=cleaned_reason,
                actor=actor.person(),
                at=self._clock.now(),
                expected_version=expected_version,
                recent_changes=RECENT_CHANGES_SHOWN,
            )
        except Conflict:
            # Changed since the moderator looked (or another moderator got in first).
            raise self._changed_since(await self._require_claim(actor.workspace, number)) from None
        except NotFound:
            raise self._not_found(number) from None
        except AlreadyThatStatus:
            raise InvalidInput(
                f"Claim #{number} is already {target.value}; nothing changed."
            ) from None
        self._written()
        return result

    # ---------------------------------------------------------------- lookup
    async def lookup(self, actor: Actor, text: str) -> LookupResult:
        """Other organisations' published fact-checks for ``text``."""
        if self._lookup is None:
            raise LookupFailed(HOW_TO_GET_A_KEY)
        return await self._lookup.lookup(actor, text)

    async def import_looked_up(self, actor: Actor, number: int | str) -> Adopted:
        """Import a result of the actor's last lookup: moderators only, since the review's
        rating gives the claim its status."""
        await self.ensure_moderator(actor)
        if self._lookup is None:
            raise LookupFailed(HOW_TO_GET_A_KEY)
        adopted = await self._lookup.adopt(actor, number)
        self._written()
        return adopted

    async def ensure_can_change(
        self, actor: Actor, claim_id: int | str, *, expected_version: int
    ) -> Claim:
        """Refuse, before a moderator types a reason, what ``change_status`` would refuse after:
        not a moderator, no such claim, or a claim changed since they looked at it."""
        number = v.claim_id(claim_id)
        await self.ensure_moderator(actor)
        current = await self._require_claim(actor.workspace, number)
        if current.version != expected_version:
            raise self._changed_since(current)
        return current

    async def import_claim(
        self, actor: Actor, claim: NewClaim, *, reason: str, sources: Sequence[NewSource] = ()
    ) -> tuple[Claim, bool]:
        """Store a seeded claim once (keyed by ``claim.seed_key``); returns (claim, created).

        The claim, its status and its sources are validated first and written in one
        transaction: an import stopped at any point leaves each claim whole or absent (it used
        to leave a claim stored but never given the seed's status). A claim left half-imported
        by an older Claimdesk (still unverified, with no status change in its history) is
        completed here.
        """
        if not actor.is_system:
            require_moderator(actor, *await self._moderator_settings(actor.workspace))
        if claim.seed_key is None:
            raise InvalidInput("A seeded claim needs a key.")
        cleaned_reason = v.reason(reason, self.limits)
        person, now = actor.person(), self._clock.now()
        existing = await self._store.find_seeded(actor.workspace, claim.seed_key)
        if existing is not None:
            return await self._complete_seeded(
                existing, claim.status, cleaned_reason, person
            ), False
        for source in sources:
            if source.url is not None:
                v.url(source.url, self.limits)
        imported = ImportedClaim(
            text=v.claim_text(claim.text, self.limits),
            claimant=v.claimant(claim.claimant, self.limits),
            claimed_on=v.claimed_on(claim.claimed_on),
            tags=v.tags(claim.tags, self.limits),
            created_by=person,
            created_at=now,
            sources=tuple(s.added(person, now) for s in sources),
            changes=(ImportedChange(claim.status, cleaned_reason, person, now),)
            if claim.status is not Status.UNVERIFIED
            else (),
            seed_key=claim.seed_key,
        )
        # Another process seeding the same workspace may store it first: then this one
        # writes nothing, and the claim it finds is that process's.
        written = await self._store.bulk_import(actor.workspace, [imported], at=now, batch_size=1)
        stored = await self._store.find_seeded(actor.workspace, claim.seed_key)
        assert stored is not None
        if written:
            self._written()
        return stored, bool(written)

    async def _complete_seeded(
        self, claim: Claim, status: Status, reason: str, person: Person
    ) -> Claim:
        if claim.status is not Status.UNVERIFIED or status is Status.UNVERIFIED:
            return claim
        history = await self._store.history(claim.workspace, claim.id)
        if any(entry.kind is HistoryKind.STATUS_CHANGED for entry in history):
            return claim  # a moderator set it back to unverified: theirs is the last word
        completed, _ = await self._store.change_status(
            claim.workspace,
            claim.id,
            status,
            reason=reason,
            actor=person,
            at=self._clock.now(),
            expected_version=claim.version,
        )
        self._written()
        return completed.claim

    async def import_source(self, actor: Actor, claim_id: int, source: NewSource) -> bool:
        """Attach a seeded source unless the same link/title is already there."""
        if source.url is not None:
            v.url(source.url, self.limits)
        detail = await self._store.get_detail(actor.workspace, claim_id, recent_changes=0)
        if detail is None:
            raise self._not_found(claim_id)
        if any((s.url, s.title) == (source.url, source.title) for s in detail.sources):
            return False
        try:
            await self._store.add_source(
                actor.workspace, claim_id, source, actor=actor.person(), at=self._clock.now()
            )
        except SourceExists:
            return False  # added meanwhile
        return True

    # --------------------------------------------------------- subscriptions
    async def subscribe(
        self,
        actor: Actor,
        scope: str,
        target: str | None = None,
        *,
        delivery: str = "dm",
        channel_id: str | None = None,
        cadence: str = "instant",
    ) -> tuple[Subscription, bool]:
        """Follow a claim, a tag or everything; returns (subscription, newly created)."""
        kind, key = await self._subscription_target(actor, scope, target)
        where = _choice(Channel, delivery, "delivery")
        when = _choice(Cadence, cadence, "digest")
        place = ""
        if where is Channel.CHANNEL:
            if not (actor.can_manage_channels or actor.is_workspace_admin or actor.is_system):
                raise PermissionDenied(
                    "Only members who can manage channels can send notifications to a channel; "
                    "subscribe with delivery by DM instead."
                )
            if not (channel_id or "").strip():
                raise InvalidInput("Say which channel the notifications should go to.")
            place = v.platform_id(channel_id or "", what="channel id")
        subscription, created = await self._store.add_subscription(
            actor.workspace, actor.user_id, kind, key, where, place, when, at=self._clock.now()
        )
        return subscription, created

    async def unsubscribe(self, actor: Actor, scope: str, target: str | None = None) -> int:
        kind, key = await self._subscription_target(actor, scope, target, must_exist=False)
        removed = await self._store.remove_subscriptions(actor.workspace, actor.user_id, kind, key)
        if not removed:
            what = {"claim": f"claim #{key}", "tag": f"the tag {key}", "all": "everything"}[kind]
            raise InvalidInput(
                f"You were not following {what}. See /subscriptions for what you follow."
            )
        return removed

    async def subscriptions(self, actor: Actor) -> list[Subscription]:
        return await self._store.subscriptions(actor.workspace, actor.user_id)

    async def set_notice_channel(self, actor: Actor, channel_id: str | None) -> str | None:
        """Where Claimdesk tells people, once, that it cannot DM them."""
        require_workspace_manager(actor)
        given = (channel_id or "").strip()
        channel = v.platform_id(given, what="channel id") if given else None
        await self._store.set_setting(
            actor.workspace, NOTICE_CHANNEL, channel, at=self._clock.now()
        )
        return channel

    async def _subscription_target(
        self, actor: Actor, scope: str, target: str | None, *, must_exist: bool = True
    ) -> tuple[Scope, str]:
        kind = _choice(Scope, scope, "subscription")
        if kind is Scope.ALL:
            return kind, ""
        if kind is Scope.TAG:
            return kind, v.tag(target or "", self.limits)
        number = v.claim_id(target or "")
        if must_exist:
            await self._require_claim(actor.workspace, number)
        return kind, str(number)

    # ------------------------------------------------------------ moderators
    async def moderators(self, actor: Actor) -> ModeratorSettings:
        stored, configured = await self._moderator_settings(actor.workspace)
        return ModeratorSettings(
            role_ids=stored.role_ids | configured.role_ids,
            user_ids=stored.user_ids | configured.user_ids,
        )

    async def set_moderator(
        self, actor: Actor, kind: ModeratorKind, ref: str, *, present: bool
    ) -> bool:
        require_workspace_manager(actor)
        ref = v.platform_id(ref, what=f"{kind} id")
        return await self._store.set_moderator(actor.workspace, kind, ref, present=present)

    # --------------------------------------------------------------- helpers
    async def _moderator_settings(
        self, workspace: str
    ) -> tuple[ModeratorSettings, ModeratorSettings]:
        stored = await self._store.moderators(workspace)
        configured = self._configured_moderators.get(workspace, ModeratorSettings())
        return stored, configured

    async def _near_duplicates(self, workspace: str, text: str) -> list[ClaimSummary]:
        return await self._matcher.match(workspace, text, Purpose.DUPLICATE, limit=DUPLICATES_SHOWN)

    async def _require_claim(self, workspace: str, number: int) -> Claim:
        claim = await self._store.get_claim(workspace, number)
        if claim is None:
            raise self._not_found(number)
        return claim

    def _new_source(
        self, url: str | None, stance: str | None, note: str | None, outlet: str | None = None
    ) -> NewSource:
        checked = v.url(url or "", self.limits)
        return NewSource(
            url=checked,
            title="",
            outlet=v.clean_text(outlet)[:80] if outlet else v.outlet_from_url(checked),
            stance=v.stance(stance),
            note=v.note(note, self.limits),
        )

    @staticmethod
    def _not_found(number: int) -> NotFound:
        return NotFound(f"There is no claim #{number} here. Try /claim search to find its id.")

    @staticmethod
    def _changed_since(current: Claim) -> Conflict:
        return Conflict(
            f"Claim #{current.id} changed since you looked (it is now {current.status.value}, "
            f"revision {current.version}). Show it again, then decide."
        )


_E = TypeVar("_E", bound=StrEnum)


def _choice(kind: type[_E], value: str, what: str) -> _E:
    try:
        return kind(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InvalidInput(f"Unknown {what} '{value}'. Use one of: {allowed}.") from None
