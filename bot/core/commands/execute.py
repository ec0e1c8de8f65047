"""Run a parsed text command against the service. Only translation: the rules live in the service."""

from __future__ import annotations

from typing import TypeVar

from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.models import Actor, ClaimAdded
from bot.core.service import ClaimService

ReplyT = TypeVar("ReplyT", bound=r.Reply)


class CommandRunner:
    """The one application path of every front end: a command in, a neutral reply out."""

    def __init__(self, service: ClaimService) -> None:
        self._service = service

    async def run_line(self, actor: Actor, line: str) -> r.Reply:
        return await self.run(actor, g.parse(line))

    async def ask(self, actor: Actor, command: g.Command, expected: type[ReplyT]) -> ReplyT:
        """Run ``command`` where the caller knows which reply it gives (a slash command or a
        button bound to one command), typed as that reply."""
        reply = await self.run(actor, command)
        if not isinstance(reply, expected):
            raise TypeError(f"{type(command).__name__} gave {type(reply).__name__}")
        return reply

    async def run(self, actor: Actor, command: g.Command) -> r.Reply:
        s = self._service
        match command:
            case g.Search(text, status, tag, page):
                result = await s.search(actor, text, status=status, tag=tag, page=page)
                return r.SearchReply(query=text, status=status, tag=tag, page=result)
            case g.Show(claim_id):
                detail = await s.show(actor, claim_id)
                return r.ClaimReply(detail, viewer_is_moderator=await s.is_moderator(actor))
            case g.Add(text, claimant, tags, source, stance, date, force):
                outcome = await s.add_claim(
                    actor,
                    text,
                    claimant=claimant,
                    claimed_on=date,
                    tags=tags,
                    source_url=source,
                    source_stance=stance,
                    force=force,
                )
                if isinstance(outcome, ClaimAdded):
                    return r.AddedReply(outcome.claim)
                return r.DuplicateReply(text=text, candidates=outcome.candidates)
            case g.AddSource(claim_id, url, stance, note):
                added = await s.add_source(actor, claim_id, url, stance=stance, note=note)
                return r.SourceReply(claim_id=int(claim_id.lstrip("#")), source=added)
            case g.ChangeStatus(claim_id, status, reason, version):
                detail, entry = await s.change_status(
                    actor, claim_id, status, reason, expected_version=version
                )
                return r.StatusReply(detail=detail, entry=entry)
            case g.History(claim_id):
                entries = await s.history(actor, claim_id)
                return r.HistoryReply(claim_id=entries[0].claim_id, entries=tuple(entries))
            case g.Check(text):
                return r.CheckReply(text=text, matches=tuple(await s.check_text(actor, text)))
            case g.Moderators(action, kind, ref):
                changed = None
                if action in ("add", "remove"):
                    changed = await s.set_moderator(
                        actor,
                        "role" if kind == "role" else "user",
                        ref,
                        present=action == "add",
                    )
                return r.ModeratorsReply(await s.moderators(actor), changed, action)
            case g.Subscribe(scope, target, delivery, channel, digest):
                subscription, created = await s.subscribe(
                    actor, scope, target, delivery=delivery, channel_id=channel, cadence=digest
                )
                return r.SubscribedReply(subscription, created)
            case g.Unsubscribe(scope, target):
                return r.UnsubscribedReply(await s.unsubscribe(actor, scope, target))
            case g.ListSubscriptions():
                return r.SubscriptionsReply(tuple(await s.subscriptions(actor)))
            case g.Lookup(text):
                return r.LookupReply(await s.lookup(actor, text))
            case g.ImportLookedUp(number):
                return r.ImportedReviewReply(await s.import_looked_up(actor, number))
            case g.ShowStatus():
                return r.DeskStatusReply(await s.matching_status())
            case g.Help():
                return r.HelpReply(tuple(g.USAGE.values()))
            case g.SuggestClaims(text, limit):
                return r.ClaimSuggestions(
                    tuple(await s.claim_suggestions(actor, text, limit=limit))
                )
            case g.SuggestTags(prefix, limit):
                return r.TagSuggestions(tuple(await s.tag_suggestions(actor, prefix, limit=limit)))
            case g.MayChange(claim_id, version):
                claim = await s.ensure_can_change(actor, claim_id, expected_version=version)
                return r.MayChangeReply(claim)
            case g.SetNoticeChannel(channel_id):
                return r.NoticeChannelReply(await s.set_notice_channel(actor, channel_id))
