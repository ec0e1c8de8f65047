"""Domain types shared by the store, the service and every adapter."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Status(StrEnum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    DISPUTED = "disputed"


class Stance(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    CONTEXT = "context"


class HistoryKind(StrEnum):
    CREATED = "created"
    SOURCE_ADDED = "source_added"
    STATUS_CHANGED = "status_changed"
    # A member said of a check's match "yes, this one" (the message is an appearance of the
    # claim) or "not this one".
    MATCH_CONFIRMED = "match_confirmed"
    MATCH_REJECTED = "match_rejected"
    # Who is on the claim (the desk's queue): recorded, told to the assignee.
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"


class Verdict(StrEnum):
    """A member's word on a match a check showed."""

    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class MatchTier(StrEnum):
    """How sure an answer to "has this been checked?" is of a match."""

    CONFIDENT = "confident"  # this has been checked: the message repeats the claim
    POSSIBLE = "possible"  # related, maybe the same claim: a person should look


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Actor(_Frozen):
    """Who is asking, as the adapter saw them. The core decides what they may do.

    ``workspace`` is the adapter's namespaced id ("discord:<guild>", "slack:<team>",
    "console:<name>"); everything an actor touches is looked up inside it.
    """

    workspace: str
    user_id: str
    display_name: str
    role_ids: frozenset[str] = frozenset()
    # Set by the adapter from the platform's own notion of an owner/administrator.
    is_workspace_admin: bool = False
    # Discord "Manage Server" / Slack admin: may change the workspace's moderator list.
    can_manage_workspace: bool = False
    # Discord "Manage Channels": may point subscriptions at a channel.
    can_manage_channels: bool = False
    # The seed importer and other trusted in-process jobs.
    is_system: bool = False

    def person(self) -> Person:
        """Who this actor is, as a history entry, a request or an assignment records them."""
        return Person(user_id=self.user_id, name=self.display_name)


class Person(_Frozen):
    user_id: str
    name: str


class MatchInfo(_Frozen):
    """Why a claim was found for a text, and how close it is."""

    # The searched words the claim holds (as the tokenizer folds them), in the text's order.
    words: tuple[str, ...] = ()
    # Cosine similarity of meaning (0..1 in practice), where the model compared the two.
    similarity: float | None = None
    # The share of the text's distinctive words (by IDF) that the claim holds, 0..1.
    coverage: float = 0.0
    # Where the words were found: ("claim", ("kursk",)), ("sources", ("putin",)), …
    found_in: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # For a check or a near-duplicate prompt: the tier, and the decision's probability that
    # the text repeats the claim (bot/core/matching/decision.py). None in a search.
    tier: MatchTier | None = None
    score: float | None = None


class ClaimSummary(_Frozen):
    """What a search result line shows."""

    id: int
    text: str
    claimant: str
    status: Status
    source_count: int
    tags: tuple[str, ...]
    created_at: datetime
    # Set on results of a text search, a check or a near-duplicate prompt.
    match: MatchInfo | None = None


class Source(_Frozen):
    id: int
    url: str | None
    title: str
    outlet: str
    stance: Stance
    note: str
    added_by: Person
    added_at: datetime


class HistoryEntry(_Frozen):
    """One append-only, hash-chained record of something that happened to a claim."""

    workspace: str
    seq: int
    claim_id: int
    kind: HistoryKind
    old_status: Status | None
    new_status: Status | None
    actor: Person
    detail: str
    at: datetime
    prev_hash: str
    hash: str
    # The digest of what the claim says after this entry (see bot/core/audit.py); None on
    # entries written before the store kept it.
    content: str | None = None


class Claim(_Frozen):
    id: int
    workspace: str
    text: str
    claimant: str
    claimed_on: str | None
    status: Status
    version: int
    tags: tuple[str, ...]
    created_by: Person
    created_at: datetime
    updated_at: datetime
    source_count: int
    # The desk's queue: how many times members asked about it, and who is on it.
    requests: int = 0
    assignee: Person | None = None

    def summary(self) -> ClaimSummary:
        return ClaimSummary(
            id=self.id,
            text=self.text,
            claimant=self.claimant,
            status=self.status,
            source_count=self.source_count,
            tags=self.tags,
            created_at=self.created_at,
        )


class ClaimDetail(_Frozen):
    claim: Claim
    sources: tuple[Source, ...]
    recent_changes: tuple[HistoryEntry, ...]
    # Requests of the last week (bot/core/desk.py RECENT_REQUESTS), where the card says so.
    recent_requests: int | None = None


class SearchPage(_Frozen):
    items: tuple[ClaimSummary, ...]
    page: int
    page_size: int
    # Matches are counted up to a cap so that a very common word stays cheap to count.
    total: int
    total_is_capped: bool
    # Set when a word is so common that only the newest N matches were ranked (a deliberate
    # trade: ranking every match of "said" in a million claims is what makes search slow).
    ranked_within: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


class ClaimAdded(_Frozen):
    detail: ClaimDetail  # the new claim's card, as the store wrote it

    @property
    def claim(self) -> Claim:
        return self.detail.claim


class SourceAdded(_Frozen):
    detail: ClaimDetail  # the claim's card with the source on it
    source: Source


class DuplicateSuspected(_Frozen):
    """The claim was NOT stored: these look like the same claim. Retry with force to add."""

    candidates: tuple[ClaimSummary, ...]


AddOutcome = ClaimAdded | DuplicateSuspected


class ModeratorSettings(_Frozen):
    role_ids: frozenset[str] = frozenset()
    user_ids: frozenset[str] = frozenset()


class AuditProblem(_Frozen):
    workspace: str
    seq: int | None
    message: str


class AuditReport(_Frozen):
    workspaces_checked: int
    entries_checked: int
    problems: tuple[AuditProblem, ...]
    heads: tuple[tuple[str, int, str], ...]  # (workspace, last seq, head hash)

    @property
    def ok(self) -> bool:
        return not self.problems


class MatchingStatus(_Frozen):
    """How Claimdesk matches right now (the status command)."""

    semantic: str  # "on (model)", "loading …", "off (reason) …"
    embedded: int
    queued: int


class CheckOutcome(_Frozen):
    """A check's answer, kept under ``check_id`` so that members can say of each match "yes,
    this one" or "not this one"."""

    check_id: int
    matches: tuple[ClaimSummary, ...]


class VerdictGiven(_Frozen):
    verdict: Verdict
    check_id: int
    claim: ClaimSummary
    entry: HistoryEntry
