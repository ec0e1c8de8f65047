"""The changes to a claim as both stores record them, each in the transaction that makes it:
the history entry (its kind, statuses, detail, and the digest of what the claim says after it)
and the event its followers (or the people it names) hear of. What is recorded is decided here once; a store only
writes it (``_record`` in each store's history module)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.audit import chained_entry, claim_content, with_source
from bot.core.desk import assignment_detail, told_of_assignment
from bot.core.models import Claim, HistoryEntry, HistoryKind, Person, Stance, Status, Verdict
from bot.core.notifications.models import Channel, EventKind
from bot.core.ports import NewClaim, NewSource
from bot.store.outbox_rows import EventFacts


@dataclass(frozen=True)
class Change:
    kind: HistoryKind
    old: Status | None
    new: Status | None
    detail: str
    content: str  # the claim's content digest after the change (bot/core/audit.py)
    event: EventFacts  # also says which claim, who and when
    # Told whatever their subscriptions: (DM or channel, address), e.g. a claim's new assignee.
    to: tuple[tuple[Channel, str], ...] = ()
    # Other events of the same change, each with whom it is told (e.g. the one taken off it).
    also: tuple[tuple[EventFacts, tuple[tuple[Channel, str], ...]], ...] = ()

    def entry(self, workspace: str, seq: int, prev_hash: str) -> HistoryEntry:
        """The history entry this change appends after ``prev_hash``, hashed."""
        facts = self.event
        return chained_entry(
            workspace=workspace,
            seq=seq,
            prev_hash=prev_hash,
            claim_id=facts.claim_id,
            kind=self.kind,
            old=self.old,
            new=self.new,
            actor=facts.actor,
            detail=self.detail,
            at=facts.at,
            content=self.content,
        )


def source_detail(stance: Stance, url: str | None, title: str) -> str:
    """A source's history detail: "refutes: https://…" (its title where it has no link)."""
    return f"{stance.value}: {url or title}"


def claim_added(number: int, claim: NewClaim, actor: Person, at: datetime) -> Change:
    tags = " ".join(claim.tags)
    return Change(
        kind=HistoryKind.CREATED,
        old=None,
        new=Status.UNVERIFIED,
        detail=claim.text,
        content=claim_content(claim.text, claim.claimant, claim.claimed_on, tags, actor.user_id),
        event=EventFacts(
            EventKind.CLAIM_ADDED, number, claim.text, Status.UNVERIFIED, actor, at, claim.tags
        ),
    )


def source_added(
    claim: Claim, source: NewSource, content_before: str, actor: Person, at: datetime
) -> Change:
    """``content_before``: the digest the claim's history last recorded, which the source folds
    into (never recomputed from the rows: see the stores' ``_content_recorded``)."""
    return Change(
        kind=HistoryKind.SOURCE_ADDED,
        old=None,
        new=None,
        detail=source_detail(source.stance, source.url, source.title),
        content=with_source(
            content_before,
            source.url,
            source.title,
            source.outlet,
            source.stance.value,
            source.note,
        ),
        event=EventFacts(
            EventKind.SOURCE_ADDED,
            claim.id,
            claim.text,
            claim.status,
            actor,
            at,
            claim.tags,
            source_url=source.url,
            source_stance=source.stance,
            source_outlet=source.outlet or source.title,
        ),
    )


def status_changed(
    claim: Claim, new_status: Status, reason: str, content: str, actor: Person, at: datetime
) -> Change:
    """``claim`` as it was before; ``content`` its recorded digest, which a status change keeps."""
    return Change(
        kind=HistoryKind.STATUS_CHANGED,
        old=claim.status,
        new=new_status,
        detail=reason,
        content=content,
        event=EventFacts(
            EventKind.STATUS_CHANGED,
            claim.id,
            claim.text,
            new_status,
            actor,
            at,
            claim.tags,
            old_status=claim.status,
            new_status=new_status,
            reason=reason,
        ),
    )


def _unchanged(
    kind: HistoryKind,
    event: EventKind,
    claim: Claim,
    detail: str,
    content: str,
    actor: Person,
    at: datetime,
) -> Change:
    """A change to what is known about a claim, not to what it says: ``content``, its recorded
    digest, carries on."""
    facts = EventFacts(
        event, claim.id, claim.text, claim.status, actor, at, claim.tags, reason=detail
    )
    return Change(kind, None, None, detail, content, facts)


def match_verdict(
    claim: Claim, verdict: Verdict, detail: str, content: str, actor: Person, at: datetime
) -> Change:
    """A member's word on a check's match; nobody is notified (no subscription hears of these
    kinds)."""
    if verdict is Verdict.CONFIRMED:
        kinds = (HistoryKind.MATCH_CONFIRMED, EventKind.MATCH_CONFIRMED)
    else:
        kinds = (HistoryKind.MATCH_REJECTED, EventKind.MATCH_REJECTED)
    return _unchanged(*kinds, claim, detail, content, actor, at)


def assignment(
    claim: Claim, assignee: Person | None, content: str, actor: Person, at: datetime
) -> Change:
    """``claim`` as it was (its assignee the previous one); ``assignee`` None: unassigned. The
    one now on it hears "it is yours now" by DM, the one taken off it "no longer yours"
    (bot/core/desk.py told_of_assignment)."""
    previous = claim.assignee
    if assignee is not None:
        kinds = (HistoryKind.ASSIGNED, EventKind.ASSIGNED)
    else:
        kinds = (HistoryKind.UNASSIGNED, EventKind.UNASSIGNED)
    change = _unchanged(*kinds, claim, assignment_detail(assignee, previous), content, actor, at)
    put_on = tuple(
        (Channel.DM, who) for on, who in told_of_assignment(actor, assignee, previous) if on
    )
    taken_off = tuple(
        (Channel.DM, who) for on, who in told_of_assignment(actor, assignee, previous) if not on
    )
    if assignee is None:
        return replace(change, to=taken_off)
    off = replace(change.event, kind=EventKind.UNASSIGNED)
    return replace(change, to=put_on, also=((off, taken_off),) if taken_off else ())
