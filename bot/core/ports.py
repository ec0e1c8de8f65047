"""What the core needs from the outside world. The SQLite store implements ``Store``;
a PostgreSQL store would implement the same protocol without the service noticing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from bot.core.models import (
    Claim,
    ClaimDetail,
    ClaimSummary,
    HistoryEntry,
    ModeratorSettings,
    Person,
    SearchPage,
    Source,
    Stance,
    Status,
)
from bot.core.notifications.models import Cadence, Channel, DueDelivery, Scope, Subscription


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


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class NewClaim(BaseModel):
    model_config = ConfigDict(frozen=True)

    text: str
    claimant: str
    claimed_on: str | None
    tags: tuple[str, ...]
    status: Status = Status.UNVERIFIED
    seed_key: str | None = None


class NewSource(BaseModel):
    model_config = ConfigDict(frozen=True)

    url: str | None
    title: str
    outlet: str
    stance: Stance
    note: str

    def added(self, by: Person, at: datetime) -> ImportedSource:
        """This source as an archive holds it: who added it, and when."""
        return ImportedSource(self.url, self.title, self.outlet, self.stance, self.note, by, at)

    def stored(self, source_id: int, by: Person, at: datetime) -> Source:
        """This source as a store has just written it, under ``source_id``."""
        return Source(
            id=source_id,
            url=self.url,
            title=self.title,
            outlet=self.outlet,
            stance=self.stance,
            note=self.note,
            added_by=by,
            added_at=at,
        )


@dataclass(frozen=True, slots=True)
class ImportedSource:
    url: str | None
    title: str
    outlet: str
    stance: Stance
    note: str
    added_by: Person
    at: datetime

    def as_new(self) -> NewSource:
        """What the source says, to be added to a claim by whoever adds it now."""
        return NewSource(
            url=self.url, title=self.title, outlet=self.outlet, stance=self.stance, note=self.note
        )


@dataclass(frozen=True, slots=True)
class ImportedChange:
    new_status: Status
    reason: str
    actor: Person
    at: datetime


@dataclass(frozen=True, slots=True)
class ImportedClaim:
    """An archived claim with its evidence and status history, for bulk import.

    A plain dataclass (not pydantic): archives run to millions of claims, already validated.
    """

    text: str
    claimant: str
    claimed_on: str | None
    tags: tuple[str, ...]
    created_by: Person
    created_at: datetime
    sources: tuple[ImportedSource, ...] = ()
    changes: tuple[ImportedChange, ...] = ()
    seed_key: str | None = None  # a seeded claim's key: imported once per workspace


@dataclass(frozen=True, slots=True)
class StoredContent:
    """What a claim's rows say now, and the content digest its last history entry recorded
    (see bot/core/audit.py): what ``claimdesk audit verify`` compares."""

    number: int
    text: str
    claimant: str
    claimed_on: str | None
    tags: str  # as stored: space-joined
    created_by_id: str
    # (url, title, outlet, stance, note) of each source, in the order they were added
    sources: tuple[tuple[str | None, str, str, str, str], ...]
    recorded: str | None
    has_history: bool


class SourceExists(Exception):
    """The store already has that link as a source of the claim (the core words the refusal)."""


class AlreadyThatStatus(Exception):
    """The claim already has the status asked for: nothing was changed (the core words it)."""


class ListQuery(BaseModel):
    """Claims newest first, optionally of one status or tag (a search with no words)."""

    model_config = ConfigDict(frozen=True)

    status: Status | None = None
    tag: str | None = None
    page: int = 1
    page_size: int = 10


ModeratorKind = Literal["role", "user"]


@dataclass(frozen=True, slots=True)
class LexicalQuery:
    """Text to match by its words: any of them, ranked by BM25 (stop-words are not looked up).

    "Quoted phrases" and ``prefix*`` words are required of every match; plain words are not.
    """

    text: str
    status: Status | None = None
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class LexicalHit:
    claim_id: int
    score: float  # BM25: comparable within one answer only
    # The query's words found in the claim (as the tokenizer folds them), in query order.
    matched: tuple[str, ...]
    # The share of the query's IDF weight that the claim holds (0..1): comparable across queries.
    coverage: float
    all_matched: bool
    # The same share held by the claim's own text (not its claimant, tags or sources): what a
    # near-duplicate must match, since a source may quote other claims.
    text_coverage: float = 0.0


@dataclass(frozen=True, slots=True)
class VectorHit:
    claim_id: int
    similarity: float  # cosine, -1..1


@dataclass(frozen=True, slots=True)
class EmbedJob:
    """A claim whose embedding is due; ``key`` is the store's own handle for it."""

    key: int
    requested: int
    text: str
    claimant: str
    titles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EmbeddingCounts:
    embedded: int
    queued: int


