"""Words and symbols every adapter shows the same way (so Discord, Slack and the console agree)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.models import (
    ClaimSummary,
    HistoryEntry,
    HistoryKind,
    MatchingStatus,
    MatchTier,
    SearchPage,
    Stance,
    Status,
    Verdict,
    VerdictGiven,
)
from bot.core.notifications.models import ClaimEvent, EventKind, Notification
from bot.core.reviews import Review

if TYPE_CHECKING:
    from bot.core.lookup import Adopted

STATUS_BADGE = {
    Status.VERIFIED: "✅",
    Status.DISPUTED: "⛔",
    Status.UNVERIFIED: "❔",
}

STATUS_LABEL = {
    Status.VERIFIED: "Verified",
    Status.DISPUTED: "Disputed",
    Status.UNVERIFIED: "Unverified",
}

STANCE_LABEL = {
    Stance.SUPPORTS: "supports",
    Stance.REFUTES: "refutes",
    Stance.CONTEXT: "context",
}


def badge(status: Status) -> str:
    return f"{STATUS_BADGE[status]} {STATUS_LABEL[status]}"


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and mark the cut, so a shortened claim never looks complete."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:") + "…"


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def plural(count: int, word: str, many: str | None = None) -> str:
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def match_count(page: SearchPage) -> str:
    """ "12 matches", or "1000+ matches" when counting stopped at the cap."""
    more = "+" if page.total_is_capped else ""
    return f"{page.total}{more} {'match' if page.total == 1 else 'matches'}"


def ranking_note(page: SearchPage) -> str | None:
    """Said when more claims match than are ranked, so nobody mistakes them for all of them."""
    if page.ranked_within is None:
        return None
    return (
        f"Many claims match; the best {page.ranked_within:,} are shown."
        " Add words or a status/tag filter to narrow."
    )


# Where a match's words were found, as a line says it.
PLACE_LABEL = {
    "claim": "the claim",
    "claimant": "its claimant",
    "tags": "its tags",
    "sources": "its sources",
}
_WORDS_PER_PLACE = 4


def match_note(item: ClaimSummary) -> str | None:
    """Why a claim was found and how close it is: "matched kursk, control in the claim; putin in
    its sources · 92% likely the same claim" (a search says how similar in meaning instead).
    None for a claim that was listed, not matched."""
    info = item.match
    if info is None:
        return None
    parts = []
    if info.found_in:
        parts.append("matched " + _where_matched(info.found_in))
    if info.score is not None:
        # The decision's probability: what each tier is ordered by, so the figures descend.
        parts.append(f"{info.score:.0%} likely the same claim")
    elif info.similarity is not None:
        parts.append(f"{max(info.similarity, 0.0):.0%} similar in meaning")
    return " · ".join(parts) or None


def _where_matched(found_in: Sequence[tuple[str, Sequence[str]]]) -> str:
    """Each word once, at the first place that holds it: "kursk, control in the claim; putin in
    its sources"."""
    said: set[str] = set()
    places = []
    for place, words in found_in:
        new = [w for w in words if w not in said]
        said.update(new)
        if new:
            shown = ", ".join(new[:_WORDS_PER_PLACE]) + (
                ", …" if len(new) > _WORDS_PER_PLACE else ""
            )
            places.append(f"{shown} in {PLACE_LABEL.get(place, place)}")
    return "; ".join(places)


# The two tiers of an answer to "has this been checked?", the same words everywhere.
CHECKED_HEADING = "This has been checked"
POSSIBLE_HEADING = "Possibly related — not the same claim?"
NOTHING_RESEMBLES = "No stored claim resembles this message"
DUPLICATE_HEADING = "This looks like a claim we already have"
POSSIBLE_DUPLICATE_HEADING = "Possibly the same claim"


def tiers(
    matches: Sequence[ClaimSummary], *, duplicate: bool = False
) -> list[tuple[str, list[ClaimSummary]]]:
    """The answer's tiers that hold a match, each with its heading: confident first."""
    confident = [m for m in matches if m.match and m.match.tier is MatchTier.CONFIDENT]
    possible = [m for m in matches if not (m.match and m.match.tier is MatchTier.CONFIDENT)]
    headings = (
        (DUPLICATE_HEADING, POSSIBLE_DUPLICATE_HEADING)
        if duplicate
        else (CHECKED_HEADING, POSSIBLE_HEADING)
    )
    return [(h, items) for h, items in zip(headings, (confident, possible), strict=True) if items]


def check_sections(
    matches: Sequence[ClaimSummary],
) -> list[tuple[str | None, list[ClaimSummary]]]:
    """A check's tiers under its title: the confident tier needs no heading of its own (the
    title says "This has been checked"), the possible one does."""
    return [(None if h == CHECKED_HEADING else h, items) for h, items in tiers(matches)]


def verdict_hint(check_id: int) -> str:
    """Under a check's answer where there are no buttons to press."""
    return (
        f"Check {check_id}. Is it one of these? /claim confirm {check_id} <id> if so,"
        f" /claim reject {check_id} <id> if not."
    )


