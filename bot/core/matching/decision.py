"""Does a message repeat a stored claim? A decision learned from data, in two tiers.

The ranking puts the right claim first or second almost always; the answer a member sees must
also say whether it *is* that claim. A logistic model over what the ranking already knows of a
candidate — its meaning's similarity, its words' BM25 and coverage both ways, its rank and its
margin to the next, the message's length — gives the probability that the message repeats it.
Above one threshold a match is confident ("this has been checked"), above a lower one it is
possibly related; below, it is not shown, except the claim closest in meaning (see
``WORTH_SHOWING_BY_MEANING``). The weights and thresholds are fitted on the
CheckThat! 2022 training tweets by ``bench/decision.py`` and shipped in ``decision.json``
beside this module, with their card in ``decision.md``. Words-only matching (no model, or a
claim not embedded yet) has weights of its own.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bot.core.matching.candidate import Candidate
from bot.core.models import MatchTier

# What the decision reads of a candidate, in the order of the shipped weights.
FEATURES = (
    "similarity",  # cosine of meaning (0 when not compared)
    "similarity_margin",  # its similarity less the best other candidate's
    "words",  # BM25 as a share of the answer's best
    "coverage",  # the share of the message's distinctive words the claim holds (by IDF)
    "text_coverage",  # the same, held by the claim's own text
    "claim_share",  # the share of the claim's own words the message holds
    "shared_words",  # log(1 + distinct words shared)
    "fused",  # the ranking's score
    "first",  # 1 for the ranking's first candidate
    "log_rank",
    "margin",  # fused score less the next candidate's
    "behind",  # the first candidate's fused score less this one's
    "log_length",  # log(1 + the message's words)
)

# A claim this similar in meaning is worth showing. On 300 training tweets against every
# fact-check: 0.2% of unrelated pairs reach 0.40, and 97.7% of the true pairs do. A search shows
# a claim found by meaning alone from here (MatchSettings.search_min_similarity), and so does a
# check, in two ways:
# - the claim closest in meaning is always shown, at least as possibly related. The training
#   tweets hold no message of ten words or fewer, so the weights know nothing of a member's
#   short question, where one rare shared word can outrank the meaning
#   (tests/core/test_check_among_fact_checks.py); this rule is what serves those;
# - it is one of the two floors below.
WORTH_SHOWING_BY_MEANING = 0.40

# What any match shown needs, whatever the weights say: some support of its own, a share of the
# message's distinctive words or a closeness of meaning. The weights read the candidate against
# the others, and in a small desk a claim sharing one common word is "first by a wide margin";
# these floors keep 99.2% (with the model) and 98.4% (words only) of the training tweets'
# fact-checks among the first ten (bench/decision.py).
SUPPORT_COVERAGE = 0.10


def message_words(text: str) -> int:
    return len(text.split())


def features(ranked: Sequence[Candidate], i: int, words_in_message: int) -> list[float]:
    """The values of ``FEATURES`` for ``ranked[i]``, ``ranked`` being best first by ``fused``."""
    c = ranked[i]
    hit = c.lexical
    best_words = max((r.lexical.score for r in ranked if r.lexical), default=0.0) or 1.0
    similarity = c.similarity if c.similarity is not None else 0.0
    others = [r.similarity for j, r in enumerate(ranked) if j != i and r.similarity is not None]
    next_fused = ranked[i + 1].fused if i + 1 < len(ranked) else 0.0
    return [
        similarity,
        similarity - max(others) if c.similarity is not None and others else 0.0,
        hit.score / best_words if hit else 0.0,
        hit.coverage if hit else 0.0,
        hit.text_coverage if hit else 0.0,
        hit.claim_share if hit else 0.0,
        math.log1p(len(hit.matched)) if hit else 0.0,
        c.fused,
        1.0 if i == 0 else 0.0,
        math.log(i + 1),
        c.fused - next_fused,
        ranked[0].fused - c.fused,
        math.log1p(words_in_message),
    ]


@dataclass(frozen=True)
class Rule:
    """One fitted logistic model and its two thresholds."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float
    confident: float  # probability at or above which a match is confident …
    possible: float  # … and at or above which it is shown as possibly related
    # One shared word (or none) makes a confident match only with meaning this close: a rare
    # word shared by chance must not outweigh the meaning.
    meaning_alone: float

    def probability(self, values: Sequence[float]) -> float:
        z = self.bias + sum(
            w * (x - m) / s
            for w, x, m, s in zip(self.weights, values, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rule:
        if tuple(data["features"]) != FEATURES:
            raise ValueError("decision.json was fitted on other features: run bench/decision.py")
        return cls(
            mean=tuple(data["mean"]),
            scale=tuple(data["scale"]),
            weights=tuple(data["weights"]),
            bias=float(data["bias"]),
            confident=float(data["confident"]),
            possible=float(data["possible"]),
            meaning_alone=float(data["meaning_alone"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(FEATURES),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
            "confident": self.confident,
            "possible": self.possible,
            "meaning_alone": self.meaning_alone,
        }


@dataclass(frozen=True)
class Judged:
    candidate: Candidate
    score: float
    tier: MatchTier | None  # None: not shown
    closest: bool = False  # the candidate closest in meaning, shown whatever its score


@dataclass(frozen=True)
class Decision:
    with_model: Rule
    words_only: Rule

    @classmethod
    def packaged(cls) -> Decision:
        """The decision shipped with Claimdesk (decision.json beside this module)."""
        text = resources.files("bot.core.matching").joinpath("decision.json").read_text("utf-8")
        return cls.from_json(json.loads(text))

    @classmethod
    def load(cls, path: Path) -> Decision:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Decision:
        return cls(Rule.from_json(data["with_model"]), Rule.from_json(data["words_only"]))

    def rule_for(self, candidate: Candidate) -> Rule:
        return self.words_only if candidate.similarity is None else self.with_model

    def judge(self, ranked: Sequence[Candidate], words_in_message: int) -> list[Judged]:
        """Each of ``ranked`` (best first by the ranking) with its probability and tier."""
        judged = []
        closest = _closest_in_meaning(ranked)
        for i, candidate in enumerate(ranked):
            rule = self.rule_for(candidate)
            score = rule.probability(features(ranked, i, words_in_message))
            judged.append(judged_by(rule, candidate, score, closest=candidate is closest))
        return judged


def _closest_in_meaning(ranked: Sequence[Candidate]) -> Candidate | None:
    compared = [c for c in ranked if c.similarity is not None]
    if not compared:
        return None
    best = max(compared, key=lambda c: (c.similarity or 0.0, -c.claim_id))
    return best if (best.similarity or 0.0) >= WORTH_SHOWING_BY_MEANING else None


def judged_by(rule: Rule, candidate: Candidate, score: float, *, closest: bool) -> Judged:
    """``candidate`` under ``rule``'s thresholds; the closest in meaning is shown whatever its
    score, at least as possibly related."""
    tier = tier_of(rule, candidate, score)
    return Judged(candidate, score, (tier or MatchTier.POSSIBLE) if closest else tier, closest)


def tier_of(rule: Rule, candidate: Candidate, score: float) -> MatchTier | None:
    if not supported(candidate):
        return None
    if score >= rule.confident and _more_than_one_word(rule, candidate):
        return MatchTier.CONFIDENT
    if score >= rule.possible:
        return MatchTier.POSSIBLE
    return None


def supported(candidate: Candidate) -> bool:
    coverage = candidate.lexical.coverage if candidate.lexical else 0.0
    similarity = candidate.similarity if candidate.similarity is not None else 0.0
    return coverage >= SUPPORT_COVERAGE or similarity >= WORTH_SHOWING_BY_MEANING


def _more_than_one_word(rule: Rule, candidate: Candidate) -> bool:
    shared = len(candidate.lexical.matched) if candidate.lexical else 0
    if shared >= 2:
        return True
    return candidate.similarity is not None and candidate.similarity >= rule.meaning_alone


def answer(judged: Sequence[Judged], limit: int) -> list[Judged]:
    """What is shown: the confident tier, then the possible one, each by the decision's score,
    ``limit`` in all."""
    shown = [j for j in judged if j.tier is not None]
    shown.sort(key=lambda j: (j.tier is not MatchTier.CONFIDENT, -j.score, -j.candidate.claim_id))
    kept = shown[:limit]
    closest = [j for j in shown[limit:] if j.closest]
    if closest and kept:
        kept[-1] = closest[0]  # the closest in meaning is never cut for a weaker score
    return kept
