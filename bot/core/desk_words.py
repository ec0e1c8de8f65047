"""The desk's queue as every front end words it: how often a claim was asked about, who is on
it, the queue's lines and the answers to assigning and sending to the desk."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.core.desk import QueueItem, QueuePage, QueueView, Request, RequestsPage
from bot.core.desk_service import Assignment, SentToDesk
from bot.core.models import Claim, Person
from bot.core.presentation import STATUS_BADGE, plural, shorten, when

SEND_TO_DESK_LABEL = "Send to the desk"
TAKE_IT_LABEL = "Take it"


def times(count: int) -> str:
    return {1: "once", 2: "twice"}.get(count, f"{count:,} times")


def asked_line(claim: Claim, recent: int | None) -> str | None:
    """ "Asked 14 times (9 this week) · Ana is on it", or None for a claim nobody asked
    about and nobody is on."""
    parts = []
    if claim.requests:
        lately = f" ({times(recent)} this week)" if recent else ""
        parts.append(f"Asked {times(claim.requests)}{lately}")
    if claim.assignee is not None:
        parts.append(f"{claim.assignee.name} is on it")
    return " · ".join(parts) or None


def ago(since: datetime, now: datetime) -> str:
    """How long ago, in the largest unit that fits: "3 days ago", "5 hours ago", "just now"."""
    elapsed = max(now - since, timedelta(0))
    for unit, span in (
        ("day", timedelta(days=1)),
        ("hour", timedelta(hours=1)),
        ("minute", timedelta(minutes=1)),
    ):
        if elapsed >= span:
            return plural(int(elapsed / span), unit) + " ago"
    return "just now"


def queue_title(page: QueuePage) -> str:
    which = {
        QueueView.OPEN: "",
        QueueView.MINE: " assigned to you",
        QueueView.UNASSIGNED: " nobody is on",
    }[page.query.view]
    status = page.query.status.value
    tag = f" tagged {page.query.tag}" if page.query.tag else ""
    more = "+" if page.total_is_capped else ""
    return f"{status.capitalize()} claims{which}{tag}, most wanted first ({page.total}{more})"


def queue_empty(page: QueuePage) -> str:
    if page.query.view is QueueView.MINE:
        return "Nothing is assigned to you. Take a claim from /claim queue unassigned."
    return "Nothing in this queue."


def queue_line(item: QueueItem, now: datetime, *, text_limit: int = 120) -> str:
    """ "#12 ❔ “…” · asked 6 times, last 2 hours ago · added 3 days ago · Ana is on it"."""
    claim = item.claim
    return (
        f"#{claim.id} {STATUS_BADGE[claim.status]} {queue_detail(item, now, text_limit=text_limit)}"
    )


def queue_detail(item: QueueItem, now: datetime, *, text_limit: int = 120) -> str:
    """A queue line after the claim's id and badge."""
    claim = item.claim
    asked = (
        f"asked {times(item.requests)}, last {ago(item.last_asked_at, now)}"
        if item.requests and item.last_asked_at
        else "not asked about yet"
    )
    who = f"{item.assignee.name} is on it" if item.assignee else "nobody on it"
    return (
        f"“{shorten(claim.text, text_limit)}” · {asked} · added {ago(claim.created_at, now)}"
        f" · {who}"
    )


def queue_footer(page: QueuePage) -> str:
    return f"Page {page.query.page} of {page.pages}. /claim assign <id> takes one."


def requests_title(page: RequestsPage) -> str:
    lately = f", {times(page.recent)} this week" if page.recent else ""
    return f"#{page.claim.id} was asked about {times(page.total)}{lately}"


def request_line(request: Request, channel: Callable[[str], str]) -> str:
    """ "Ana in #general, 2026-12-08 09:12 UTC — <link>"; ``channel`` names a channel id the
    platform's way."""
    where = f" in {channel(request.channel_id)}" if request.channel_id else ""
    link = f" — {request.link}" if request.link else ""
    return f"{request.asked_by.name}{where}, {when(request.at)}{link}"


def requests_empty(page: RequestsPage) -> str:
    return f"Nobody has asked about #{page.claim.id} yet."


def assignment_text(done: Assignment, actor: Person) -> str:
    number = f"#{done.claim.id}"
    assignee = done.claim.assignee
    if assignee is None:
        was = done.previous.name if done.previous else "nobody"
        return f"Nobody is on {number} now (it was {was})."
    if assignee.user_id == actor.user_id:
        return f"You are on {number} now. It is under /claim queue mine."
    return f"{assignee.name} is on {number} now, and has been told."


def sent_text(sent: SentToDesk) -> str:
    number = f"#{sent.detail.claim.id}"
    if sent.already:
        return f"Already on the desk: check {sent.check_id} was sent as claim {number}."
    return (
        f"Sent to the desk as claim {number} (unverified), with this request as its first."
        f" /claim assign {sent.detail.claim.id} takes it."
    )


def send_hint(check_id: int) -> str:
    """Under a check that found nothing the message repeats, where there is no button."""
    return f"Nobody has checked this yet. Send it to the desk: /claim send {check_id}"


def add_line(text: str) -> str:
    """The ready `/claim add` line for a message, that the grammar reads back as this text: in
    quotes (so that a word like "tags:" stays in the text), its own straight quotes made curly."""
    flat = " ".join(text.split()).replace('"', "”")
    return f'/claim add "{flat}"'
