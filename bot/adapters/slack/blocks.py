"""Neutral replies → Block Kit. Pure functions.

Every value a person typed is escaped for mrkdwn (& < >), which also neutralises <!everyone>,
<!channel> and <@user> mentions; messages are sent without link_names, so a bare "@channel"
pings nobody. Links and mentions are the only ``<…>`` written, and only through ``link`` and
``mention``, which cannot be broken out of.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from functools import singledispatch
from typing import Any

from bot.core.commands import replies as r
from bot.core.desk import QueuePage, Request
from bot.core.desk_words import (
    SEND_TO_DESK_LABEL,
    TAKE_IT_LABEL,
    asked_line,
    assignment_text,
    queue_empty,
    queue_footer,
    queue_line,
    queue_title,
    request_line,
    requests_empty,
    requests_title,
    sent_text,
)
from bot.core.lookup import LookupResult
from bot.core.models import Claim, ClaimDetail, ClaimSummary, HistoryEntry, Status, Verdict
from bot.core.notifications.models import Notification, Subscription
from bot.core.presentation import (
    LOOKUP_FOOTER,
    NO_LOOKUP_RESULTS,
    STATUS_BADGE,
    badge,
    check_sections,
    check_title,
    describe_adopted,
    describe_entry,
    describe_event,
    describe_review,
    match_count,
    match_note,
    matching_status_lines,
    notification_heading,
    plural,
    ranking_note,
    shorten,
    tiers,
    verdict_text,
)

Block = dict[str, Any]
SECTION_MAX = 3000
STATUS_ACTION = "cd_status"
PAGE_ACTION = "cd_page"
REASON_VIEW = "cd_reason"
LOOKUP_IMPORT_ACTION = "cd_lookup_import"
VERDICT_ACTION = "cd_verdict"
TAKE_ACTION = "cd_take"
DESK_ACTION = "cd_desk"
QUEUE_PAGE_ACTION = "cd_queue_page"
VERBS = {Status.VERIFIED: "Verify", Status.DISPUTED: "Dispute", Status.UNVERIFIED: "Unverify"}
STYLES = {Status.VERIFIED: "primary", Status.DISPUTED: "danger"}


def esc(text: str, limit: int = SECTION_MAX) -> str:
    return shorten(text, limit).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SLACK_ID = re.compile(r"^[A-Z0-9]{2,40}$")


def link(url: str, label: str) -> str:
    """A mrkdwn link. The URL cannot close the link or start a new one: ``&``, ``<``, ``>``
    and ``|`` are percent-encoded (still the same link), whatever was stored."""
    safe = "".join(_URL_ESCAPES.get(ch, ch) for ch in url if unicodedata.category(ch)[0] != "C")
    return f"<{safe}|{label}>"


_URL_ESCAPES = {"&": "%26", "<": "%3C", ">": "%3E", "|": "%7C", " ": "%20"}


def mention(kind: str, ref: str) -> str:
    """A user (``@``), user group (``!subteam^``) or channel (``#``) mention, written only for
    a well-formed Slack id; anything else is shown as escaped text."""
    if _SLACK_ID.match(ref):
        return f"<{kind}{ref}>"
    return f"`{esc(ref, 80)}`"


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:SECTION_MAX]}}


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_MAX]}]}


def summary_line(item: ClaimSummary) -> str:
    who = f" — _{esc(item.claimant, 80)}_" if item.claimant else ""
    why = match_note(item)
    return (
        f"*#{item.id}* {STATUS_BADGE[item.status]} {esc(item.text, 160)}{who}"
        f" · {plural(item.source_count, 'source')}" + (f"\n      _{esc(why, 200)}_" if why else "")
    )


def entry_line(entry: HistoryEntry) -> str:
    stamp = entry.at.strftime("%Y-%m-%d %H:%M UTC")
    return f"{stamp} · {esc(describe_entry(entry), 300)} · _{esc(entry.actor.name, 60)}_"


def status_buttons(claim: Claim) -> Block:
    elements = []
    for status in Status:
        if status is claim.status:
            continue
        button: Block = {
            "type": "button",
            "action_id": f"{STATUS_ACTION}_{status.value}",
            "text": {"type": "plain_text", "text": f"{STATUS_BADGE[status]} {VERBS[status]}"},
            "value": f"{claim.id}:{claim.version}:{status.value}",
        }
        if status in STYLES:
            button["style"] = STYLES[status]
        elements.append(button)
    return {"type": "actions", "block_id": f"moderate_{claim.id}", "elements": elements}


def claim_blocks(detail: ClaimDetail, *, with_moderation: bool) -> list[Block]:
    claim = detail.claim
    facts = [f"*Claimant:* {esc(claim.claimant or 'unknown', 200)}"]
    if claim.claimed_on:
        facts.append(f"*Claimed:* {esc(claim.claimed_on, 40)}")
    if claim.tags:
        facts.append("*Tags:* " + esc(", ".join(claim.tags), 400))
    blocks = [
        section(f"*#{claim.id} · {badge(claim.status)}*\n{esc(claim.text, 2000)}"),
        context("  ·  ".join(facts)),
    ]
    if detail.sources:
        lines = []
        for n, s in enumerate(detail.sources, 1):
            label = esc(s.title or s.outlet or "source", 80)
            shown = link(s.url, label) if s.url else label
            outlet = f" · {esc(s.outlet, 60)}" if s.title and s.outlet else ""
            note = f" — {esc(s.note, 150)}" if s.note else ""
            lines.append(f"{n}. *{s.stance.value}* · {shown}{outlet}{note}")
        blocks.append(section(f"*Sources ({len(detail.sources)})*\n" + "\n".join(lines)))
    else:
        blocks.append(section("*Sources:* none yet — add one with `/claim source`"))
    if detail.recent_changes:
        blocks.append(
            context("*Recent changes*\n" + "\n".join(entry_line(e) for e in detail.recent_changes))
        )
    if asked := asked_line(claim, detail.recent_requests):
        blocks.append(context(esc(asked, 300)))
    blocks.append(context(f"Added by {esc(claim.created_by.name, 60)} · revision {claim.version}"))
    if with_moderation:
        blocks.append(status_buttons(claim))
    if claim.assignee is None:
        blocks.append(take_buttons([claim.id], block_id=f"take_{claim.id}"))
    return blocks


def take_buttons(claim_ids: Sequence[int], *, block_id: str, label: str = TAKE_IT_LABEL) -> Block:
    """ "Take it" for each claim: anyone may take a claim nobody is on (the core decides)."""
    return {
        "type": "actions",
        "block_id": block_id,
        "elements": [
            {
                "type": "button",
                "action_id": f"{TAKE_ACTION}_{claim_id}",
                "text": {
                    "type": "plain_text",
                    "text": label if len(claim_ids) == 1 else f"Take #{claim_id}",
                },
                "value": str(claim_id),
            }
            for claim_id in claim_ids
        ],
    }


def page_value(query: str, status: str | None, tag: str | None, page: int) -> str:
    return json.dumps({"q": query, "s": status, "t": tag, "p": page}, separators=(",", ":"))


def search_blocks(reply: r.SearchReply) -> list[Block]:
    page = reply.page
    filters = esc(
        ", ".join(f"{k}: {v}" for k, v in (("status", reply.status), ("tag", reply.tag)) if v), 200
    )
    subject = f"“{esc(reply.query, 100)}”" if reply.query else "all claims"
    head = f"*Claims matching {subject}*" + (f" ({filters})" if filters else "")
    if not page.items:
        text = (
            f"No results on page {page.page}."
            if page.total
            else "No claim matches. Try fewer words, or `/claim add` it."
        )
        return [section(f"{head}\n{text}")]
    note = ranking_note(page)
    footer = f"{match_count(page)} · page {page.page} of {page.pages}"
    blocks = [
        section(head + "\n" + "\n".join(summary_line(i) for i in page.items)),
        context(f"{footer}\n{note}" if note else footer),
    ]
    buttons = []
    if page.has_previous:
        buttons.append(_page_button("◀ Previous", reply, page.page - 1, "prev"))
    if page.has_next:
        buttons.append(_page_button("Next ▶", reply, page.page + 1, "next"))
    if buttons:
        blocks.append({"type": "actions", "block_id": "paging", "elements": buttons})
    return blocks


def _page_button(label: str, reply: r.SearchReply, page: int, which: str) -> Block:
    return {
        "type": "button",
        "action_id": f"{PAGE_ACTION}_{which}",
        "text": {"type": "plain_text", "text": label},
        "value": page_value(reply.query, reply.status, reply.tag, page),
    }


def describe_subscription(subscription: Subscription) -> str:
    what = {
        "claim": f"claim #{subscription.target}",
        "tag": f"tag `{esc(subscription.target or '', 80)}`",
        "all": "every claim",
    }[subscription.scope]
    where = (
        "by DM"
        if subscription.delivery.value == "dm"
        else f"in {mention('#', subscription.channel_id or '')}"
    )
    when = (
        "" if subscription.cadence.value == "instant" else f", {subscription.cadence.value} digest"
    )
    return f"{what} {where}{when}"


Rendered = tuple[str, list[Block]]  # (fallback text, blocks)


@singledispatch
def reply_blocks(reply: r.Reply, *, who: str = "") -> Rendered:
    """(fallback text, blocks) for any neutral reply: one renderer per reply type, registered
    below. ``who`` names the member a public answer speaks of."""
    raise TypeError(f"No Slack renderer for {type(reply).__name__}")


@reply_blocks.register
def _search(reply: r.SearchReply, *, who: str = "") -> Rendered:
    return "Search results", search_blocks(reply)


@reply_blocks.register
def _claim(reply: r.ClaimReply, *, who: str = "") -> Rendered:
    blocks = claim_blocks(reply.detail, with_moderation=reply.viewer_is_moderator)
    return f"Claim #{reply.detail.claim.id}", blocks


@reply_blocks.register
def _added(reply: r.AddedReply, *, who: str = "") -> Rendered:
    claim = reply.claim
    text = f"{esc(who, 80)} added claim *#{claim.id}*: {esc(claim.text, 300)}"
    return f"Added claim #{claim.id}", [section(text)]


@reply_blocks.register
def _duplicate(reply: r.DuplicateReply, *, who: str = "") -> Rendered:
    return "Looks like a duplicate", [
        section("Not added."),
        *tiered_sections(reply.candidates, duplicate=True),
        context("If it is a different claim, repeat the command with `force:yes`."),
    ]


def tiered_sections(matches: Sequence[ClaimSummary], *, duplicate: bool = False) -> list[Block]:
    """Each tier of an answer as a section under its heading, confident first."""
    return [
        section(f"*{heading}:*\n" + "\n".join(summary_line(m) for m in items))
        for heading, items in tiers(matches, duplicate=duplicate)
    ]


@reply_blocks.register
def _source(reply: r.SourceReply, *, who: str = "") -> Rendered:
    source, claim_id = reply.source, reply.claim_id
    where = link(source.url, esc(source.outlet, 60)) if source.url else esc(source.title, 80)
    text = f"{esc(who, 80)} added a source to *#{claim_id}*: *{source.stance.value}* · {where}"
    return f"Source added to #{claim_id}", [section(text)]


@reply_blocks.register
def _status_changed(reply: r.StatusReply, *, who: str = "") -> Rendered:
    claim, entry = reply.detail.claim, reply.entry
    old = entry.old_status.value if entry.old_status else "?"
    return f"#{claim.id} is now {claim.status.value}", [
        section(
            f"{esc(entry.actor.name, 80)} marked *#{claim.id}* {badge(claim.status)} "
            f"(was {old}) — {esc(entry.detail, 500)}\n>{esc(claim.text, 500)}"
        ),
        # Any moderator in the channel can act on the claim from here.
        status_buttons(claim),
    ]


@reply_blocks.register
def _history(reply: r.HistoryReply, *, who: str = "") -> Rendered:
    lines = "\n".join(entry_line(e) for e in reply.entries)
    count = plural(len(reply.entries), "entry", "entries")
    return f"History of #{reply.claim_id}", [
        section(f"*History of #{reply.claim_id}* ({count})\n{lines}")
    ]


@reply_blocks.register
def _check(reply: r.CheckReply, *, who: str = "") -> Rendered:
    title = check_title(reply.matches)
    return title, [
        section(f"*{title}*"),
        *(
            section(
                (f"*{heading}*\n" if heading else "") + "\n".join(summary_line(m) for m in items)
            )
            for heading, items in check_sections(reply.matches)
        ),
        *verdict_buttons(reply),
        *send_to_desk_button(reply),
    ]


def send_to_desk_button(reply: r.CheckReply) -> list[Block]:
    if not reply.may_send_to_desk or reply.check_id is None:
        return []
    return [
        context("Nobody has checked this yet."),
        {
            "type": "actions",
            "block_id": f"desk_{reply.check_id}",
            "elements": [
                {
                    "type": "button",
                    "action_id": DESK_ACTION,
                    "text": {"type": "plain_text", "text": SEND_TO_DESK_LABEL},
                    "style": "primary",
                    "value": str(reply.check_id),
                }
            ],
        },
    ]


@reply_blocks.register
def _queue(reply: r.QueueReply, *, who: str = "") -> Rendered:
    return "The desk's queue", queue_blocks(reply)


def queue_value(page: QueuePage, number: int) -> str:
    query = page.query
    return json.dumps(
        {"v": query.view.value, "s": query.status.value, "t": query.tag, "p": number},
        separators=(",", ":"),
    )


def queue_blocks(reply: r.QueueReply) -> list[Block]:
    page = reply.page
    title = section(f"*{esc(queue_title(page), 300)}*")
    if not page.items:
        empty = f"No claims on page {page.query.page}." if page.total else queue_empty(page)
        return [title, section(esc(empty))]
    lines = "\n".join(esc(queue_line(item, reply.now), 400) for item in page.items)
    blocks = [title, section(lines), context(esc(queue_footer(page)))]
    free = [item.claim.id for item in page.items if item.assignee is None][:5]
    if free:
        blocks.append(take_buttons(free, block_id="queue_take"))
    paging = []
    if page.has_previous:
        paging.append(("◀ Previous", page.query.page - 1, "prev"))
    if page.has_next:
        paging.append(("Next ▶", page.query.page + 1, "next"))
    if paging:
        blocks.append(
            {
                "type": "actions",
                "block_id": "queue_pages",
                "elements": [
                    {
                        "type": "button",
                        "action_id": f"{QUEUE_PAGE_ACTION}_{which}",
                        "text": {"type": "plain_text", "text": label},
                        "value": queue_value(page, number),
                    }
                    for label, number, which in paging
                ],
            }
        )
    return blocks


@reply_blocks.register
def _requests(reply: r.RequestsReply, *, who: str = "") -> Rendered:
    page = reply.page
    title = requests_title(page)
    if not page.items:
        empty = requests_empty(page) if not page.total else "No more requests."
        return title, [section(f"*{esc(title)}*"), section(esc(empty))]
    lines = [request_line(_escaped(q), lambda channel: mention("#", channel)) for q in page.items]
    return title, [
        section(f"*{esc(title)}*"),
        section("\n".join(lines)),
        context(f"Page {page.page} of {page.pages}"),
    ]


def _escaped(request: Request) -> Request:
    """A request's words escaped for mrkdwn; its link made a link."""
    asked_by = request.asked_by.model_copy(update={"name": esc(request.asked_by.name, 80)})
    shown = link(request.link, "the message") if request.link else None
    return replace(request, asked_by=asked_by, link=shown)


@reply_blocks.register
def _assigned(reply: r.AssignedReply, *, who: str = "") -> Rendered:
    text = assignment_text(reply.done, reply.actor)
    return text, [section(esc(text))]


@reply_blocks.register
def _sent(reply: r.SentToDeskReply, *, who: str = "") -> Rendered:
    text = sent_text(reply.sent)
    return text, [section(esc(text)), *claim_blocks(reply.sent.detail, with_moderation=False)]


def verdict_buttons(reply: r.CheckReply) -> list[Block]:
    """ "Yes, #N" and "Not #N" for each match: the value carries the check, the claim and the
    verdict, so a press needs nothing else."""
    if reply.check_id is None or not reply.matches:
        return []
    buttons = []
    for verdict, label, style in (
        (Verdict.CONFIRMED, "Yes, #{}", "primary"),
        (Verdict.REJECTED, "Not #{}", None),
    ):
        for match in reply.matches[:5]:
            button: Block = {
                "type": "button",
                "action_id": f"{VERDICT_ACTION}_{verdict.value}_{match.id}",
                "text": {"type": "plain_text", "text": label.format(match.id)},
                "value": f"{reply.check_id}:{match.id}:{verdict.value}",
            }
            if style:
                button["style"] = style
            buttons.append(button)
    return [
        context("Is it one of these? Say so, and the desk learns which matches are right."),
        {"type": "actions", "block_id": f"verdicts_{reply.check_id}", "elements": buttons},
    ]


@reply_blocks.register
def _verdict(reply: r.VerdictReply, *, who: str = "") -> Rendered:
    text = verdict_text(reply.given)
    return text, [section(esc(text, 2900))]


@reply_blocks.register
def _moderators(reply: r.ModeratorsReply, *, who: str = "") -> Rendered:
    settings, changed = reply.settings, reply.changed
    groups = ", ".join(mention("!subteam^", g) for g in sorted(settings.role_ids)) or "none"
    users = ", ".join(mention("@", u) for u in sorted(settings.user_ids)) or "none"
    prefix = "" if changed is None else ("Done. " if changed else "Nothing to change. ")
    return "Moderators", [
        section(f"{prefix}*Moderator user groups:* {groups}\n*Moderator users:* {users}")
    ]


@reply_blocks.register
def _subscribed(reply: r.SubscribedReply, *, who: str = "") -> Rendered:
    verb = "You now follow" if reply.created else "You already follow"
    return "Subscribed", [section(f"{verb} {describe_subscription(reply.subscription)}.")]


@reply_blocks.register
def _unsubscribed(reply: r.UnsubscribedReply, *, who: str = "") -> Rendered:
    text = f"Unsubscribed ({plural(reply.removed, 'subscription')} removed)."
    return "Unsubscribed", [section(text)]


@reply_blocks.register
def _subscriptions(reply: r.SubscriptionsReply, *, who: str = "") -> Rendered:
    if not reply.subscriptions:
        return "No subscriptions", [
            section(
                "You follow nothing yet. Try `/subscribe claim <id>`, `/subscribe tag <tag>` or `/subscribe all`."
            )
        ]
    lines = "\n".join(f"• {describe_subscription(s)}" for s in reply.subscriptions)
    return "Your subscriptions", [section(f"*You follow:*\n{lines}")]


@reply_blocks.register
def _help(reply: r.HelpReply, *, who: str = "") -> Rendered:
    lines = "\n".join(f"`{u}`" for u in reply.usage)
    return "Claimdesk commands", [section(f"*Claimdesk commands*\n{lines}")]


@reply_blocks.register
def _desk_status(reply: r.DeskStatusReply, *, who: str = "") -> Rendered:
    status_lines = matching_status_lines(reply.status)
    return status_lines[0], [section("\n".join(esc(line) for line in status_lines))]


@reply_blocks.register
def _lookup(reply: r.LookupReply, *, who: str = "") -> Rendered:
    return "Published fact-checks", lookup_blocks(reply.result)


@reply_blocks.register
def _imported(reply: r.ImportedReviewReply, *, who: str = "") -> Rendered:
    text = describe_adopted(reply.adopted)
    return text, [section(esc(text))]


@reply_blocks.register(r.ClaimSuggestions)
@reply_blocks.register(r.TagSuggestions)
@reply_blocks.register(r.MayChangeReply)
@reply_blocks.register(r.NoticeChannelReply)
def _widget(reply: r.WidgetReply, *, who: str = "") -> Rendered:
    text = r.widget_text(reply)
    return text, [section(esc(text, 2900))]


def lookup_blocks(result: LookupResult) -> list[Block]:
    if not result.reviews:
        return [section(NO_LOOKUP_RESULTS)]
    lines = [
        f"{n}. {esc(describe_review(review), 400)} · {link(review.url, 'the review')}"
        for n, review in enumerate(result.reviews, 1)
    ]
    buttons = [
        {
            "type": "button",
            "action_id": f"{LOOKUP_IMPORT_ACTION}_{n}",
            "text": {"type": "plain_text", "text": f"Import {n}"},
            "value": str(n),
        }
        for n in range(1, len(result.reviews) + 1)
    ]
    return [
        section(f"*Published fact-checks for “{esc(result.query, 200)}”*\n" + "\n".join(lines)),
        context(LOOKUP_FOOTER),
        {"type": "actions", "block_id": "lookup_import", "elements": buttons},
    ]


def error_blocks(message: str) -> tuple[str, list[Block]]:
    # The fallback text is mrkdwn too (notifications, screen readers): escaped as well.
    return esc(message, 1000), [section(f":x: {esc(message, 1000)}")]


def notification_blocks(notification: Notification) -> tuple[str, list[Block]]:
    lines = "\n".join(f"• {esc(describe_event(e), 400)}" for e in notification.events)
    heading = notification_heading(notification)
    return heading, [
        section(f"*{heading}*\n{lines}"),
        context("Manage with `/subscriptions` and `/unsubscribe`"),
    ]


def reason_modal(claim_id: int, version: int, status: Status, channel_id: str) -> Block:
    return {
        "type": "modal",
        "callback_id": REASON_VIEW,
        "private_metadata": json.dumps(
            {"claim": claim_id, "version": version, "status": status.value, "channel": channel_id}
        ),
        "title": {"type": "plain_text", "text": f"{VERBS[status]} #{claim_id}"[:24]},
        "submit": {"type": "plain_text", "text": VERBS[status]},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": "reason",
                "label": {"type": "plain_text", "text": "Reason (kept in the permanent history)"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "reason",
                    "multiline": True,
                    "min_length": 3,
                    "max_length": 500,
                },
            }
        ],
    }
