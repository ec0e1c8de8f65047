"""Run a parsed text command against the service. Only translation: the rules live in the service.

One small handler per command, chosen by the command's type (``singledispatchmethod``): a new
command is one new handler, and tests/test_architecture.py fails if it has none."""

from __future__ import annotations

from functools import singledispatchmethod
from typing import TypeVar

from bot.core.commands import grammar as g
from bot.core.commands import replies as r
from bot.core.foreground import Foreground
from bot.core.models import Actor, ClaimAdded, Person
from bot.core.service import ClaimService

ReplyT = TypeVar("ReplyT", bound=r.Reply)


class CommandRunner:
    """The one application path of every front end: a command in, a neutral reply out."""

    def __init__(self, service: ClaimService, foreground: Foreground | None = None) -> None:
        self._service = service
        # Shared with the dispatcher, which holds deliveries back while a command runs.
        self.foreground = foreground or Foreground()

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
        with self.foreground.command():
            return await self._handle(command, actor)

    @singledispatchmethod
    async def _handle(self, command: g.Command, actor: Actor) -> r.Reply:
        raise TypeError(f"No handler for {type(command).__name__}")

    @_handle.register
    async def _search(self, command: g.Search, actor: Actor) -> r.Reply:
        result = await self._service.search(
            actor, command.text, status=command.status, tag=command.tag, page=command.page
        )
        return r.SearchReply(
            query=command.text, status=command.status, tag=command.tag, page=result
        )

    @_handle.register
    async def _show(self, command: g.Show, actor: Actor) -> r.Reply:
        detail = await self._service.show(actor, command.claim_id)
        return r.ClaimReply(detail, viewer_is_moderator=await self._service.is_moderator(actor))

    @_handle.register
    async def _add(self, command: g.Add, actor: Actor) -> r.Reply:
        outcome = await self._service.add_claim(
            actor,
            command.text,
            claimant=command.claimant,
            claimed_on=command.date,
            tags=command.tags,
            source_url=command.source,
            source_stance=command.stance,
            force=command.force,
        )
        if isinstance(outcome, ClaimAdded):
            return r.AddedReply(outcome.detail)
        return r.DuplicateReply(text=command.text, candidates=outcome.candidates)

    @_handle.register
    async def _add_source(self, command: g.AddSource, actor: Actor) -> r.Reply:
        added = await self._service.add_source(
            actor, command.claim_id, command.url, stance=command.stance, note=command.note
        )
        return r.SourceReply(detail=added.detail, source=added.source)

    @_handle.register
    async def _change_status(self, command: g.ChangeStatus, actor: Actor) -> r.Reply:
        detail, entry = await self._service.change_status(
            actor,
            command.claim_id,
            command.status,
            command.reason,
            expected_version=command.version,
        )
        return r.StatusReply(detail=detail, entry=entry)

    @_handle.register
    async def _history(self, command: g.History, actor: Actor) -> r.Reply:
        entries = await self._service.history(actor, command.claim_id)
        return r.HistoryReply(claim_id=entries[0].claim_id, entries=tuple(entries))

    @_handle.register
    async def _check(self, command: g.Check, actor: Actor) -> r.Reply:
        outcome = await self._service.check_message(
            actor,
            command.text,
            link=command.link,
            channel=command.channel,
            as_request=command.by_a_member,
        )
        return r.CheckReply(text=command.text, matches=outcome.matches, check_id=outcome.check_id)

    @_handle.register
    async def _queue(self, command: g.Queue, actor: Actor) -> r.Reply:
        page = await self._service.queue(
            actor, command.view, tag=command.tag, status=command.status, page=command.page
        )
        return r.QueueReply(page, now=self._service.now())

    @_handle.register
    async def _requests(self, command: g.Requests, actor: Actor) -> r.Reply:
        return r.RequestsReply(
            await self._service.requests(actor, command.claim_id, page=command.page)
        )

    @_handle.register
    async def _assign(self, command: g.Assign, actor: Actor) -> r.Reply:
        to = (
            Person(user_id=command.to_id, name=command.to_name or command.to_id)
            if command.to_id
            else None
        )
        done = await self._service.assign(actor, command.claim_id, to)
        return r.AssignedReply(done, actor.person())

    @_handle.register
    async def _unassign(self, command: g.Unassign, actor: Actor) -> r.Reply:
        done = await self._service.unassign(actor, command.claim_id)
        return r.AssignedReply(done, actor.person())

    @_handle.register
    async def _send_to_desk(self, command: g.SendToDesk, actor: Actor) -> r.Reply:
        return r.SentToDeskReply(await self._service.send_to_desk(actor, command.check_id))

    @_handle.register
    async def _verdict(self, command: g.GiveVerdict, actor: Actor) -> r.Reply:
        given = await self._service.give_verdict(
            actor, command.check_id, command.claim_id, command.verdict
        )
        return r.VerdictReply(given)

    @_handle.register
    async def _moderators(self, command: g.Moderators, actor: Actor) -> r.Reply:
        changed = None
        if command.action in ("add", "remove"):
            changed = await self._service.set_moderator(
                actor,
                "role" if command.kind == "role" else "user",
                command.ref,
                present=command.action == "add",
            )
        settings = await self._service.moderators(actor)
        return r.ModeratorsReply(settings, changed, command.action)

    @_handle.register
    async def _subscribe(self, command: g.Subscribe, actor: Actor) -> r.Reply:
        subscription, created = await self._service.subscribe(
            actor,
            command.scope,
            command.target,
            delivery=command.delivery,
            channel_id=command.channel,
            cadence=command.digest,
        )
        return r.SubscribedReply(subscription, created)

    @_handle.register
    async def _unsubscribe(self, command: g.Unsubscribe, actor: Actor) -> r.Reply:
        removed = await self._service.unsubscribe(actor, command.scope, command.target)
        return r.UnsubscribedReply(removed)

    @_handle.register
    async def _list_subscriptions(self, command: g.ListSubscriptions, actor: Actor) -> r.Reply:
        return r.SubscriptionsReply(tuple(await self._service.subscriptions(actor)))

    @_handle.register
    async def _lookup(self, command: g.Lookup, actor: Actor) -> r.Reply:
        return r.LookupReply(await self._service.lookup(actor, command.text))

    @_handle.register
    async def _import_looked_up(self, command: g.ImportLookedUp, actor: Actor) -> r.Reply:
        return r.ImportedReviewReply(await self._service.import_looked_up(actor, command.number))

    @_handle.register
    async def _show_status(self, command: g.ShowStatus, actor: Actor) -> r.Reply:
        return r.DeskStatusReply(await self._service.matching_status())

    @_handle.register
    async def _help(self, command: g.Help, actor: Actor) -> r.Reply:
        return r.HelpReply(tuple(g.USAGE.values()))

    @_handle.register
    async def _suggest_claims(self, command: g.SuggestClaims, actor: Actor) -> r.Reply:
        suggestions = await self._service.claim_suggestions(
            actor, command.text, limit=command.limit
        )
        return r.ClaimSuggestions(tuple(suggestions))

    @_handle.register
    async def _suggest_tags(self, command: g.SuggestTags, actor: Actor) -> r.Reply:
        tags = await self._service.tag_suggestions(actor, command.prefix, limit=command.limit)
        return r.TagSuggestions(tuple(tags))

    @_handle.register
    async def _may_change(self, command: g.MayChange, actor: Actor) -> r.Reply:
        claim = await self._service.ensure_can_change(
            actor, command.claim_id, expected_version=command.version
        )
        return r.MayChangeReply(claim)

    @_handle.register
    async def _set_notice_channel(self, command: g.SetNoticeChannel, actor: Actor) -> r.Reply:
        return r.NoticeChannelReply(
            await self._service.set_notice_channel(actor, command.channel_id)
        )
