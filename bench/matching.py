"""Match quality and speed on public data: CLEF CheckThat! 2022 Task 2A (English).

    .venv/bin/python -m bench.matching                 # train and dev, every mode
    .venv/bin/python -m bench.matching --tune          # also sweep the knobs, on train only

The 14,231 fact-checks are imported through the store's own bulk import (the fact-check's
headline as a source title), embedded by the same background worker the bot runs, and every
tweet goes through the code of `/claim check` (``Matcher.rank``, then ``Matcher.confident``).
Settings are tuned on train and reported on dev: nothing here is fitted to dev.

Measures: MAP@5 of the ranking (the lab's), MRR, recall@1/5/10; and of the answer members see
(``Matcher.judge``, the decision of bot/core/matching/decision.py): confident-first-right (the
fact-check is the first confident match), gold-anywhere-shown (in either tier), false confident
(a confident match once the tweet's own fact-check is left out), and the time of a check (rank
and judge) beside its floor: embedding the tweet and scanning the vectors, each timed alone.
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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.build import remove_store
from bench.model import embed_and_scan, semantic_model
from bench.stats import latency, peak_rss_mb
from bot import collector
from bot.core.matching.decision import Judged
from bot.core.matching.embedder import SemanticModel
from bot.core.matching.matcher import Matcher, MatchSettings, Purpose
from bot.core.matching.worker import EmbeddingWorker
from bot.core.models import MatchTier, Person, Stance
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
class Answers:
    """What members would see, over a split."""

    first_right: int = 0  # the fact-check is the first confident match
    anywhere: int = 0  # the fact-check is shown, in either tier
    false_confident: int = 0  # a confident match with the fact-check left out
    shown: int = 0
    nothing: int = 0  # nothing shown, the fact-check left in
    n: int = 0

    def add(self, gold: int, shown: Sequence[Judged], left_out: Sequence[Judged]) -> None:
        """``shown``: the answer (at most ``SHOWN``); ``left_out``: every judged candidate of the
        ranking without the tweet's own fact-check."""
        shown = list(shown)[:SHOWN]
        self.n += 1
        confident = [j for j in shown if j.tier is MatchTier.CONFIDENT]
        self.first_right += bool(confident) and confident[0].candidate.claim_id == gold
        self.anywhere += any(j.candidate.claim_id == gold for j in shown)
        self.false_confident += any(j.tier is MatchTier.CONFIDENT for j in left_out)
        self.shown += len(shown)
        self.nothing += not shown

    def row(self) -> dict[str, float]:
        n = max(self.n, 1)
        return {
            "confident-first-right": round(self.first_right / n, 4),
            "gold-anywhere-shown": round(self.anywhere / n, 4),
            "false-confident": round(self.false_confident / n, 4),
            "shown per answer": round(self.shown / n, 2),
            "nothing shown": round(self.nothing / n, 4),
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
    path: Path, out: Console, only: set[str] | None, *, reuse: bool = False
) -> tuple[SqliteStore, dict[str, int]]:
    """The fact-checks in a new store at ``path`` (``reuse``: the one an earlier run built
    there with the same selection, its embeddings included)."""
    numbers: dict[str, int] = {}
    items: list[ImportedClaim] = []
    for vclaim_id, claim in fact_checks(DATA):
        if only is None or vclaim_id in only:
            items.append(claim)
            numbers[vclaim_id] = len(items)
    if reuse and path.exists():  # noqa: ASYNC240 (before anything runs)
        store = await SqliteStore.open(path)
        counts = await store.embedding_counts()
        if counts.embedded + counts.queued == len(items):
            out.print(f"reusing the {len(items):,} fact-checks stored in {path}")
            return store, numbers
        await store.close()
    remove_store(path)
    store = await SqliteStore.open(path)
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
    matcher: Matcher, split: list[Tweet], mode: str, *, answers: bool
) -> dict[str, Any]:
    scores, judged, times = Scores(), Answers(), []
    floor: list[float] = []
    embedder = matcher.model.current() if mode != "lexical" else None
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
        shown = matcher.judge(tweet.text, ranked, Purpose.CHECK, limit=SHOWN) if answers else []
        times.append((time.perf_counter() - start) * 1000)
        scores.add([c.claim_id for c in ranked[:10]], tweet.gold)
        if answers:
            left_out = [c for c in ranked if c.claim_id != tweet.gold]
            every = matcher.judge(tweet.text, left_out, Purpose.CHECK, limit=len(left_out))
            judged.add(tweet.gold, shown, every)
        if embedder is not None and mode == "hybrid":
            floor.append(await embed_and_scan(matcher.index, embedder, WORKSPACE, tweet.text))
    result: dict[str, Any] = {**scores.row(), "latency": latency(times).as_dict()}
    if floor:
        result["floor"] = latency(floor).as_dict()
    if answers:
        result["answers"] = judged.row()
    return result


async def tune(
    store: SqliteStore, model: SemanticModel, train: list[Tweet], out: Console
) -> list[dict[str, Any]]:
    """Sweep the fusion's weight on train (MatchSettings.alpha came from here; the decision's
    weights and thresholds come from bench/decision.py)."""
    rows = []
    base = MatchSettings()
    for alpha in (0.5, 0.6, 0.7, 0.8):
        settings = dataclasses.replace(base, alpha=alpha)
        result = await evaluate(Matcher(store, model, settings), train, "hybrid", answers=False)
        rows.append({"alpha": alpha, **result})
        out.print(f"  alpha={alpha}: MAP@5 {result['MAP@5']}")
    return rows


def table(results: dict[str, dict[str, dict[str, Any]]]) -> Table:
    grid = Table(title="CheckThat! 2022 2A (English): the stored claim a tweet repeats")
    answer_columns = ("confident-first-right", "gold-anywhere-shown", "false-confident")
    for column in (
        "split", "mode", "MAP@5", "MRR", "R@1", "R@5", "R@10", "p50 ms", "p99 ms",
        "floor p99 ms", "p99 / floor", "first right", "anywhere", "false confident",
    ):  # fmt: skip
        grid.add_column(column, justify="left" if column in ("split", "mode") else "right")
    for split, modes in results.items():
        for mode, r in modes.items():
            a = r.get("answers", {})
            p99, floor = r["latency"]["p99_ms"], r.get("floor", {}).get("p99_ms")
            grid.add_row(
                split,
                mode,
                *(f"{r[k]:.3f}" for k in ("MAP@5", "MRR", "R@1", "R@5", "R@10")),
                f"{r['latency']['p50_ms']:.1f}",
                f"{p99:.1f}",
                f"{floor:.1f}" if floor else "",
                f"{p99 / floor:.2f}" if floor else "",
                *(f"{a[k]:.3f}" if k in a else "" for k in answer_columns),
            )
    return grid


async def main_async(args: argparse.Namespace) -> int:
    out = Console(highlight=False)
    folder = Path(args.data_dir or tempfile.mkdtemp(prefix="claimdesk-match-"))
    only = wanted_fact_checks(args.limit, args.sample)
    store, numbers = await build_store(
        folder / "checkthat.sqlite3", out, only, reuse=args.data_dir is not None
    )
    try:
        model = semantic_model(args.model)
        embedding = await embed_all(store, model, out)
        collector.freeze_what_start_up_built()  # as the bot does once its parts are built
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
                    matcher, items, mode, answers=mode != "semantic"
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
    collector.tune()  # as `claimdesk` does
    return asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
