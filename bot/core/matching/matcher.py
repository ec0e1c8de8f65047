"""One matching path for every front end: search, check, the near-duplicate prompt, autocomplete.

Two lists — claims sharing the text's words (BM25, from the store) and claims nearest in meaning
(cosine of sentence embeddings) — are merged, each claim's cosine is completed where only its
words found it, and the two scores are fused: ``alpha`` × cosine + (1 − ``alpha``) × BM25 as a
share of the best BM25. On the CheckThat! training tweets this beat reciprocal-rank fusion
of the same two lists (MAP@5 0.900 against 0.886 at RRF's best ``k``, 10; bench/matching.py).
Every result says why it was found. ``check`` answers in two tiers, confident and possibly
related, by a decision fitted on the training tweets (decision.py; bench/matching.py reports it
on the dev tweets). The near-duplicate prompt asks more of its confident tier: the new claim
must say what a stored one says.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.core.matching.candidate import Candidate
from bot.core.matching.decision import (
    WORTH_SHOWING_BY_MEANING,
    Decision,
    Judged,
    answer,
    message_words,
)
from bot.core.matching.embedder import SemanticModel
from bot.core.matching.text import checked_text, message_text
from bot.core.models import ClaimSummary, MatchTier, Status
from bot.core.ports import LexicalHit, LexicalQuery, SearchIndex, VectorHit


class Purpose(StrEnum):
    SEARCH = "search"  # someone looks for claims: every plausible one, best first
    CHECK = "check"  # does this message repeat a stored claim? confident, then possible
    DUPLICATE = "duplicate"  # is a new claim one we have? the same, asking more


@dataclass(frozen=True)
class MatchSettings:
    """The knobs of fusion and of the thresholds (bench/matching.py tunes them on train)."""

    # The weight of meaning against words in the fused score.
    alpha: float = 0.8
    # How many of each list take part …
    depth: int = 50
    # … and for the near-duplicate prompt, which shows three at most and runs inside /claim
    # add: a duplicate shares the new claim's rare words, so the first few by words suffice.
    duplicate_depth: int = 10
    # A search shows a claim found by meaning alone only this similar (else any nearest
    # neighbour would be shown, however unrelated): decision.py's floor, and the reason for it.
    search_min_similarity: float = WORTH_SHOWING_BY_MEANING
    # How many of the ranking's candidates the decision judges.
    judged: int = 10
    # The near-duplicate prompt asks more than a check: the new claim must say what a stored
    # one says (set by hand: the shared data has no pairs of duplicate claims to choose them on).
    duplicate_min_similarity: float = 0.80
    duplicate_min_coverage: float = 0.70
    # … and asks whether it is the same claim when its meaning is close to that ("Moscow says
    # it has recaptured the whole Kursk oblast" is 0.77 similar to "Russian forces have
    # regained full control of the Kursk region"). Words alone do not make that question: a
    # claim sharing most words may say the opposite.
    possible_duplicate_similarity: float = 0.70


# A quoted phrase or a prefix* word asks for exact words: meaning cannot honour that.
_EXACT = re.compile(r'"|\S\*(\s|$)')


def asks_for_exact_words(text: str) -> bool:
    return bool(_EXACT.search(text))


class Matcher:
    def __init__(
        self,
        index: SearchIndex,
        model: SemanticModel,
        settings: MatchSettings | None = None,
        decision: Decision | None = None,
    ) -> None:
        self._store = index
        self._model = model
        self.settings = settings or MatchSettings()
        self.decision = decision or Decision.packaged()

    @classmethod
    def words_only(cls, index: SearchIndex) -> Matcher:
        """Matching by words alone, with no model (what a desk without one gets)."""
        return cls(index, SemanticModel(None, name="none"))

    @property
    def model(self) -> SemanticModel:
        return self._model

    @property
    def index(self) -> SearchIndex:
        return self._store

    async def match(
        self,
        workspace: str,
        text: str,
        purpose: Purpose,
        *,
        limit: int,
        status: Status | None = None,
        tag: str | None = None,
    ) -> list[ClaimSummary]:
        """The claims ``text`` means, best first, each with its ``MatchInfo``; for check and the
        near-duplicate prompt only those the decision shows, confident tier first."""
        ranked = await self.rank(workspace, text, purpose, limit=limit, status=status, tag=tag)
        chosen: list[tuple[Candidate, MatchTier | None, float | None]]
        if purpose is Purpose.SEARCH:
            chosen = [(c, None, None) for c in ranked[:limit]]
        else:
            shown = self.judge(text, ranked, purpose, limit=limit)
            # A near-duplicate's tier is not the decision's: its line says how similar instead.
            check = purpose is Purpose.CHECK
            chosen = [(j.candidate, j.tier, j.score if check else None) for j in shown]
        summaries = await self._store.summaries(workspace, [c.claim_id for c, _, _ in chosen])
        info = {c.claim_id: c.info(tier, score) for c, tier, score in chosen}
        return [item.model_copy(update={"match": info[item.id]}) for item in summaries]

    def judge(
        self, text: str, ranked: list[Candidate], purpose: Purpose, *, limit: int
    ) -> list[Judged]:
        """What a check (or the near-duplicate prompt) shows of ``ranked``: tiered, best first,
        ``limit`` at most."""
        top = ranked[: self.settings.judged]
        judged = self.decision.judge(top, message_words(message_text(text)))
        if purpose is Purpose.DUPLICATE:
            judged = [self._as_duplicate(j) for j in judged]
        return answer(judged, limit)

    def _as_duplicate(self, judged: Judged) -> Judged:
        """A near-duplicate says what a stored claim says: its meaning is close, or its own text
        holds the new claim's words (a source quoting them does not count)."""
        s, c = self.settings, judged.candidate
        said = c.lexical.text_coverage if c.lexical else 0.0
        similarity = c.similarity or 0.0
        if similarity >= s.duplicate_min_similarity or said >= s.duplicate_min_coverage:
            tier: MatchTier | None = MatchTier.CONFIDENT
        elif similarity >= s.possible_duplicate_similarity:
            tier = MatchTier.POSSIBLE
        else:
            tier = None
        return Judged(c, judged.score, tier)

    async def rank(
        self,
        workspace: str,
        text: str,
        purpose: Purpose,
        *,
        limit: int,
        status: Status | None = None,
        tag: str | None = None,
        by_words: bool = True,
        by_meaning: bool = True,
    ) -> list[Candidate]:
        """Every candidate, best first, before thresholds (``match`` applies them; the
        benchmark measures both). ``by_words``/``by_meaning`` switch one list off."""
        s = self.settings
        if purpose is not Purpose.SEARCH:
            text = checked_text(text)
        depth = max(limit, s.duplicate_depth if purpose is Purpose.DUPLICATE else s.depth)
        embedder = self._model.current()
        meaningful = by_meaning and embedder is not None and not asks_for_exact_words(text)

        async def by_the_words() -> list[LexicalHit]:
            if not by_words:
                return []
            query = LexicalQuery(text, status=status, tag=tag)
            return await self._store.lexical_matches(workspace, query, limit=depth)

        async def by_meaning_vector() -> tuple[list[float] | None, list[VectorHit]]:
            if not meaningful or embedder is None:
                return None, []
            vector = list((await asyncio.to_thread(embedder.embed, [text]))[0].tolist())
            if purpose is Purpose.DUPLICATE:
                # A near-duplicate shares the claim's rare words: the candidates the words
                # found are judged by meaning, with no scan of every vector (this check runs
                # inside /claim add).
                return vector, []
            nearest = await self._store.nearest(
                workspace, vector, limit=depth, status=status, tag=tag
            )
            return vector, nearest

        # The words are read while the model embeds the text and the vectors are scanned.
        lexical, (vector, nearest) = await asyncio.gather(by_the_words(), by_meaning_vector())
        similarity: dict[int, float] = {}
        if vector is not None:
            if purpose is Purpose.SEARCH:
                # Found by meaning alone, a claim must be close: any nearest neighbour is not.
                nearest = [h for h in nearest if h.similarity >= s.search_min_similarity]
            similarity = {h.claim_id: h.similarity for h in nearest}
            unscored = [h.claim_id for h in lexical if h.claim_id not in similarity]
            if unscored:
                similarity |= await self._store.similarities(workspace, vector, unscored)
        candidates = self._fuse(lexical, similarity)
        if purpose is Purpose.SEARCH:
            # Claims holding every word come first, as people expect of a search.
            candidates.sort(
                key=lambda c: (not (c.lexical and c.lexical.all_matched), -c.fused, -c.claim_id)
            )
        return candidates

    def _fuse(self, lexical: list[LexicalHit], similarity: dict[int, float]) -> list[Candidate]:
        alpha = self.settings.alpha if similarity else 0.0
        best = max((h.score for h in lexical), default=0.0) or 1.0
        by_words = {h.claim_id: h for h in lexical}
        candidates = []
        for claim_id in by_words.keys() | similarity.keys():
            hit, cosine = by_words.get(claim_id), similarity.get(claim_id)
            fused = alpha * (cosine or 0.0) + (1 - alpha) * (hit.score / best if hit else 0.0)
            candidates.append(Candidate(claim_id, fused, hit, cosine))
        candidates.sort(key=lambda c: (-c.fused, -c.claim_id))
        return candidates
