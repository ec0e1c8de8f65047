"""One claim a text may mean, with everything the ranking knows of it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.models import MatchInfo, MatchTier
from bot.core.ports import LexicalHit


@dataclass(frozen=True)
class Candidate:
    claim_id: int
    fused: float
    lexical: LexicalHit | None
    similarity: float | None  # None: the claim is not embedded (yet), or there is no model

    def info(self, tier: MatchTier | None = None, score: float | None = None) -> MatchInfo:
        return MatchInfo(
            words=self.lexical.matched if self.lexical else (),
            similarity=round(self.similarity, 3) if self.similarity is not None else None,
            coverage=round(self.lexical.coverage, 3) if self.lexical else 0.0,
            found_in=self.lexical.found_in if self.lexical else (),
            tier=tier,
            score=round(score, 3) if score is not None else None,
        )