def verdict_text(given: VerdictGiven) -> str:
    """The answer to a member's "yes, this one" or "not this one"."""
    claim = f"#{given.claim.id}"
    if given.verdict is Verdict.CONFIRMED:
        return (
            f"Thanks: check {given.check_id} repeats {claim}. It is kept in {claim}'s history as"
            " a new appearance of the claim."
        )
    return (
        f"Thanks: {claim} is not offered again for that message, and {claim}'s history says"
        f" it is not the claim check {given.check_id} was about."
    )


def check_title(matches: Sequence[ClaimSummary]) -> str:
    """An answer's one-line verdict."""
    found = tiers(matches)
    if not found:
        return NOTHING_RESEMBLES
    if found[0][0] == CHECKED_HEADING:
        return f"{CHECKED_HEADING}: {plural(len(found[0][1]), 'stored claim')}"
    return "Not checked yet: possibly related claims below"


def describe_entry(entry: HistoryEntry) -> str:
    """One line for a history entry, without the date or the actor."""
    if entry.kind is HistoryKind.STATUS_CHANGED and entry.old_status and entry.new_status:
        return f"{entry.old_status.value} → {entry.new_status.value}: {entry.detail}"
    if entry.kind is HistoryKind.CREATED:
        return "claim added (unverified)"
    if entry.kind is HistoryKind.MATCH_CONFIRMED:
        return f"seen again, confirmed as this claim: {entry.detail}"
    if entry.kind is HistoryKind.MATCH_REJECTED:
        return f"a check's match rejected, not this claim: {entry.detail}"
    if entry.kind in (HistoryKind.ASSIGNED, HistoryKind.UNASSIGNED):
        return entry.detail  # "assigned to Ana (U1)", "unassigned from Ana (U1)"
    return f"source added ({entry.detail})"


def describe_event(event: ClaimEvent, *, text_limit: int = 140) -> str:
    """One line for a notification, the same on every platform."""
    claim = shorten(event.claim_text, text_limit)
    if event.kind is EventKind.STATUS_CHANGED and event.old_status and event.new_status:
        return (
            f"#{event.claim_id} {STATUS_BADGE[event.new_status]} {event.old_status.value} → "
            f"{event.new_status.value} by {event.actor_name}: {event.reason} — “{claim}”"
        )
    if event.kind is EventKind.SOURCE_ADDED:
        stance = event.source_stance.value if event.source_stance else "context"
        where = event.source_url or event.source_outlet
        return (
            f"#{event.claim_id} new source ({stance}) from {event.actor_name}: {where} — “{claim}”"
        )
    if event.kind is EventKind.GOING_ROUND:
        return (
            f"#{event.claim_id} ({event.status.value}) is going round again: {event.reason}"
            f" — “{claim}”"
        )
    if event.kind is EventKind.ASSIGNED:
        return f"#{event.claim_id} is yours now: {event.actor_name} assigned it to you — “{claim}”"
    if event.kind is EventKind.UNASSIGNED:
        return (
            f"#{event.claim_id} is no longer yours: {event.actor_name} took you off it — “{claim}”"
        )
    tags = ", ".join(event.tags)
    return f"#{event.claim_id} new claim{f' tagged {tags}' if tags else ''} by {event.actor_name}: “{claim}”"


def notification_heading(notification: Notification) -> str:
    if len(notification.events) == 1:
        return "Claimdesk update"
    return f"Claimdesk {notification.cadence.value} digest: {plural(len(notification.events), 'update')}"


def matching_status_lines(status: MatchingStatus) -> list[str]:
    """The status command's answer, the same on every platform."""
    lines = [f"Matching by meaning: {status.semantic}."]
    if status.queued:
        lines.append(
            f"{status.embedded:,} claims embedded, {status.queued:,} waiting: until then they"
            " are found by their words."
        )
    else:
        lines.append(f"{status.embedded:,} claims embedded; none waiting.")
    return lines


def describe_review(review: Review) -> str:
    """One published fact-check, the same on every platform (its link shown apart)."""
    who = f" — {review.claimant}" if review.claimant else ""
    rating = review.rating or "no rating given"
    by = review.publisher or "a fact-checker"
    return f"“{shorten(review.claim, 160)}”{who} · {by}: {rating}"


LOOKUP_FOOTER = "A moderator can import one into the desk: /claim import <number>."
NO_LOOKUP_RESULTS = "No published fact-check found for that."


def describe_adopted(adopted: Adopted) -> str:
    number = f"#{adopted.claim_id}"
    return {
        "new": f"Imported as claim {number}, with the review as its source.",
        "attached": f"Added to claim {number}, which says the same, as a source.",
        "already": f"Already in the desk: a source of claim {number}.",
    }[adopted.outcome]


def apology(reference: str) -> str:
    """What every front end says when something failed that is not the member's doing: the
    same words everywhere, with the reference the log line carries."""
    return (
        "Sorry, something went wrong on our side and nothing was changed. "
        f"If it keeps happening, tell your admin the reference {reference}."
    )
