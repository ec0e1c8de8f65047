"""What the core needs from storage, one port per need.

Each part of the core takes only the port it uses: the matcher a ``SearchIndex``, the embedding
worker an ``EmbeddingStore``, the dispatcher an ``OutboxStore``, the publisher a
``ClaimReader``, the audit an ``AuditStore``, the lookup a ``SettingsStore``. ``Store`` is all
of them: what SQLite and PostgreSQL implement, and what only the bootstrap and the command
line (which open, copy and close stores) hold.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.desk import QueuePage, QueueQuery, RepeatRule, Request
from bot.core.models import (
    Claim,
    ClaimDetail,
    ClaimSummary,
    HistoryEntry,
    ModeratorSettings,
    Person,
    SearchPage,
    Source,
    Status,
    Verdict,
)
from bot.core.notifications.models import Cadence, Channel, DueDelivery, Scope, Subscription
from bot.core.ports.records import (
    EmbeddingCounts,
    EmbedJob,
    ExportedMatch,
    ImportedClaim,
    KeptCheck,
    LexicalHit,
    LexicalQuery,
    ListQuery,
    ModeratorKind,
    NewCheck,
    NewClaim,
    NewRequest,
    NewSource,
    StoredCheck,
    StoredContent,
    VectorHit,
)


class ClaimReader(Protocol):
    """A workspace's claims as members read them."""

    async def get_claim(self, workspace: str, claim_id: int) -> Claim | None: ...

    async def get_detail(
        self, workspace: str, claim_id: int, *, recent_changes: int
    ) -> ClaimDetail | None: ...

    async def list_claims(self, workspace: str, query: ListQuery) -> SearchPage: ...

    async def tag_names(self, workspace: str, prefix: str, *, limit: int) -> list[str]: ...

    async def history(self, workspace: str, claim_id: int) -> list[HistoryEntry]: ...

    def claim_numbers(self, workspace: str, statuses: Sequence[Status]) -> AsyncIterator[int]:
        """The numbers of the workspace's claims with one of ``statuses``, in order."""
        ...


class ClaimWriter(Protocol):
    """The three changes a member makes, each one transaction with its history entry and its
    notifications."""

    async def add_claim(
        self,
        workspace: str,
        claim: NewClaim,
        *,
        actor: Person,
        at: datetime,
        source: NewSource | None = None,
        recent_changes: int = 0,
        request: NewRequest | None = None,
    ) -> ClaimDetail:
        """Store a new claim, with its first source and its first request if given, in one
        transaction. Returns its card: the claim, its source and its first
        ``recent_changes`` history entries."""
        ...

    async def add_source(
        self,
        workspace: str,
        claim_id: int,
        source: NewSource,
        *,
        actor: Person,
        at: datetime,
        recent_changes: int = 0,
    ) -> tuple[ClaimDetail, Source]:
        """In one transaction: check the claim exists and does not hold the link yet, attach
        the source and append history. Raises NotFound for an unknown claim and SourceExists
        for a URL already attached. Returns the claim's card as it now is (its
        ``recent_changes`` last history entries) and the source as stored."""
        ...

    async def change_status(
        self,
        workspace: str,
        claim_id: int,
        new_status: Status,
        *,
        reason: str,
        actor: Person,
        at: datetime,
        expected_version: int | None,
        recent_changes: int = 0,
    ) -> tuple[ClaimDetail, HistoryEntry]:
        """In one transaction: check the claim exists, has ``expected_version`` (if given) and
        not already ``new_status``; update it and append history. Returns the claim as it now
        is, with its sources and its ``recent_changes`` last history entries (what a card
        shows), and the entry appended.

        Raises NotFound, Conflict when ``expected_version`` no longer matches, or
        AlreadyThatStatus.
        """
        ...


class ClaimStore(ClaimReader, ClaimWriter, Protocol):
    """Reading and changing claims."""