class Store(OutboxStore, Protocol):
    async def moderators(self, workspace: str) -> ModeratorSettings: ...

    async def set_moderator(
        self, workspace: str, kind: ModeratorKind, ref: str, *, present: bool
    ) -> bool:
        """Add or remove one entry; returns whether anything changed."""
        ...

    async def get_claim(self, workspace: str, claim_id: int) -> Claim | None: ...

    async def get_detail(
        self, workspace: str, claim_id: int, *, recent_changes: int
    ) -> ClaimDetail | None: ...

    async def find_seeded(self, workspace: str, seed_key: str) -> Claim | None: ...

    async def list_claims(self, workspace: str, query: ListQuery) -> SearchPage: ...

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

    async def embedding_counts(self) -> EmbeddingCounts: ...

    async def tag_names(self, workspace: str, prefix: str, *, limit: int) -> list[str]: ...

    async def add_claim(
        self,
        workspace: str,
        claim: NewClaim,
        *,
        actor: Person,
        at: datetime,
        source: NewSource | None = None,
    ) -> Claim:
        """Store a new claim, with its first source if given, in one transaction."""
        ...

    async def add_source(
        self, workspace: str, claim_id: int, source: NewSource, *, actor: Person, at: datetime
    ) -> Source:
        """Raises NotFound for an unknown claim and InvalidInput for a URL already attached."""
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

    async def history(self, workspace: str, claim_id: int) -> list[HistoryEntry]: ...

    async def workspaces(self) -> list[str]: ...

    def iter_history(self, workspace: str) -> AsyncIterator[HistoryEntry]: ...

    async def recorded_head(self, workspace: str) -> tuple[int, str]: ...

    async def status_mismatches(self, workspace: str) -> list[tuple[int, Status, Status | None]]:
        """Claims whose stored status differs from the last status in their history."""
        ...

    def claim_numbers(self, workspace: str, statuses: Sequence[Status]) -> AsyncIterator[int]:
        """The numbers of the workspace's claims with one of ``statuses``, in order."""
        ...

    async def source_urls_present(self, workspace: str, urls: Sequence[str]) -> set[str]:
        """Which of ``urls`` are already a source of some claim of the workspace."""
        ...

    async def claim_with_source(self, workspace: str, url: str) -> int | None:
        """The number of the (first) claim of the workspace that has ``url`` as a source."""
        ...

    async def check_integrity(self) -> None:
        """Raises StoreDamaged if the store's own integrity check fails."""
        ...

    def claim_contents(self, workspace: str) -> AsyncIterator[StoredContent]:
        """Every claim of the workspace as its rows say now, in number order."""
        ...

    async def claims_missing(self, workspace: str) -> list[int]:
        """Claim numbers that the history names but that are no longer stored."""
        ...

    # --- subscriptions and workspace settings (the outbox itself is written by the change
    # methods above, in the same transaction as the change)
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

    async def setting(self, workspace: str, name: str) -> str | None: ...

    async def set_setting(
        self, workspace: str, name: str, value: str | None, *, at: datetime
    ) -> None: ...

    async def schema_version(self) -> int:
        """The newest migration applied to the store."""
        ...

    @property
    def migrated_on_open(self) -> tuple[int, ...]:
        """The migrations this process applied when it opened the store (none: it was up to
        date; all of them: it created the schema)."""
        ...

    async def close(self) -> None: ...


def utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
