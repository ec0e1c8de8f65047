"""Where a bulk import's time goes, per claim: the budget behind the bulk-load figure.

    .venv/bin/python -m bench.import_budget                 # 100k claims, about 2 minutes
    .venv/bin/python -m bench.import_budget --claims 2000   # a CI-sized check

An import of several batches is split between two processes (bot/store/sqlite/bulk_writer.py):
the importing one prepares each batch's rows in Python (history hashes, word pairs, row tuples)
and pickles them; a child unpickles them and writes them with SQLite. Here every step runs on
its own, in one thread, and is timed in CPU time (so the other core's load does not count):

- Python: ``bulk.prepare`` (and, within it, the word-pair column), pickling, unpickling;
- SQLite: each statement of ``bulk.INSERTS``, the commit, the index merges and the checkpoint
  (whose wall time is shown beside: a checkpoint mostly waits for the disk).

The same batches are then written twice more: with an empty word-pair column (no phrase index)
and with pairs of the most common terms only (a design not built: the issue's note has it).

From the figures come two ceilings for the import on 2 cores, both upper bounds (they assume a
perfect overlap): the writer cannot go faster than one claim per its own CPU time, and the two
processes together not faster than two cores' worth of all the CPU a claim takes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pickle
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.build import WORKSPACE, remove_store
from bench.generate import Archive
from bench.stats import Stopwatch
from bot.core.ports import ImportedClaim
from bot.store.sqlite import SqliteStore, bulk, search_index
from bot.store.sqlite.connection import PRAGMAS
from bot.store.tokens import tokens

RESULTS = Path(__file__).parent / "results"
TARGET_PER_SECOND = 20_000  # the bulk-load target
SQL_STEPS = (*(name for name, _ in bulk.INSERTS), "commit", "merges")


@dataclass(frozen=True)
class Variant:
    """One way of writing the word-pair column, and the Python it costs beyond the rows."""

    name: str
    batches: list[bulk.BatchRows]
    python_us: float


def prepare_all(
    batches: list[list[ImportedClaim]], key: int, watch: Stopwatch
) -> list[bulk.BatchRows]:
    state = bulk.ChainState(next_claim=1, seq=0, head="")
    prepared = []
    for batch in batches:
        with watch.step("prepare"):
            rows = bulk.prepare(state, key, WORKSPACE, batch)
        with watch.step("pickle"):
            payload = pickle.dumps(rows, protocol=pickle.HIGHEST_PROTOCOL)
        with watch.step("unpickle"):
            prepared.append(pickle.loads(payload))
        with watch.step("word pairs"):  # already inside prepare: timed again to show its share
            for item in batch:
                search_index.pairs_column(item.text, item.claimant, " ".join(item.tags))
    return prepared


def common_terms(claims: list[ImportedClaim], count: int) -> frozenset[str]:
    """The ``count`` terms found in most claims (by their text, claimant and tags)."""
    found: Counter[str] = Counter()
    for item in claims:
        found.update(set(tokens(f"{item.text} {item.claimant} {' '.join(item.tags)}")))
    return frozenset(term for term, _ in found.most_common(count))


def only_common_pairs(pairs_column: str, common: frozenset[str]) -> str:
    """``pairs_column`` without the pairs that hold a term outside ``common`` (column breaks and
    ``NO_PAIRS`` stay)."""
    kept = []
    for term in pairs_column.split():
        first, glue, rest = term.partition(search_index.GLUE)
        if not rest or (first in common and rest.removesuffix(glue) in common):
            kept.append(term)
    return " ".join(kept)


def with_pairs(rows: bulk.BatchRows, pairs: Callable[[str], str]) -> bulk.BatchRows:
    """``rows`` with each claim's pairs column replaced by ``pairs`` of it."""
    return replace(rows, index_rows=[(*row[:5], pairs(row[5])) for row in rows.index_rows])


