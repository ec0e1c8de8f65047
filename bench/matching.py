"""Match quality and speed on public data: CLEF CheckThat! 2022 Task 2A (English).

    .venv/bin/python -m bench.matching                 # train and dev, every mode
    .venv/bin/python -m bench.matching --tune          # also sweep the knobs, on train only

The 14,231 fact-checks are imported through the store's own bulk import (the fact-check's
headline as a source title), embedded by the same background worker the bot runs, and every
tweet goes through the code of `/claim check` (``Matcher.rank``, then ``Matcher.confident``).
Settings are tuned on train and reported on dev: nothing here is fitted to dev.

Measures: MAP@5 (the lab's), MRR, recall@1/5/10, and for the thresholds of `check` the
precision (shown matches that are right), recall (tweets whose fact-check is shown) and false
alarms (tweets for which a match is shown once their own fact-check is left out of the list).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import dataclasses
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.build import remove_store
from bench.model import semantic_model
from bench.stats import latency, peak_rss_mb
from bot.core.matching.embedder import SemanticModel
from bot.core.matching.matcher import Candidate, Matcher, MatchSettings, Purpose
from bot.core.matching.worker import EmbeddingWorker
from bot.core.models import Person, Stance
from bot.core.ports import ImportedClaim, ImportedSource
from bot.store.sqlite import SqliteStore

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
DATA = SHARED / "datasets" / "checkthat2022-2a-en"
MODEL = SHARED / "models" / "all-MiniLM-L6-v2-int8"
WORKSPACE = "console:checkthat"
IMPORTER = Person(user_id="bench", name="CheckThat! import")
MODES = ("lexical", "semantic", "hybrid")
SHOWN = 5  # what `/claim check` shows at most


@dataclass(frozen=True)
class Tweet:
    tweet_id: str
    text: str
    gold: int  # the claim number of the fact-check it repeats


def fact_checks(folder: Path) -> Iterator[tuple[str, ImportedClaim]]:
    with (folder / "vclaims.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            try:
                published = datetime.strptime(item["date"], "%d %B %Y").replace(tzinfo=UTC)
            except ValueError:
                published = datetime(2020, 1, 1, tzinfo=UTC)
            source = ImportedSource(
                url=None,
                title=item["title"].strip(),
                outlet="Snopes",
                stance=Stance.CONTEXT,
                note=item.get("subtitle", "").strip()[:500],
                added_by=IMPORTER,
                at=published,
            )
            yield (
                item["vclaim_id"],
                ImportedClaim(
                    text=(item["vclaim"].strip() or item["title"].strip())[:1000],
                    claimant="",
                    claimed_on=None,
                    tags=(),
                    created_by=IMPORTER,
                    created_at=published,
                    sources=(source,),
                ),
            )


def tweets(folder: Path, split: str, numbers: dict[str, int]) -> list[Tweet]:
    gold: dict[str, str] = {}
    with (folder / f"qrels-{split}.tsv").open(encoding="utf-8") as rows:
        for row in csv.reader(rows, delimiter="\t"):
            gold[row[0]] = row[2]
    found = []
    with (folder / f"queries-{split}.tsv").open(encoding="utf-8", newline="") as rows:
        for row in csv.reader(rows, delimiter="\t"):
            if row and row[0] in gold and gold[row[0]] in numbers:
                found.append(Tweet(row[0], row[1], numbers[gold[row[0]]]))
    return found


@dataclass
class Scores:
    ap5: float = 0.0
    rr: float = 0.0
    r1: int = 0
    r5: int = 0
    r10: int = 0
    n: int = 0

    def add(self, ranked: list[int], gold: int) -> None:
        self.n += 1
        if gold in ranked:
            rank = ranked.index(gold) + 1
            self.rr += 1 / rank
            self.ap5 += 1 / rank if rank <= 5 else 0.0
            self.r1 += rank <= 1
            self.r5 += rank <= 5
            self.r10 += rank <= 10

    def row(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {
            "MAP@5": round(self.ap5 / n, 4),
            "MRR": round(self.rr / n, 4),
            "R@1": round(self.r1 / n, 4),
            "R@5": round(self.r5 / n, 4),
            "R@10": round(self.r10 / n, 4),
        }


@dataclass
class Thresholds:
    shown: int = 0  # matches shown, over all tweets
    right: int = 0  # tweets whose fact-check is among those shown
    alarms: int = 0
    n: int = 0

    def add(self, matcher: Matcher, ranked: list[Candidate], gold: int) -> None:
        self.n += 1
        confident = [c for c in ranked if matcher.confident(c, Purpose.CHECK)]
        shown = [c.claim_id for c in confident[:SHOWN]]
        self.shown += len(shown)
        self.right += gold in shown
        # Leave the tweet's own fact-check out: is anything still shown?
        self.alarms += any(c.claim_id != gold for c in confident)

    def row(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {
            "precision": round(self.right / max(self.shown, 1), 4),
            "recall": round(self.right / n, 4),
            "false alarms": round(self.alarms / n, 4),
        }


def wanted_fact_checks(limit: int, sample: int) -> set[str] | None:
    """For a quick pass: the fact-checks the first ``limit`` tweets of each split repeat, and
    ``sample`` more (None: all of them)."""
    if not sample:
        return None
    wanted: set[str] = set()
    for split in ("train", "dev"):
        with (DATA / f"qrels-{split}.tsv").open(encoding="utf-8") as rows:
            golds = [row[2] for row in csv.reader(rows, delimiter="\t")]
        wanted.update(golds[: limit or None])
    for n, (vclaim_id, _) in enumerate(fact_checks(DATA)):
        if n >= sample:
            break
        wanted.add(vclaim_id)
    return wanted


async def build_store(
    path: Path, out: Console, only: set[str] | None
) -> tuple[SqliteStore, dict[str, int]]:
    remove_store(path)
    store = await SqliteStore.open(path)
    numbers: dict[str, int] = {}
    items: list[ImportedClaim] = []
    for vclaim_id, claim in fact_checks(DATA):
        if only is None or vclaim_id in only:
            items.append(claim)
            numbers[vclaim_id] = len(items)
    start = time.perf_counter()
    await store.bulk_import(WORKSPACE, items, at=datetime.now(UTC))
    out.print(f"imported {len(items):,} fact-checks in {time.perf_counter() - start:.1f} s")
    return store, numbers


async def embed_all(store: SqliteStore, model: SemanticModel, out: Console) -> dict[str, float]:
    worker = EmbeddingWorker(store, model)
    start = time.perf_counter()
    done = await worker.drain(
        lambda n, total: (
            out.print(f"  embedded {n:,} of {total:,}", end="\r") if n % 2048 < 64 else None
        )
    )
    seconds = time.perf_counter() - start
    out.print(f"embedded {done:,} claims in {seconds:.1f} s ({done / seconds:,.0f} texts/s)")
    return {"claims": done, "seconds": round(seconds, 1), "texts_per_s": round(done / seconds, 1)}


async def evaluate(
    matcher: Matcher, split: list[Tweet], mode: str, *, thresholds: bool
) -> dict[str, Any]:
    scores, judged, times = Scores(), Thresholds(), []
    for tweet in split:
        start = time.perf_counter()
        ranked = await matcher.rank(
            WORKSPACE,
            tweet.text,
            Purpose.CHECK,
            limit=10,
            by_words=mode != "semantic",
            by_meaning=mode != "lexical",
        )
        times.append((time.perf_counter() - start) * 1000)
        scores.add([c.claim_id for c in ranked[:10]], tweet.gold)
        if thresholds:
            judged.add(matcher, ranked, tweet.gold)
    result: dict[str, Any] = {**scores.row(), "latency": latency(times).as_dict()}
    if thresholds:
        result["thresholds"] = judged.row()
    return result


async def tune(
    store: SqliteStore, model: SemanticModel, train: list[Tweet], out: Console
) -> list[dict[str, Any]]:
    """Sweep the fusion and threshold knobs on train (what MatchSettings holds came from here)."""
    rows = []
    base = MatchSettings()
    for alpha in (0.5, 0.6, 0.7, 0.8):
        settings = dataclasses.replace(base, alpha=alpha)
        result = await evaluate(Matcher(store, model, settings), train, "hybrid", thresholds=False)
        rows.append({"alpha": alpha, **result})
        out.print(f"  alpha={alpha}: MAP@5 {result['MAP@5']}")
    for similarity in (0.5, 0.55, 0.6, 0.65, 0.7):
        for coverage in (0.4, 0.5, 0.6):
            settings = dataclasses.replace(
                base, min_similarity=similarity, min_coverage_with_model=coverage
            )
            result = await evaluate(
                Matcher(store, model, settings), train, "hybrid", thresholds=True
            )
            t = result["thresholds"]
            rows.append({"min_similarity": similarity, "min_coverage_with_model": coverage, **t})
            out.print(f"  similarity≥{similarity} coverage≥{coverage}: {t}")
    off = SemanticModel(None, name="none")
    for coverage in (0.2, 0.3, 0.4, 0.5):
        settings = dataclasses.replace(base, min_coverage=coverage)
        result = await evaluate(Matcher(store, off, settings), train, "lexical", thresholds=True)
        t = result["thresholds"]
        rows.append({"min_coverage": coverage, **t})
        out.print(f"  (no model) coverage≥{coverage}: {t}")
    return rows


def table(results: dict[str, dict[str, dict[str, Any]]]) -> Table:
    grid = Table(title="CheckThat! 2022 2A (English): the stored claim a tweet repeats")
    for column in (
        "split", "mode", "MAP@5", "MRR", "R@1", "R@5", "R@10", "p50 ms", "p99 ms",
        "precision", "recall", "false alarms",
    ):  # fmt: skip
        grid.add_column(column, justify="left" if column in ("split", "mode") else "right")
    for split, modes in results.items():
        for mode, r in modes.items():
            t = r.get("thresholds", {})
            grid.add_row(
                split,
                mode,
                *(f"{r[k]:.3f}" for k in ("MAP@5", "MRR", "R@1", "R@5", "R@10")),
                f"{r['latency']['p50_ms']:.1f}",
                f"{r['latency']['p99_ms']:.1f}",
                *(f"{t[k]:.3f}" if k in t else "" for k in ("precision", "recall", "false alarms")),
            )
    return grid


async def main_async(args: argparse.Namespace) -> int:
    out = Console(highlight=False)
    folder = Path(args.data_dir or tempfile.mkdtemp(prefix="claimdesk-match-"))
    only = wanted_fact_checks(args.limit, args.sample)
    store, numbers = await build_store(folder / "checkthat.sqlite3", out, only)
    try:
        model = semantic_model(args.model)
        embedding = await embed_all(store, model, out)
        splits = {s: tweets(DATA, s, numbers) for s in args.splits}
        if args.limit:
            splits = {s: t[: args.limit] for s, t in splits.items()}
        off = SemanticModel(None, name="none")
        results: dict[str, dict[str, dict[str, Any]]] = {}
        for split, items in splits.items():
            results[split] = {}
            for mode in MODES:
                # Lexical-only runs as the bot does with no model: its thresholds differ.
                matcher = Matcher(store, off if mode == "lexical" else model)
                results[split][mode] = await evaluate(
                    matcher, items, mode, thresholds=mode != "semantic"
                )
        tuning = await tune(store, model, splits["train"], out) if args.tune else []
        out.print(table(results))
        report = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "settings": dataclasses.asdict(MatchSettings()),
            "embedding": embedding,
            "results": results,
            "tuning_on_train": tuning,
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }
        if args.out:
            args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    finally:
        await store.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL, help="the model folder")
    parser.add_argument("--data-dir", type=Path, help="where to build the store (default: temp)")
    parser.add_argument("--splits", nargs="+", default=["train", "dev"], choices=["train", "dev"])
    parser.add_argument("--limit", type=int, default=0, help="tweets per split (0: all)")
    parser.add_argument(
        "--sample",
        type=int,
        default=0,
        help="import only the tweets' fact-checks and this many others (0: all; a quick pass)",
    )
    parser.add_argument("--tune", action="store_true", help="sweep the knobs on train")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
