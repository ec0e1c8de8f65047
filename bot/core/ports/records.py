"""The values that cross the store's ports: what a change asks the store to write, what an
archive holds, and what a search or an embedding job hands back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from bot.core.models import MatchTier, Person, Source, Stance, Status, Verdict


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


class VerdictExists(Exception):
    """The match already has a member's verdict (the core words the refusal)."""

    def __init__(self, verdict: str, by: str) -> None:
        super().__init__(f"{verdict} by {by}")
        self.verdict = verdict
        self.by = by


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
    # The reverse: the share of the claim's own words that the query holds (0..1). A long
    # message holds a short claim whole; a claim sharing one word of twenty is another claim.
    claim_share: float = 0.0
    # Where the words were found: (place, words) for each place holding some, places in the
    # order of ``MATCH_PLACES`` ("matched putin" is another thing when Putin is only in a
    # source's headline).
    found_in: tuple[tuple[str, tuple[str, ...]], ...] = ()


# The places of a claim that its words are looked up in, in the order the store reads them.
MATCH_PLACES = ("claim", "claimant", "tags", "sources")


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


def utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class ShownMatch:
    """One match a check showed: the claim, its tier and the decision's score."""

    claim_id: int
    tier: MatchTier
    score: float | None


@dataclass(frozen=True, slots=True)
class NewCheck:
    """A check as it was asked and answered, kept so that members can say of its matches
    "yes, this one" or "not this one"."""

    message_key: str  # the message's link, or a digest of its text: what a rejection is kept for
    text: str
    link: str | None
    asked_by: Person
    at: datetime
    shown: tuple[ShownMatch, ...]
    channel_id: str = ""  # where it was asked, when the platform says
    # The claims it is a request on (bot/core/desk.py): the ones it found confidently.
    requested: tuple[int, ...] = ()

    def request(self, check_id: int | None) -> NewRequest:
        """This check as a request on a claim it showed, made by whoever asked it."""
        return NewRequest(self.asked_by, self.channel_id, self.link, self.at, check_id)


@dataclass(frozen=True, slots=True)
class KeptCheck:
    id: int
    alerted: bool  # an alert that a claim it found is going round again was queued with it


@dataclass(frozen=True, slots=True)
class NewRequest:
    """Someone asked about a claim: who, where, the message's link, when, by which check."""

    asked_by: Person
    channel_id: str
    link: str | None
    at: datetime
    check_id: int | None = None


@dataclass(frozen=True, slots=True)
class StoredCheck:
    id: int
    asked: NewCheck
    verdicts: dict[int, tuple[Verdict, str]]  # claim → (verdict, who said it)


@dataclass(frozen=True, slots=True)
class ExportedMatch:
    """A match a check showed, with the members' word on it if any (claimdesk export matches)."""

    check_id: int
    asked_at: datetime
    text: str
    link: str | None
    match: ShownMatch
    verdict: Verdict | None
    verdict_by: str
    verdict_at: datetime | None
