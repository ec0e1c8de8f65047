"""Render neutral replies as terminal text (rich markup; plain when not on a terminal)."""

from __future__ import annotations

from functools import singledispatch

from rich.markup import escape

from bot.core.commands import replies as r
from bot.core.desk_words import (
    add_line,
    asked_line,
    assignment_text,
    queue_empty,
    queue_footer,
    queue_line,
    queue_title,
    request_line,
    requests_empty,
    requests_title,
    send_hint,
    sent_text,
)
from bot.core.errors import ClaimdeskError
from bot.core.models import ClaimSummary, HistoryEntry, Source, Status
from bot.core.notifications.models import Notification
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
    verdict_hint,
    verdict_text,
    when,
)

_STYLE = {Status.VERIFIED: "green", Status.DISPUTED: "red", Status.UNVERIFIED: "yellow"}


def _status(status: Status) -> str:
    return f"[{_STYLE[status]}]{badge(status)}[/]"


def _summary_line(item: ClaimSummary) -> str:
    who = f" — {escape(item.claimant)}" if item.claimant else ""
    why = match_note(item)
    return (
        f"  [bold]#{item.id}[/] {STATUS_BADGE[item.status]} [{_STYLE[item.status]}]"
        f"{item.status.value:<10}[/] {escape(shorten(item.text, 90))}{who} · "
        f"{plural(item.source_count, 'source')}" + (f"\n      [dim]{escape(why)}[/]" if why else "")
    )


def _entry_line(entry: HistoryEntry) -> str:
    return (
        f"  {when(entry.at)}  {escape(describe_entry(entry))}  "
        f"[dim]by {escape(entry.actor.name)}[/]"
    )


@singledispatch
def render(reply: r.Reply) -> str:
    """Terminal text for any neutral reply: one renderer per reply type, registered below."""
    raise TypeError(f"No console renderer for {type(reply).__name__}")


@render.register
def _search(reply: r.SearchReply) -> str:
    page = reply.page
    filters = "".join(
        f", {k}: {escape(v)}" for k, v in (("status", reply.status), ("tag", reply.tag)) if v
    )
    subject = f'"{escape(reply.query)}"' if reply.query else "all claims"
    if not page.items:
        if page.total:
            return f"No results on page {page.page}; there are {page.pages} pages."
        return f"No claims match {subject}{filters}. Try fewer words, or /claim add it."
    head = f"{match_count(page)} for {subject}{filters} — page {page.page} of {page.pages}"
    lines = [head, *(_summary_line(i) for i in page.items)]
    if note := ranking_note(page):
        lines.append(f"  [dim]{escape(note)}[/]")
    if page.has_next:
        lines.append(f"  [dim]more: add page:{page.page + 1}[/]")
    return "\n".join(lines)


def _source_lines(n: int, source: Source) -> list[str]:
    # The headline where there is one (an imported review's), then its link.
    named = source.title or source.url or ""
    link = f" · {source.url}" if source.title and source.url else ""
    lines = [
        f"  {n}. {escape(f'[{source.stance.value}]')} {escape(named)} — "
        f"{escape(source.outlet)}{escape(link)}"
    ]
    if source.note:
        lines.append(f"     {escape(shorten(source.note, 200))}")
    return lines


@render.register
def _claim(reply: r.ClaimReply) -> str:
    detail = reply.detail
    c = detail.claim
    lines = [
        f"[bold]#{c.id}[/] {_status(c.status)}  [dim](revision {c.version})[/]",
        f"{escape(c.text)}",
        f"Claimant: {escape(c.claimant or 'unknown')}"
        + (f" · claimed {c.claimed_on}" if c.claimed_on else "")
        + f" · added {when(c.created_at)} by {escape(c.created_by.name)}",
    ]
    if c.tags:
        lines.append("Tags: " + ", ".join(c.tags))
    lines.append(f"Sources ({len(detail.sources)}):" if detail.sources else "No sources yet.")
    for n, source in enumerate(detail.sources, 1):
        lines += _source_lines(n, source)
    if detail.recent_changes:
        lines.append("Recent changes:")
        lines += [_entry_line(e) for e in detail.recent_changes]
    if asked := asked_line(c, detail.recent_requests):
        lines.append(escape(asked) + f" [dim](/claim requests {c.id})[/]")
    if reply.viewer_is_moderator:
        lines.append(
            f"[dim]Moderate: /claim verify|dispute|unverify {c.id} <reason> version:{c.version}[/]"
        )
    return "\n".join(lines)


@render.register
def _added(reply: r.AddedReply) -> str:
    claim = reply.claim
    return f"Added claim [bold]#{claim.id}[/] ({claim.status.value}): {escape(shorten(claim.text, 90))}"


@render.register
def _duplicate(reply: r.DuplicateReply) -> str:
    lines = ["Not added."]
    for heading, items in tiers(reply.candidates, duplicate=True):
        lines += [f"{heading}:", *(_summary_line(c) for c in items)]
    lines.append("[dim]If it is a different claim, repeat the command with force:yes.[/]")
    return "\n".join(lines)


@render.register
def _source(reply: r.SourceReply) -> str:
    source = reply.source
    return (
        f"Added a source to #{reply.claim_id}: {escape(f'[{source.stance.value}]')} "
        f"{escape(source.url or source.title)} — {escape(source.outlet)}"
    )


