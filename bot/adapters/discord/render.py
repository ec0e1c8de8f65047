"""Neutral results → Discord embeds. Pure functions: no network, easy to unit-test.

User-written text is escaped (markdown and mentions) and cut to Discord's limits, so a claim
can neither break the layout nor look like it pings anyone.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import discord

from bot.core.desk import QueuePage, Request, RequestsPage
from bot.core.desk_words import (
    asked_line,
    queue_detail,
    queue_empty,
    queue_footer,
    queue_title,
    request_line,
    requests_empty,
    requests_title,
)
from bot.core.lookup import LookupResult
from bot.core.models import ClaimDetail, ClaimSummary, HistoryEntry, SearchPage, Source, Status
from bot.core.notifications.models import Notification
from bot.core.presentation import (
    LOOKUP_FOOTER,
    NO_LOOKUP_RESULTS,
    STATUS_BADGE,
    badge,
    check_sections,
    check_title,
    describe_entry,
    describe_event,
    describe_review,
    match_count,
    match_note,
    notification_heading,
    plural,
    ranking_note,
    shorten,
    tiers,
)

COLOURS = {
    Status.VERIFIED: discord.Colour(0x2E9E5B),
    Status.DISPUTED: discord.Colour(0xD64545),
    Status.UNVERIFIED: discord.Colour(0xE0A526),
}
NEUTRAL = discord.Colour(0x5865F2)

# Discord's limits for one embed.
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_MAX = 1024


def safe(text: str, limit: int) -> str:
    """Shorten first (so the cut never splits an escape), then neutralise markdown and mentions."""
    escaped = discord.utils.escape_mentions(discord.utils.escape_markdown(shorten(text, limit)))
    return escaped if len(escaped) <= limit else escaped[: limit - 1] + "…"


def summary_line(item: ClaimSummary) -> str:
    who = f" — *{safe(item.claimant, 80)}*" if item.claimant else ""
    why = match_note(item)
    return (
        f"**#{item.id}** {STATUS_BADGE[item.status]} {safe(item.text, 160)}{who} "
        f"· {plural(item.source_count, 'source')}" + (f"\n_{safe(why, 200)}_" if why else "")
    )


def search_embed(
    query: str, status: str | None, tag: str | None, page: SearchPage
) -> discord.Embed:
    filters = ", ".join(f"{k}: {v}" for k, v in (("status", status), ("tag", tag)) if v)
    subject = f"“{safe(query, 100)}”" if query else "all claims"
    title = f"Claims matching {subject}" + (f" ({filters})" if filters else "")
    embed = discord.Embed(title=shorten(title, TITLE_MAX), colour=NEUTRAL)
    if not page.items:
        embed.description = (
            f"No results on page {page.page}."
            if page.total
            else "No claim matches. Try fewer words, or `/claim add` it."
        )
        return embed
    embed.description = "\n".join(summary_line(i) for i in page.items)[:DESCRIPTION_MAX]
    note = ranking_note(page)
    if note:
        embed.description = f"{embed.description}\n\n*{note}*"[:DESCRIPTION_MAX]
    embed.set_footer(text=f"{match_count(page)} · page {page.page} of {page.pages}")
    return embed


def _source_line(number: int, source: Source) -> str:
    label = safe(source.title or source.outlet or "source", 80)
    link = f"[{label}]({source.url})" if source.url else label
    # With no title the outlet is already the link text; don't say it twice.
    outlet = f" · {safe(source.outlet, 60)}" if source.title and source.outlet else ""
    note = f" — {safe(source.note, 120)}" if source.note else ""
    return f"{number}. **{source.stance.value}** · {link}{outlet}{note}"


def entry_line(entry: HistoryEntry) -> str:
    stamp = discord.utils.format_dt(entry.at, "f")
    return f"{stamp} · {safe(describe_entry(entry), 300)} · *{safe(entry.actor.name, 60)}*"


def _fit_lines(lines: list[str], limit: int = FIELD_MAX) -> str:
    out: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        rest = len(lines) - index
        if used + len(line) + 1 > limit - 20:
            out.append(f"… and {rest} more")
            break
        out.append(line)
        used += len(line) + 1
    return "\n".join(out)


def claim_embed(detail: ClaimDetail) -> discord.Embed:
    claim = detail.claim
    embed = discord.Embed(
        title=f"#{claim.id} · {badge(claim.status)}",
        description=safe(claim.text, 2000),
        colour=COLOURS[claim.status],
    )
    embed.add_field(name="Claimant", value=safe(claim.claimant or "unknown", 200), inline=True)
    if claim.claimed_on:
        embed.add_field(name="Claimed", value=claim.claimed_on, inline=True)
    if claim.tags:
        embed.add_field(name="Tags", value=", ".join(claim.tags), inline=True)
    sources = [_source_line(n, s) for n, s in enumerate(detail.sources, 1)]
    embed.add_field(
        name=f"Sources ({len(detail.sources)})",
        value=_fit_lines(sources) if sources else "None yet: add one with `/claim source`.",
        inline=False,
    )
    if asked := asked_line(claim, detail.recent_requests):
        embed.add_field(name="The desk", value=safe(asked, 300), inline=False)
    if detail.recent_changes:
        embed.add_field(
            name="Recent changes",
            value=_fit_lines([entry_line(e) for e in detail.recent_changes]),
            inline=False,
        )
    embed.set_footer(
        text=f"Added by {shorten(claim.created_by.name, 60)} · revision {claim.version}"
    )
    embed.timestamp = claim.created_at
    return embed


def history_embed(claim_id: int, entries: list[HistoryEntry]) -> discord.Embed:
    embed = discord.Embed(title=f"History of #{claim_id}", colour=NEUTRAL)
    lines = [entry_line(e) for e in entries]
    embed.description = _fit_lines(lines, DESCRIPTION_MAX)
    embed.set_footer(
        text=f"{plural(len(entries), 'entry', 'entries')} · hash-chained, see `claimdesk audit verify`"
    )
    return embed


def matches_embed(matches: list[ClaimSummary]) -> discord.Embed:
    embed = discord.Embed(title=shorten(check_title(matches), TITLE_MAX), colour=NEUTRAL)
    embed.description = (
        "\n".join(
            (f"**{heading}**\n" if heading else "") + "\n".join(summary_line(m) for m in items)
            for heading, items in check_sections(matches)
        )[:DESCRIPTION_MAX]
        or None
    )
    return embed


def tiered_lines(matches: list[ClaimSummary], *, duplicate: bool = False) -> str:
    """Each tier of an answer under its heading, confident first."""
    return "\n".join(
        f"**{heading}:**\n" + "\n".join(summary_line(m) for m in items)
        for heading, items in tiers(matches, duplicate=duplicate)
    )


def lookup_embed(result: LookupResult) -> discord.Embed:
    title = shorten(f"Published fact-checks for “{result.query}”", TITLE_MAX)
    embed = discord.Embed(title=title, colour=NEUTRAL)
    if not result.reviews:
        embed.description = NO_LOOKUP_RESULTS
        return embed
    embed.description = "\n".join(
        f"{n}. {safe(describe_review(review), 400)} · [the review](<{review.url}>)"
        for n, review in enumerate(result.reviews, 1)
    )[:DESCRIPTION_MAX]
    embed.set_footer(text=LOOKUP_FOOTER)
    return embed


def queue_embed(page: QueuePage, now: datetime) -> discord.Embed:
    embed = discord.Embed(title=shorten(queue_title(page), TITLE_MAX), colour=NEUTRAL)
    if not page.items:
        embed.description = (
            f"No claims on page {page.query.page}." if page.total else queue_empty(page)
        )
        return embed
    lines = [
        f"**#{i.claim.id}** {STATUS_BADGE[i.claim.status]} {safe(queue_detail(i, now), 400)}"
        for i in page.items
    ]
    embed.description = _fit_lines(lines, DESCRIPTION_MAX)
    embed.set_footer(text=queue_footer(page))
    return embed


def requests_embed(page: RequestsPage) -> discord.Embed:
    embed = discord.Embed(title=shorten(requests_title(page), TITLE_MAX), colour=NEUTRAL)
    if not page.items:
        embed.description = requests_empty(page) if not page.total else "No more requests."
        return embed
    # A channel mention renders as its name and pings nobody.
    lines = [request_line(_safe_request(q), lambda channel: f"<#{channel}>") for q in page.items]
    embed.description = _fit_lines(lines, DESCRIPTION_MAX)
    embed.set_footer(text=f"Page {page.page} of {page.pages}")
    return embed


def _safe_request(request: Request) -> Request:
    """The member's name escaped; a channel id is digits (Discord's own)."""
    name = safe(request.asked_by.name, 80)
    channel = request.channel_id if request.channel_id.isdigit() else ""
    asked_by = request.asked_by.model_copy(update={"name": name})
    return replace(request, asked_by=asked_by, channel_id=channel)


def autocomplete_label(item: ClaimSummary) -> str:
    # Choice names are plain text (no markdown) of at most 100 characters.
    return shorten(f"#{item.id} {STATUS_BADGE[item.status]} {item.text}", 100)


def notification_embed(notification: Notification) -> discord.Embed:
    latest = notification.events[-1]
    colour = COLOURS[latest.new_status] if latest.new_status else NEUTRAL
    embed = discord.Embed(title=notification_heading(notification), colour=colour)
    lines = [f"• {safe(describe_event(e), 400)}" for e in notification.events]
    embed.description = _fit_lines(lines, DESCRIPTION_MAX)
    embed.set_footer(text="Manage with /subscriptions and /unsubscribe")
    return embed
