"""A deterministic synthetic newsroom archive: same seed, same claims, on every machine.

Words follow a Zipf distribution (a few very common words, a long tail of rare ones), so the
"most common word" case is as hard as in real text; text lengths, sources, tags and status
histories vary like a desk's archive does.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from bot.core.models import Person, Stance, Status
from bot.core.ports import ImportedChange, ImportedClaim, ImportedSource

START = datetime(2019, 1, 1, tzinfo=UTC)
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "ru",
    "sa",
    "te",
    "vo",
    "zi",
    "ba",
    "de",
    "fi",
    "go",
    "hu",
    "ja",
    "ko",
    "lu",
    "ma",
    "no",
    "pi",
    "ro",
    "su",
    "ta",
    "ve",
    "wi",
    "xo",
    "ya",
    "ze",
]
_COMMON = [
    "said",
    "government",
    "minister",
    "president",
    "claims",
    "forces",
    "region",
    "report",
    "army",
    "police",
    "city",
    "state",
    "people",
    "percent",
    "million",
    "election",
    "border",
    "troops",
    "war",
    "health",
    "official",
    "economy",
    "budget",
]
OUTLETS = [
    f"{name}.example"
    for name in (
        "reuters",
        "apnews",
        "bbc",
        "dw",
        "lemonde",
        "kyivindependent",
        "meduza",
        "aljazeera",
        "elpais",
        "nos",
        "svt",
        "yle",
        "rferl",
    )
]


def vocabulary(size: int, rng: random.Random) -> list[str]:
    words = list(_COMMON)
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Archive:
    def __init__(self, seed: int = 2025, vocab_size: int = 30_000) -> None:
        self.seed = seed
        rng = random.Random(seed)
        self.words = vocabulary(vocab_size, rng)
        weights = [1.0 / (rank + 1) for rank in range(len(self.words))]
        self.cum_weights = list(itertools.accumulate(weights))
        self.tags = [f"{rng.choice(self.words)}-{rng.choice(self.words)}" for _ in range(400)]
        self.people = [Person(user_id=f"U{n:05d}", name=f"Reporter {n}") for n in range(300)]
        self.claimants = [
            f"{rng.choice(self.words).title()} {rng.choice(self.words).title()}"
            for _ in range(3000)
        ]

    def text(self, rng: random.Random, low: int = 6, high: int = 60) -> str:
        length = min(high, max(low, int(rng.lognormvariate(2.8, 0.5))))
        words = rng.choices(self.words, cum_weights=self.cum_weights, k=length)
        if rng.random() < 0.4:
            # A name or place: news text has a long tail of words found in a claim or two.
            words.insert(rng.randrange(len(words)), self.name(rng))
        return (" ".join(words).capitalize() + ".")[:1000]

    @staticmethod
    def name(rng: random.Random) -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(4, 5))).title()

    def claims(self, count: int, *, offset: int = 0) -> Iterator[ImportedClaim]:
        rng = random.Random(self.seed * 1_000_003 + offset)
        for n in range(count):
            created = START + timedelta(minutes=7 * (n + offset))
            author = rng.choice(self.people)
            sources = tuple(
                ImportedSource(
                    url=f"https://{(outlet := rng.choice(OUTLETS))}/{n}/{k}",
                    title="",
                    outlet=outlet,
                    stance=rng.choices(
                        (Stance.SUPPORTS, Stance.REFUTES, Stance.CONTEXT), (5, 2, 3)
                    )[0],
                    note=self.text(rng, 3, 12) if rng.random() < 0.3 else "",
                    added_by=rng.choice(self.people),
                    at=created + timedelta(minutes=k + 1),
                )
                for k in range(rng.choices((0, 1, 2, 3, 4), (1, 3, 3, 2, 1))[0])
            )
            changes: list[ImportedChange] = []
            for k in range(rng.choices((0, 1, 2), (6, 3, 1))[0]):
                status = rng.choice([Status.VERIFIED, Status.DISPUTED] if k == 0 else list(Status))
                if changes and changes[-1].new_status is status:
                    continue
                changes.append(
                    ImportedChange(
                        status,
                        self.text(rng, 4, 16),
                        rng.choice(self.people[:30]),
                        created + timedelta(hours=k + 1),
                    )
                )
            yield ImportedClaim(
                text=self.text(rng),
                claimant=rng.choice(self.claimants),
                claimed_on=created.date().isoformat(),
                tags=tuple(dict.fromkeys(rng.sample(self.tags, rng.randint(1, 4)))),
                created_by=author,
                created_at=created,
                sources=sources,
                changes=tuple(changes),
            )
