"""One matching path for every front end: search, check, the near-duplicate prompt, autocomplete.

Two ranked lists — claims sharing the text's words (BM25, from the store) and claims nearest in
meaning (cosine of sentence embeddings) — are fused by reciprocal-rank fusion. Every result says
why it was found. ``check`` and the near-duplicate prompt show only matches above thresholds
chosen on the CheckThat! training tweets (bench/matching.py reports their precision and recall
on the dev tweets).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.core.matching.embedder import SemanticModel
from bot.core.models import ClaimSummary, MatchInfo, Status
from bot.core.ports import LexicalHit, LexicalQuery, Store, VectorHit


class Purpose(StrEnum):
    SEARCH = "search"  # someone looks for claims: every plausible one, best first
    CHECK = "check"  # does this message repeat a stored claim? only confident matches
    DUPLICATE = "duplicate"  # is a new claim one we have? only confident matches


@dataclass(frozen=True)
class MatchSettings:
    """The knobs of fusion and of the thresholds (bench/matching.py tunes them on train)."""

    # Reciprocal-rank fusion: score = Σ weight / (rrf_k + rank).
    rrf_k: float = 60.0
    lexical_weight: float = 1.0
    semantic_weight: float = 1.0
    # How many of each list take part.
    depth: int = 50
    # A search shows a claim found by meaning alone only this similar (else any nearest
    # neighbour would be shown, however unrelated).
    search_min_similarity: float = 0.45
    # check and the near-duplicate prompt show a match when its meaning is this similar …
    min_similarity: float = 0.62
    # … or it holds this share of the text's distinctive words (by IDF): with no model …
    min_coverage: float = 0.30
    # … and with one (words alone must then be more decisive).
    min_coverage_with_model: float = 0.5
    # The near-duplicate prompt asks more: the new claim must say what a stored one says.
    duplicate_min_similarity: float = 0.80
    duplicate_min_coverage: float = 0.70


# A quoted phrase or a prefix* word asks for exact words: meaning cannot honour that.
_EXACT = re.compile(r'"|\S\*(\s|$)')


def asks_for_exact_words(text: str) -> bool:
    return bool(_EXACT.search(text))


@dataclass(frozen=True)
class _Candidate:
    claim_id: int
    fused: float
    lexical: LexicalHit | None
    semantic: VectorHit | None


class Matcher:
    def __init__(
        self, store: Store, model: SemanticModel, settings: MatchSettings | None = None
    ) -> None:
        self._store = store
        self._model = model
        self.settings = settings or MatchSettings()

    @property
    def model(self) -> SemanticModel:
        return self._model

    async def match(
        self,
        workspace: str,
        text: str,
        purpose: Purpose,
        *,
        limit: int,
        status: Status | None = None,
        tag: str | None = None,
        semantic: bool = True,
    ) -> list[ClaimSummary]:
        """The claims ``text`` means, best first, each with its ``MatchInfo``."""
        s = self.settings
        depth = max(limit, s.depth)
        lexical = await self._store.lexical_matches(
            workspace, LexicalQuery(text, status=status, tag=tag), limit=depth
        )
        nearest: list[VectorHit] = []
        embedder = self._model.current()
        if semantic and embedder is not None and not asks_for_exact_words(text):
            vector = (await asyncio.to_thread(embedder.embed, [text]))[0]
            nearest = await self._store.nearest(
                workspace, vector.tolist(), limit=depth, status=status, tag=tag
            )
        if purpose is Purpose.SEARCH:
            nearest = [h for h in nearest if h.similarity >= s.search_min_similarity]
        candidates = self._fuse(lexical, nearest)
        if purpose is Purpose.SEARCH:
            # Claims holding every word come first, as people expect of a search.
            candidates.sort(
                key=lambda c: (not (c.lexical and c.lexical.all_matched), -c.fused, -c.claim_id)
            )
        else:
            candidates = [c for c in candidates if self._confident(c, purpose)]
        chosen = candidates[:limit]
        summaries = await self._store.summaries(workspace, [c.claim_id for c in chosen])
        info = {c.claim_id: _info(c) for c in chosen}
        return [item.model_copy(update={"match": info[item.id]}) for item in summaries]

    def _fuse(self, lexical: list[LexicalHit], nearest: list[VectorHit]) -> list[_Candidate]:
        s = self.settings
        scores: dict[int, float] = {}
        for rank, hit in enumerate(lexical, 1):
            scores[hit.claim_id] = scores.get(hit.claim_id, 0.0) + s.lexical_weight / (
                s.rrf_k + rank
            )
        for rank, near in enumerate(nearest, 1):
            scores[near.claim_id] = scores.get(near.claim_id, 0.0) + s.semantic_weight / (
                s.rrf_k + rank
            )
        by_lexical = {h.claim_id: h for h in lexical}
        by_meaning = {h.claim_id: h for h in nearest}
        candidates = [
            _Candidate(claim_id, score, by_lexical.get(claim_id), by_meaning.get(claim_id))
            for claim_id, score in scores.items()
        ]
        candidates.sort(key=lambda c: (-c.fused, -c.claim_id))
        return candidates

    def _confident(self, candidate: _Candidate, purpose: Purpose) -> bool:
        s = self.settings
        duplicate = purpose is Purpose.DUPLICATE
        similar = s.duplicate_min_similarity if duplicate else s.min_similarity
        if candidate.semantic is not None and candidate.semantic.similarity >= similar:
            return True
        coverage = candidate.lexical.coverage if candidate.lexical else 0.0
        if duplicate:
            return coverage >= s.duplicate_min_coverage
        with_model = self._model.current() is not None
        return coverage >= (s.min_coverage_with_model if with_model else s.min_coverage)


def _info(candidate: _Candidate) -> MatchInfo:
    return MatchInfo(
        words=candidate.lexical.matched if candidate.lexical else (),
        similarity=round(candidate.semantic.similarity, 3) if candidate.semantic else None,
        coverage=round(candidate.lexical.coverage, 3) if candidate.lexical else 0.0,
    )