@render.register
def _status_changed(reply: r.StatusReply) -> str:
    claim, entry = reply.detail.claim, reply.entry
    return (
        f"#{claim.id} is now {_status(claim.status)} "
        f"(was {entry.old_status.value if entry.old_status else '?'}). "
        f"Reason: {escape(entry.detail)}"
    )


@render.register
def _history(reply: r.HistoryReply) -> str:
    head = f"History of #{reply.claim_id} ({plural(len(reply.entries), 'entry', 'entries')}):"
    return "\n".join([head] + [_entry_line(e) for e in reply.entries])


@render.register
def _check(reply: r.CheckReply) -> str:
    lines = [f"[bold]{escape(check_title(reply.matches))}[/]"]
    for heading, items in check_sections(reply.matches):
        lines += [f"[bold]{heading}[/]"] if heading else []
        lines += [_summary_line(m) for m in items]
    if reply.check_id is not None and reply.matches:
        lines.append(f"[dim]{escape(verdict_hint(reply.check_id))}[/]")
    if reply.may_send_to_desk and reply.check_id is not None:
        lines.append(escape(send_hint(reply.check_id)))
        lines.append(f"[dim]or add it in your words: {escape(add_line(reply.text))}[/]")
    return "\n".join(lines)


@render.register
def _queue(reply: r.QueueReply) -> str:
    page = reply.page
    if not page.items:
        if page.total:
            return f"No claims on page {page.query.page}; there are {page.pages} pages."
        return escape(queue_empty(page))
    lines = [f"[bold]{escape(queue_title(page))}[/]"]
    lines += [f"  {escape(queue_line(item, reply.now))}" for item in page.items]
    lines.append(f"[dim]{escape(queue_footer(page))}[/]")
    if page.has_next:
        lines.append(f"  [dim]more: add page:{page.query.page + 1}[/]")
    return "\n".join(lines)


@render.register
def _requests(reply: r.RequestsReply) -> str:
    page = reply.page
    if not page.items:
        return escape(
            requests_empty(page) if not page.total else f"No requests on page {page.page}."
        )
    lines = [f"[bold]{escape(requests_title(page))}[/]"]
    lines += [f"  {escape(request_line(q, lambda c: '#' + c))}" for q in page.items]
    if page.page < page.pages:
        lines.append(f"  [dim]more: add page:{page.page + 1}[/]")
    return "\n".join(lines)


@render.register
def _assigned(reply: r.AssignedReply) -> str:
    return escape(assignment_text(reply.done, reply.actor))


@render.register
def _sent(reply: r.SentToDeskReply) -> str:
    return escape(sent_text(reply.sent))


@render.register
def _verdict(reply: r.VerdictReply) -> str:
    return escape(verdict_text(reply.given))


@render.register
def _moderators(reply: r.ModeratorsReply) -> str:
    roles = ", ".join(sorted(reply.settings.role_ids)) or "none"
    users = ", ".join(sorted(reply.settings.user_ids)) or "none"
    prefix = ""
    if reply.changed is not None:
        prefix = ("Done. " if reply.changed else "Nothing to change. ") + "\n"
    return f"{prefix}Moderator roles: {escape(roles)}\nModerator users: {escape(users)}"


@render.register
def _subscribed(reply: r.SubscribedReply) -> str:
    verb = "You now follow" if reply.created else "You already follow"
    return f"{verb} {escape(reply.subscription.describe())}."


@render.register
def _unsubscribed(reply: r.UnsubscribedReply) -> str:
    return f"Unsubscribed ({plural(reply.removed, 'subscription')} removed)."


@render.register
def _subscriptions(reply: r.SubscriptionsReply) -> str:
    if not reply.subscriptions:
        return "You follow nothing yet. Try /subscribe claim <id>, /subscribe tag <tag> or /subscribe all."
    return "You follow:\n" + "\n".join(f"  • {escape(s.describe())}" for s in reply.subscriptions)


@render.register
def _help(reply: r.HelpReply) -> str:
    return "Commands:\n" + "\n".join(f"  {escape(u)}" for u in reply.usage)


@render.register
def _desk_status(reply: r.DeskStatusReply) -> str:
    return "\n".join(escape(line) for line in matching_status_lines(reply.status))


@render.register
def _lookup(reply: r.LookupReply) -> str:
    result = reply.result
    if not result.reviews:
        return NO_LOOKUP_RESULTS
    lines = [f'Published fact-checks for "{escape(result.query)}":']
    for n, review in enumerate(result.reviews, 1):
        lines.append(f"  {n}. {escape(describe_review(review))}")
        lines.append(f"     [dim]{escape(review.url)}[/]")
    lines.append(LOOKUP_FOOTER)
    return "\n".join(lines)


@render.register
def _imported(reply: r.ImportedReviewReply) -> str:
    return escape(describe_adopted(reply.adopted))


@render.register(r.ClaimSuggestions)
@render.register(r.TagSuggestions)
@render.register(r.MayChangeReply)
@render.register(r.NoticeChannelReply)
def _widget(reply: r.WidgetReply) -> str:
    return escape(r.widget_text(reply))


def render_error(error: ClaimdeskError) -> str:
    return f"[red]✖[/] {escape(str(error))}"


def render_notification(notification: Notification) -> str:
    lines = [f"[bold]📬 {escape(notification_heading(notification))}[/]"]
    lines += [f"  {escape(describe_event(e))}" for e in notification.events]
    return "\n".join(lines)
