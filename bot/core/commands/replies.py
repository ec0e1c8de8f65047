"""Neutral replies: what a command produced, before any platform decides how it looks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.desk import QueuePage, RequestsPage
from bot.core.desk_service import Assignment, SentToDesk
from bot.core.lookup import Adopted, LookupResult
from bot.core.models import (
    Claim,
    ClaimDetail,
    ClaimSummary,
    HistoryEntry,
    MatchingStatus,
    MatchTier,
    ModeratorSettings,
    Person,
    SearchPage,
    Source,
    VerdictGiven,
)
from bot.core.notifications.models import Subscription


@dataclass(frozen=True)
class SearchReply:
    query: str
    status: str | None
    tag: str | None
    page: SearchPage


@dataclass(frozen=True)
class ClaimReply:
    detail: ClaimDetail
    viewer_is_moderator: bool


@dataclass(frozen=True)
class AddedReply:
    detail: ClaimDetail  # the new claim's card: no adapter asks again

    @property
    def claim(self) -> Claim:
        return self.detail.claim


@dataclass(frozen=True)
class DuplicateReply:
    """The claim was not added: these look like it. A refusal, though an answer too."""

    text: str
    candidates: tuple[ClaimSummary, ...]


def refused(reply: object) -> bool:
    """Whether the reply means the command did not do what it was asked (a script's exit code
    says so): a near-duplicate add stored nothing."""
    return isinstance(reply, DuplicateReply)


@dataclass(frozen=True)
class SourceReply:
    detail: ClaimDetail  # the claim's card with the source on it: no adapter asks again
    source: Source

    @property
    def claim_id(self) -> int:
        return self.detail.claim.id


@dataclass(frozen=True)
class StatusReply:
    detail: ClaimDetail  # the claim's card as the change left it: no adapter asks again
    entry: HistoryEntry

    @property
    def claim(self) -> Claim:
        return self.detail.claim


@dataclass(frozen=True)
class HistoryReply:
    claim_id: int
    entries: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class CheckReply:
    text: str
    matches: tuple[ClaimSummary, ...]
    # Under which members confirm or reject its matches (None: not kept, nothing to answer).
    check_id: int | None = None

    @property
    def may_send_to_desk(self) -> bool:
        """Nothing stored is this message for sure: it may go to the desk as a new claim."""
        return self.check_id is not None and not any(
            m.match and m.match.tier is MatchTier.CONFIDENT for m in self.matches
        )


@dataclass(frozen=True)
class QueueReply:
    page: QueuePage
    now: datetime  # ages are said from it


@dataclass(frozen=True)
class RequestsReply:
    page: RequestsPage


@dataclass(frozen=True)
class AssignedReply:
    done: Assignment
    actor: Person  # who assigned: "you are on #12 now"


@dataclass(frozen=True)
class SentToDeskReply:
    sent: SentToDesk


@dataclass(frozen=True)
class VerdictReply:
    given: VerdictGiven


@dataclass(frozen=True)
class ModeratorsReply:
    settings: ModeratorSettings
    changed: bool | None = None
    action: str = "list"


@dataclass(frozen=True)
class SubscribedReply:
    subscription: Subscription
    created: bool


@dataclass(frozen=True)
class UnsubscribedReply:
    removed: int


@dataclass(frozen=True)
class SubscriptionsReply:
    subscriptions: tuple[Subscription, ...]


@dataclass(frozen=True)
class DeskStatusReply:
    status: MatchingStatus


@dataclass(frozen=True)
class LookupReply:
    result: LookupResult


@dataclass(frozen=True)
class ImportedReviewReply:
    adopted: Adopted


@dataclass(frozen=True)
class HelpReply:
    usage: tuple[str, ...]


@dataclass(frozen=True)
class ClaimSuggestions:
    claims: tuple[ClaimSummary, ...]


@dataclass(frozen=True)
class TagSuggestions:
    tags: tuple[str, ...]


@dataclass(frozen=True)
class MayChangeReply:
    """The actor may change the claim: the reason form may open."""

    claim: Claim


@dataclass(frozen=True)
class NoticeChannelReply:
    channel_id: str | None


Reply = (
    SearchReply
    | ClaimReply
    | AddedReply
    | DuplicateReply
    | SourceReply
    | StatusReply
    | HistoryReply
    | CheckReply
    | QueueReply
    | RequestsReply
    | AssignedReply
    | SentToDeskReply
    | VerdictReply
    | ModeratorsReply
    | HelpReply
    | DeskStatusReply
    | SubscribedReply
    | UnsubscribedReply
    | SubscriptionsReply
    | LookupReply
    | ImportedReviewReply
    | ClaimSuggestions
    | TagSuggestions
    | MayChangeReply
    | NoticeChannelReply
)


WidgetReply = ClaimSuggestions | TagSuggestions | MayChangeReply | NoticeChannelReply


def widget_text(reply: WidgetReply) -> str:
    """The plain words of a reply that a front end's widget asked for (an autocomplete box, a
    button before its form, a setting's picker), where one is shown as text."""
    match reply:
        case ClaimSuggestions(claims):
            return "\n".join(f"#{c.id} {c.text}" for c in claims) or "No claim to suggest."
        case TagSuggestions(tags):
            return ", ".join(tags) or "No tag to suggest."
        case MayChangeReply(claim):
            return f"You may change #{claim.id} (revision {claim.version})."
        case NoticeChannelReply(channel_id):
            if channel_id is None:
                return "Claimdesk will post no delivery notices."
            return f"Claimdesk will post delivery notices in channel {channel_id}."