class ArchiveStore(Protocol):
    """What seeding and importing archives need beyond the member's changes."""

    async def find_seeded(self, workspace: str, seed_key: str) -> Claim | None: ...

    async def bulk_import(
        self,
        workspace: str,
        claims: Iterable[ImportedClaim],
        *,
        at: datetime,
        batch_size: int = 5000,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Append an archive's claims with their sources and history; returns how many."""
        ...

    async def source_urls_present(self, workspace: str, urls: Sequence[str]) -> set[str]:
        """Which of ``urls`` are already a source of some claim of the workspace."""
        ...

    async def claim_with_source(self, workspace: str, url: str) -> int | None:
        """The number of the (first) claim of the workspace that has ``url`` as a source."""
        ...


class SearchIndex(Protocol):
    """What the matcher ranks with: words, vectors, and the summaries it shows."""

    async def lexical_matches(
        self, workspace: str, query: LexicalQuery, *, limit: int
    ) -> list[LexicalHit]:
        """Claims holding any of the query's words, best first (BM25 over text, claimant,
        tags and source titles, with the workspace's own word statistics)."""
        ...

    async def nearest(
        self,
        workspace: str,
        vector: Sequence[float],
        *,
        limit: int,
        status: Status | None = None,
        tag: str | None = None,
    ) -> list[VectorHit]:
        """The embedded claims nearest to ``vector`` (unit length), most similar first."""
        ...

    async def similarities(
        self, workspace: str, vector: Sequence[float], claim_ids: Sequence[int]
    ) -> dict[int, float]:
        """The cosine between ``vector`` and each of these claims that is embedded."""
        ...

    async def summaries(self, workspace: str, claim_ids: Sequence[int]) -> list[ClaimSummary]:
        """These claims' summaries, in the order asked (unknown ids left out)."""
        ...


class EmbeddingCounter(Protocol):
    async def embedding_counts(self) -> EmbeddingCounts: ...


class EmbeddingStore(EmbeddingCounter, Protocol):
    """The queue of claims to embed, and their vectors (the embedding worker's)."""

    async def use_embedding_model(self, model: str) -> bool:
        """Record the model the vectors come from; another model's vectors are dropped and
        every claim queued again. Returns whether that happened."""
        ...

    async def embedding_jobs(self, limit: int) -> list[EmbedJob]:
        """Queued claims (any workspace), oldest first."""
        ...

    async def save_embeddings(self, done: Sequence[tuple[EmbedJob, Sequence[float]]]) -> None:
        """Store these vectors and take their claims off the queue (unless queued again since)."""
        ...


class AuditStore(Protocol):
    """What ``claimdesk audit`` walks: each workspace's chain and the rows it vouches for."""

    async def check_integrity(self) -> None:
        """Raises StoreDamaged if the store's own integrity check fails."""
        ...

    async def workspaces(self) -> list[str]: ...

    async def recorded_head(self, workspace: str) -> tuple[int, str]: ...

    def iter_history(self, workspace: str) -> AsyncIterator[HistoryEntry]: ...

    async def status_mismatches(self, workspace: str) -> list[tuple[int, Status, Status | None]]:
        """Claims whose stored status differs from the last status in their history."""
        ...

    def claim_contents(self, workspace: str) -> AsyncIterator[StoredContent]:
        """Every claim of the workspace as its rows say now, in number order."""
        ...

    async def claims_missing(self, workspace: str) -> list[int]:
        """Claim numbers that the history names but that are no longer stored."""
        ...


class SettingsStore(Protocol):
    """A workspace's moderators and named settings."""

    async def moderators(self, workspace: str) -> ModeratorSettings: ...

    async def set_moderator(
        self, workspace: str, kind: ModeratorKind, ref: str, *, present: bool
    ) -> bool:
        """Add or remove one entry; returns whether anything changed."""
        ...

    async def setting(self, workspace: str, name: str) -> str | None: ...

    async def set_setting(
        self, workspace: str, name: str, value: str | None, *, at: datetime
    ) -> None: ...


class SubscriptionStore(Protocol):
    """Who follows what (the outbox itself is written by the changes, in their transaction)."""

    async def add_subscription(
        self,
        workspace: str,
        user_id: str,
        scope: Scope,
        target: str,
        delivery: Channel,
        channel_id: str,
        cadence: Cadence,
        *,
        at: datetime,
    ) -> tuple[Subscription, bool]: ...

    async def remove_subscriptions(
        self, workspace: str, user_id: str, scope: Scope, target: str
    ) -> int: ...

    async def subscriptions(self, workspace: str, user_id: str) -> list[Subscription]: ...


class OutboxStore(Protocol):
    """What the notification dispatcher needs from storage."""

    async def claim_due(
        self,
        platforms: Sequence[str],
        *,
        now: datetime,
        lease_until: datetime,
        limit: int,
        recipient: str | None = None,
        workspace: str | None = None,
    ) -> list[DueDelivery]: ...

    async def mark_delivered(self, ids: Sequence[int], *, at: datetime) -> None: ...

    async def reschedule(
        self, ids: Sequence[int], *, next_attempt: datetime, error: str
    ) -> None: ...

    async def mark_failed(self, ids: Sequence[int], *, at: datetime, error: str) -> None: ...

    async def first_undeliverable_notice(
        self, workspace: str, user_id: str, *, at: datetime
    ) -> bool: ...

    async def next_due_at(self, platforms: Sequence[str]) -> datetime | None: ...

    async def fleet_size(self, member: str, *, alive_for: timedelta) -> int:
        """Record that the process ``member`` is delivering now; returns how many processes
        have said so within ``alive_for``, this one included (they share the platforms' rate
        limits)."""
        ...


class CheckStore(Protocol):
    """Checks as they were answered, and the members' word on their matches."""

    async def record_check(
        self, workspace: str, check: NewCheck, *, repeat: RepeatRule | None = None
    ) -> KeptCheck:
        """Keep ``check``, and a request on each claim it ``requested`` (saying, by
        ``repeat``, that a checked claim is going round again), in one transaction; returns its
        id (numbered across workspaces, found only in its own) and whether an alert was queued."""
        ...

    async def stored_check(self, workspace: str, check_id: int) -> StoredCheck | None: ...

    async def rejected_for(self, workspace: str, message_key: str) -> frozenset[int]:
        """The claims members said a message does not repeat."""
        ...

    async def record_verdict(
        self,
        workspace: str,
        check_id: int,
        claim_id: int,
        verdict: Verdict,
        *,
        detail: str,
        actor: Person,
        at: datetime,
        repeat: RepeatRule | None = None,
    ) -> HistoryEntry:
        """Keep the verdict and append it to the claim's history, in one transaction: a
        confirmed match becomes a request on the claim (if the check had not made one), a
        rejected one takes back the check's request. Raises NotFound for an unknown check or
        claim and VerdictExists when the match has one."""
        ...

    async def exported_matches(self, workspace: str) -> list[ExportedMatch]:
        """Every match every check showed, oldest check first, with its verdict if any."""
        ...


class QueueStore(Protocol):
    """The desk's queue: requests on claims, the queue most wanted first, who is on each."""

    async def queue(self, workspace: str, query: QueueQuery) -> QueuePage: ...

    async def requests_of(
        self, workspace: str, claim_id: int, *, page: int, page_size: int
    ) -> list[Request]:
        """A claim's requests, newest first."""
        ...

    async def requests_since(self, workspace: str, claim_id: int, since: datetime) -> int: ...

    async def set_assignee(
        self,
        workspace: str,
        claim_id: int,
        assignee: Person | None,
        *,
        expected: str | None,
        actor: Person,
        at: datetime,
    ) -> tuple[Claim, HistoryEntry]:
        """Put ``assignee`` on the claim (None: nobody) and record it in its history, if the
        one on it is still ``expected`` (a user id or None); else raises Conflict. Returns the
        claim as it now is."""
        ...


class StoreLifecycle(Protocol):
    """Opening is each store's own (``open``); what the command line asks of an open one."""

    async def schema_version(self) -> int:
        """The newest migration applied to the store."""
        ...

    @property
    def migrated_on_open(self) -> tuple[int, ...]:
        """The migrations this process applied when it opened the store (none: it was up to
        date; all of them: it created the schema)."""
        ...

    async def close(self) -> None: ...


class Store(
    ClaimStore,
    ArchiveStore,
    SearchIndex,
    EmbeddingStore,
    AuditStore,
    SettingsStore,
    SubscriptionStore,
    OutboxStore,
    CheckStore,
    QueueStore,
    StoreLifecycle,
    Protocol,
):
    """Every port: what SQLite and PostgreSQL each implement."""
