"""The store workload, run in a process of its own so its peak memory is the bot's alone.

    python -m bench.measure --db PATH --workspace discord:1 --runs 200

prints one JSON object: latencies per operation and the process's peak RSS (with --bare-only:
the bare FTS5 queries instead, measured apart so that their memory is not counted as the bot's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from bench.generate import Archive
from bench.model import embed_and_scan, semantic_model
from bench.stats import Latency, measure, measure_sync, peak_rss_mb
from bot import collector
from bot.core.errors import InvalidInput
from bot.core.matching.matcher import Matcher
from bot.core.models import Actor, ModeratorSettings, Status
from bot.core.ports import Store, SystemClock
from bot.core.service import SEARCH_RESULTS, ClaimService
from bot.store.keys import workspace_range
from bot.store.postgres import PostgresStore
from bot.store.sqlite import SqliteStore

EDITORS = "editors"
BARE_QUERY = "SELECT rowid FROM claims_fts WHERE claims_fts MATCH ? ORDER BY rank LIMIT 10"


class Queries:
    """Search inputs taken from the store itself, so each benchmark size has real hits."""

    def __init__(self, db: Path, archive: Archive, workspace: str, seed: int) -> None:
        rng = random.Random(seed)
        self.common, self.second = archive.words[0], archive.words[1]
        self.tag = archive.tags[0]
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            (key,) = conn.execute(
                "SELECT key FROM workspaces WHERE external_id = ?", (workspace,)
            ).fetchone()
            lo, hi = workspace_range(key)
            count = conn.execute(
                "SELECT count(*) FROM claims WHERE id BETWEEN ? AND ?", (lo, hi)
            ).fetchone()[0]
            self.claim_count = int(count)
            sample = [lo + rng.randint(1, self.claim_count) for _ in range(50)]
            texts = [
                str(row[0])
                for row in conn.execute(
                    f"SELECT text FROM claims WHERE id IN ({','.join('?' * len(sample))})", sample
                )
            ]
            self.texts = texts
            self.statuses = {
                int(row[0]) - lo: Status(row[1])
                for row in conn.execute(
                    "SELECT id, status FROM claims WHERE id BETWEEN ? AND ? LIMIT 20000", (lo, hi)
                )
            }
            # Words found in 1 to 3 claims (names, places): what a reporter types for one story.
            known = set(archive.words)
            candidates = dict.fromkeys(w.strip(".").lower() for t in texts for w in t.split())
            self.rare = [
                word
                for word in candidates
                if word not in known
                and 1
                <= conn.execute(
                    "SELECT count(*) FROM claims_fts WHERE claims_fts MATCH ?", (f'"{word}"',)
                ).fetchone()[0]
                <= 3
            ]
        self.phrases = []
        for text in texts:
            words = text.rstrip(".").lower().split()
            start = rng.randrange(max(1, len(words) - 2))
            self.phrases.append(f'"{" ".join(words[start : start + 3])}"')


async def workload(args: argparse.Namespace) -> dict[str, object]:
    if args.postgres:
        # The same desk copied to PostgreSQL (claimdesk copy): the queries still come from the
        # SQLite file, so both stores are asked the same things.
        postgres = await PostgresStore.open(args.postgres)
        try:
            return await _workload(args, postgres)
        finally:
            await postgres.close()
    store = await SqliteStore.open(args.db)
    try:
        # A large store's integrity check reads the whole file in the background after start:
        # measured beside it, every figure would be the first half-minute's.
        await store.integrity_checked()
        return await _workload(args, store)
    finally:
        await store.close()  # also on failure: aiosqlite's threads would keep the process alive


async def _workload(args: argparse.Namespace, store: Store) -> dict[str, object]:
    archive = Archive(args.seed)
    model = semantic_model(args.model)
    service = ClaimService(
        store,
        SystemClock(),
        matcher=Matcher(store, model),
        configured_moderators={args.workspace: ModeratorSettings(role_ids=frozenset({EDITORS}))},
    )
    reporter = Actor(
        workspace=args.workspace, user_id="bench-reporter", display_name="Bench Reporter"
    )
    editor = Actor(
        workspace=args.workspace,
        user_id="bench-editor",
        display_name="Bench Editor",
        role_ids=frozenset({EDITORS}),
    )
    q = Queries(args.db, archive, args.workspace, args.run_seed)
    runs = args.runs
    results: dict[str, Latency] = {}
    page_size = service.limits.page_size

    # Searches refused as too broad (past their time budget): counted, not fatal to the run.
    refused: Counter[str] = Counter()

    async def searched(text: str, **kw: object) -> object:
        try:
            return await service.search(reporter, text, **kw)  # type: ignore[arg-type]
        except InvalidInput:
            refused[text] += 1
            return None

    def search(text: str = "", **kw: object) -> Callable[[int], Awaitable[object]]:
        async def run(_: int) -> object:
            return await searched(text, **kw)

        return run

    def rotating(texts: list[str], **kw: object) -> Callable[[int], Awaitable[object]]:
        async def run(i: int) -> object:
            return await searched(texts[i % len(texts)], **kw)

        return run

    deep = 1000 // page_size  # a listing's page 100
    last = SEARCH_RESULTS // page_size  # a search ranks 100 claims: its last page
    searches: dict[str, Callable[[int], Awaitable[object]]] = {
        "search most common word": search(q.common),
        "search most common word, status filter": search(q.common, status="disputed"),
        "search most common word, tag filter": search(q.common, tag=q.tag),
        f"search most common word, page {last}": search(q.common, page=last),
        "search two common words": search(f"{q.common} {q.second}"),
        "search rare word": rotating(q.rare),
        "search rare word, status filter": rotating(q.rare, status="unverified"),
        "search phrase": rotating(q.phrases),
        "list by status, page 1": search("", status="verified"),
        f"list by status, page {deep}": search("", status="verified", page=deep),
        "list by tag": search("", tag=q.tag),
    }
    # A chat message that repeats a stored claim, with a few words of its own around it.
    messages = [f"Is it true? {t} Seen this on a channel this morning." for t in q.texts]

    async def check(i: int) -> object:
        # As the bot answers it: the check is kept, for members' verdicts on its matches.
        return await service.check_message(reporter, messages[i % len(messages)])

    searches["check a message"] = check
    embedder = model.current()
    if embedder is not None:

        async def floor(i: int) -> object:
            return await embed_and_scan(
                store, embedder, args.workspace, messages[i % len(messages)]
            )

        searches["floor of a check: embed + vector scan"] = floor
    collector.freeze_what_start_up_built()  # as the bot does once its parts are built
    for name, operation in searches.items():
        results[name] = await measure(operation, runs)
    if args.searches_only:
        return {
            "latency": {k: v.as_dict() for k, v in results.items()},
            "refused_as_too_broad": dict(refused),
        }

    results.update(await _write_operations(args, archive, service, q, reporter, editor))

    return {
        "claims_in_workspace": q.claim_count,
        "latency": {k: v.as_dict() for k, v in results.items()},
        "refused_as_too_broad": dict(refused),
        "peak_rss_mb": peak_rss_mb(),
        "queries": {
            "common": q.common,
            "rare_examples": q.rare[:3],
            "phrase_examples": q.phrases[:3],
        },
    }


async def _write_operations(
    args: argparse.Namespace,
    archive: Archive,
    service: ClaimService,
    q: Queries,
    reporter: Actor,
    editor: Actor,
) -> dict[str, Latency]:
    """Show on a long record, then the writes: add (with the duplicate check), source, status."""
    run_id = time.time_ns()  # links must be new on every run against a kept store
    runs = args.runs
    results: dict[str, Latency] = {}
    # A claim with 20 sources and 50 history entries, as the issue asks show to be measured on.
    added = await service.add_claim(
        reporter, "Benchmark claim with a long record of evidence", force=True
    )
    big = added.claim.id  # type: ignore[union-attr]
    for n in range(20):
        await service.add_source(
            reporter, big, f"https://bench.example/{run_id}/evidence/{n}", stance="context"
        )
    for n in range(29):
        await service.change_status(
            editor, big, "verified" if n % 2 == 0 else "disputed", f"Round {n}"
        )
    results["show (20 sources, 50 history entries)"] = await measure(
        lambda _: service.show(reporter, big), runs
    )

    rng = random.Random(args.run_seed + 1)
    new_texts = [archive.text(rng, 8, 40) for _ in range(runs + 10)]
    results["add claim (with duplicate check)"] = await measure(
        lambda i: service.add_claim(reporter, new_texts[i]), runs
    )
    # Each target's status as the measured store holds it now: an earlier run against a kept
    # store (a PostgreSQL copy) may have changed it since the SQLite file was read.
    targets = [
        (claim_id, (await service.show(editor, claim_id)).claim.status)
        for claim_id in list(q.statuses)[: runs + 10]
    ]
    results["add source"] = await measure(
        lambda i: service.add_source(
            reporter, targets[i][0], f"https://bench.example/{run_id}/more/{i}"
        ),
        runs,
    )

    async def change(i: int) -> object:
        claim_id, status = targets[i]
        target = Status.DISPUTED if status is Status.VERIFIED else Status.VERIFIED
        return await service.change_status(editor, claim_id, target, "Checked against the record")

    results["status change"] = await measure(change, runs)
    return results


def bare_queries(args: argparse.Namespace) -> dict[str, object]:
    """The same searches as bare FTS5 queries, in a process of their own: sorting 760,000
    matches of the most common word by rank must not count towards the bot's memory."""
    q = Queries(args.db, Archive(args.seed), args.workspace, args.run_seed)
    bare: dict[str, Latency] = {}
    with sqlite3.connect(f"file:{args.db}?mode=ro", uri=True) as conn:
        for name, texts, count in (
            ("search most common word", [f'"{q.common}"'], min(args.runs, args.bare_common_runs)),
            ("search rare word", [f'"{w}"' for w in q.rare], args.runs),
            ("search phrase", q.phrases, args.runs),
        ):
            bare[name] = measure_sync(_bare(conn, texts), count)
    return {"bare_fts": {k: v.as_dict() for k, v in bare.items()}}


def _bare(conn: sqlite3.Connection, texts: list[str]) -> Callable[[int], object]:
    def run(i: int) -> object:
        return conn.execute(BARE_QUERY, (texts[i % len(texts)],)).fetchall()

    return run


def main() -> None:
    collector.tune()  # as `claimdesk` does
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--workspace", required=True)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--bare-common-runs", type=int, default=10)
    # The archive's seed must be the one the store was built with (its words and tags); the
    # run's seed picks the claims asked about and the new claims' texts (fresh ones each run
    # against a kept store, whose earlier runs' texts would be found as duplicates).
    parser.add_argument("--seed", type=int, default=2025, help="the archive the store holds")
    parser.add_argument("--run-seed", type=int, default=2025, help="this run's choices")
    parser.add_argument("--searches-only", action="store_true")
    parser.add_argument("--model", type=Path, help="match by meaning with the model in this folder")
    parser.add_argument("--bare-only", action="store_true", help="only the bare FTS5 queries")
    parser.add_argument(
        "--postgres", help="measure this PostgreSQL copy of --db instead (claimdesk copy)"
    )
    args = parser.parse_args()
    print(json.dumps(bare_queries(args) if args.bare_only else asyncio.run(workload(args))))


if __name__ == "__main__":
    main()