async def timed_import(path: Path, claims: list[ImportedClaim]) -> float:
    """The store's own bulk import of ``claims`` into a new file, in claims per second."""
    remove_store(path)
    store = await SqliteStore.open(path)
    try:
        start = time.perf_counter()
        await store.bulk_import(WORKSPACE, claims, at=datetime.now(UTC))
        return len(claims) / (time.perf_counter() - start)
    finally:
        await store.close()


async def new_store(path: Path) -> int:
    """A new store file with the current schema and the benchmark's workspace; its key."""
    remove_store(path)
    store = await SqliteStore.open(path)
    try:
        await store.bulk_import(WORKSPACE, [], at=datetime.now(UTC))  # creates the workspace
    finally:
        await store.close()
    with closing(sqlite3.connect(path)) as conn:
        (key,) = conn.execute(
            "SELECT key FROM workspaces WHERE external_id = ?", (WORKSPACE,)
        ).fetchone()
    return int(key)


def write_all(path: Path, batches: list[bulk.BatchRows], watch: Stopwatch) -> None:
    """Write the batches as the bulk writer does, each step timed on its own."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma)
        conn.execute("PRAGMA wal_autocheckpoint = 0")
        for rows in batches:
            conn.execute("BEGIN IMMEDIATE")
            for name, sql in bulk.INSERTS:
                with watch.step(name):
                    conn.executemany(sql, getattr(rows, name))
            with watch.step("commit"):
                conn.execute(bulk.SAVE_CHAIN, bulk.chain_row(rows))
                conn.execute("COMMIT")
            with watch.step("merges"):  # as search_index.merge_all
                while True:
                    before = conn.total_changes
                    conn.execute(search_index.MERGE, (search_index.BULK_MERGE_PAGES,))
                    if conn.total_changes - before < 2:
                        break
            with watch.step("checkpoint"):
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    finally:
        conn.close()


def budget(args: argparse.Namespace, console: Console) -> dict[str, Any]:
    claims = list(Archive(args.seed).claims(args.claims))
    batches = [claims[i : i + args.batch] for i in range(0, len(claims), args.batch)]
    n = len(claims)
    path = Path(args.data_dir) / "import-budget.sqlite3"
    key = asyncio.run(new_store(path))
    python = Stopwatch()
    console.print(f"preparing {n:,} claims in batches of {args.batch:,}")
    prepared = prepare_all(batches, key, python)
    prepare_us, pairs_us = python.cpu_us("prepare", n), python.cpu_us("word pairs", n)
    common = common_terms(claims, args.common)
    variants = [
        Variant("as imported", prepared, prepare_us),
        Variant(
            "no word pairs",
            [with_pairs(rows, lambda _: "") for rows in prepared],
            prepare_us - pairs_us,
        ),
        Variant(
            f"pairs of top {args.common:,} terms",
            [with_pairs(rows, lambda p: only_common_pairs(p, common)) for rows in prepared],
            prepare_us,  # the same tokenizing, fewer pairs: counted as the same
        ),
    ]
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "claims": n,
        "batch": args.batch,
        "rows_per_claim": {
            name: round(sum(len(getattr(r, name)) for r in prepared) / n, 2)
            for name, _ in bulk.INSERTS
        },
        "python_us": {
            "prepare": round(prepare_us, 1),
            "of which word pairs": round(pairs_us, 1),
            "pickle": round(python.cpu_us("pickle", n), 1),
            "unpickle": round(python.cpu_us("unpickle", n), 1),
        },
        "variants": {},
    }
    for variant in variants:
        console.print(f"writing them: {variant.name}")
        # Each variant starts from a new file, whose workspace gets the key the rows were made for.
        assert asyncio.run(new_store(path)) == key
        sql = Stopwatch()
        write_all(path, variant.batches, sql)
        report["variants"][variant.name] = _variant_figures(
            variant, sql, report["python_us"], n, path
        )
    console.print("importing them with the store's bulk import")
    report["measured_per_s"] = round(asyncio.run(timed_import(path, claims)))
    remove_store(path)
    return report


def _variant_figures(
    variant: Variant, sql: Stopwatch, python_us: dict[str, float], n: int, path: Path
) -> dict[str, Any]:
    steps = {name: round(sql.cpu_us(name, n), 1) for name in SQL_STEPS}
    checkpoint_cpu, checkpoint_wall = sql.cpu_us("checkpoint", n), sql.wall_us("checkpoint", n)
    # The writer's serial path: it unpickles and writes; its checkpoint runs beside the next batch.
    writer = python_us["unpickle"] + sum(steps.values())
    parent = variant.python_us + python_us["pickle"]
    everything = parent + writer + checkpoint_cpu
    return {
        "sql_cpu_us": steps,
        "checkpoint_us": {"cpu": round(checkpoint_cpu, 1), "wall": round(checkpoint_wall, 1)},
        "importer_cpu_us": round(parent, 1),
        "writer_cpu_us": round(writer, 1),
        "all_cpu_us": round(everything, 1),
        "writer_ceiling_per_s": round(1e6 / writer),
        "two_core_ceiling_per_s": round(2e6 / everything),
        "db_mb": round(path.stat().st_size / 1e6, 1),
    }


def print_table(report: dict[str, Any], console: Console) -> None:
    variants: dict[str, Any] = report["variants"]
    table = Table(
        title=f"Bulk import, CPU µs per claim ({report['claims']:,} claims, "
        f"batches of {report['batch']:,})"
    )
    table.add_column("step")
    for name in variants:
        table.add_column(name, justify="right")

    def row(label: str, values: list[Any]) -> None:
        table.add_row(label, *(f"{v:,.1f}" if isinstance(v, float) else str(v) for v in values))

    python = report["python_us"]
    prepare = [python["prepare"], python["prepare"] - python["of which word pairs"]]
    row("importer: prepare", [*prepare, python["prepare"]])
    row("importer: pickle", [python["pickle"]] * len(variants))
    row("writer: unpickle", [python["unpickle"]] * len(variants))
    per_claim = report["rows_per_claim"]
    for step in SQL_STEPS:
        rows = f" ×{per_claim[step]}" if step in per_claim else ""
        row(f"writer: {step}{rows}", [v["sql_cpu_us"][step] for v in variants.values()])
    row(
        "checkpoint, CPU (wall)",
        [
            f"{v['checkpoint_us']['cpu']:.1f} ({v['checkpoint_us']['wall']:.1f})"
            for v in variants.values()
        ],
    )
    row("importer, in all", [v["importer_cpu_us"] for v in variants.values()])
    row("writer, in all", [v["writer_cpu_us"] for v in variants.values()])
    row("every process, in all", [v["all_cpu_us"] for v in variants.values()])
    table.add_section()
    for label, figure in (
        ("ceiling, writer alone: claims/s", "writer_ceiling_per_s"),
        ("ceiling, 2 cores: claims/s", "two_core_ceiling_per_s"),
    ):
        row(label, [f"{v[figure]:,}" for v in variants.values()])
    row("database, MB", [v["db_mb"] for v in variants.values()])
    console.print(table)
    ceiling = min(
        variants["as imported"]["writer_ceiling_per_s"],
        variants["as imported"]["two_core_ceiling_per_s"],
    )
    measured = report["measured_per_s"]
    console.print(
        f"The store's bulk import of the same claims: {measured:,} claims/s, "
        f"{measured / ceiling:.0%} of its lower ceiling ({ceiling:,}/s); the target is "
        f"{TARGET_PER_SECOND:,}/s. Both ceilings assume the two processes overlap perfectly."
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.import_budget", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000, help="the store's default batch")
    parser.add_argument(
        "--common", type=int, default=1000, help="common terms in the third variant"
    )
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--data-dir", default=tempfile.gettempdir())
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="JSON file (default bench/results/<time>-import-budget.json)",
    )
    args = parser.parse_args(argv)
    console = Console()
    report = budget(args, console)
    print_table(report, console)
    out = args.out or RESULTS / f"{report['when'][:19].replace(':', '')}-import-budget.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    console.print(f"figures written to {out}")


if __name__ == "__main__":
    main()
