"""Render neutral replies as terminal text (rich markup; plain when not on a terminal)."""

from __future__ import annotations

from rich.markup import escape

from bot.core.commands import replies as r
from bot.core.errors import ClaimdeskError
from bot.core.models import ClaimSummary, HistoryEntry, Status
from bot.core.notifications.models import Notification
from bot.core.presentation import (
    LOOKUP_FOOTER,
    NO_LOOKUP_RESULTS,
    STATUS_BADGE,
    badge,
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


def render(reply: r.Reply) -> str:
    match reply:
        case r.SearchReply(query, status, tag, page):
            filters = "".join(
                f", {k}: {escape(v)}" for k, v in (("status", status), ("tag", tag)) if v
            )
            subject = f'"{escape(query)}"' if query else "all claims"
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
        case r.ClaimReply(detail, viewer_is_moderator):
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
            lines.append(
                f"Sources ({len(detail.sources)}):" if detail.sources else "No sources yet."
            )
            for n, s in enumerate(detail.sources, 1):
                # The headline where there is one (an imported review's), then its link.
                named = s.title or s.url or ""
                link = f" · {s.url}" if s.title and s.url else ""
                lines.append(
                    f"  {n}. {escape(f'[{s.stance.value}]')} {escape(named)} — "
                    f"{escape(s.outlet)}{escape(link)}"
                )
                if s.note:
                    lines.append(f"     {escape(shorten(s.note, 200))}")
            if detail.recent_changes:
                lines.append("Recent changes:")
                lines += [_entry_line(e) for e in detail.recent_changes]
            if viewer_is_moderator:
                lines.append(
                    f"[dim]Moderate: /claim verify|dispute|unverify {c.id} <reason> "
                    f"version:{c.version}[/]"
                )
            return "\n".join(lines)
        case r.AddedReply(claim):
            return f"Added claim [bold]#{claim.id}[/] ({claim.status.value}): {escape(shorten(claim.text, 90))}"
        case r.DuplicateReply(_, candidates):
            first = candidates[0]
            lines = [
                f"Not added: this looks like [bold]#{first.id}[/] "
                f"({first.status.value}): {escape(shorten(first.text, 90))}"
            ]
            lines += [_summary_line(c) for c in candidates[1:]]
            lines.append("[dim]If it is a different claim, repeat the command with force:yes.[/]")
            return "\n".join(lines)
        case r.SourceReply(claim_id, source):
            return (
                f"Added a source to #{claim_id}: {escape(f'[{source.stance.value}]')} "
                f"{escape(source.url or source.title)} — {escape(source.outlet)}"
            )
        case r.StatusReply(detail, entry):
            claim = detail.claim
            return (
                f"#{claim.id} is now {_status(claim.status)} "
                f"(was {entry.old_status.value if entry.old_status else '?'}). "
                f"Reason: {escape(entry.detail)}"
            )
        case r.HistoryReply(claim_id, entries):
            return (
                "\n".join(
                    [f"History of #{claim_id} ({plural(len(entries), 'entry', 'entries')}):"]
                    + [_entry_line(e) for e in entries]
                )
                .replace("1 entrys", "1 entry")
                .replace("entrys", "entries")
            )
        case r.CheckReply(_, matches):
            if not matches:
                return "No stored claim resembles that text."
            return "\n".join(
                ["Stored claims resembling that text:"] + [_summary_line(m) for m in matches]
            )
        case r.ModeratorsReply(settings, changed):
            roles = ", ".join(sorted(settings.role_ids)) or "none"
            users = ", ".join(sorted(settings.user_ids)) or "none"
            prefix = ""
            if changed is not None:
                prefix = ("Done. " if changed else "Nothing to change. ") + "\n"
            return f"{prefix}Moderator roles: {escape(roles)}\nModerator users: {escape(users)}"
        case r.SubscribedReply(subscription, created):
            verb = "You now follow" if created else "You already follow"
            return f"{verb} {escape(subscription.describe())}."
        case r.UnsubscribedReply(removed):
            return f"Unsubscribed ({plural(removed, 'subscription')} removed)."
        case r.SubscriptionsReply(subscriptions):
            if not subscriptions:
                return "You follow nothing yet. Try /subscribe claim <id>, /subscribe tag <tag> or /subscribe all."
            return "You follow:\n" + "\n".join(f"  • {escape(s.describe())}" for s in subscriptions)
        case r.HelpReply(usage):
            return "Commands:\n" + "\n".join(f"  {escape(u)}" for u in usage)
        case r.DeskStatusReply(status):
            return "\n".join(escape(line) for line in matching_status_lines(status))
        case r.LookupReply(result):
            if not result.reviews:
                return NO_LOOKUP_RESULTS
            lines = [f'Published fact-checks for "{escape(result.query)}":']
            for n, review in enumerate(result.reviews, 1):
                lines.append(f"  {n}. {escape(describe_review(review))}")
                lines.append(f"     [dim]{escape(review.url)}[/]")
            lines.append(LOOKUP_FOOTER)
            return "\n".join(lines)
        case r.ImportedReviewReply(adopted):
            return escape(describe_adopted(adopted))
        case (
            r.ClaimSuggestions() | r.TagSuggestions() | r.MayChangeReply() | r.NoticeChannelReply()
        ):
            return escape(r.widget_text(reply))


def render_error(error: ClaimdeskError) -> str:
    return f"[red]✖[/] {escape(str(error))}"


def render_notification(notification: Notification) -> str:
    lines = [f"[bold]📬 {escape(notification_heading(notification))}[/]"]
    lines += [f"  {escape(describe_event(e))}" for e in notification.events]
    return "\n".join(lines)
