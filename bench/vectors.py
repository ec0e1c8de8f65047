"""Synthetic embeddings for the scale benchmark: random unit vectors for every stored claim.

Embedding a million synthetic claims with the real model would take hours on 2 cores and say
nothing about speed: what a search costs is the scan of the codes and the re-ranking, the same
for random vectors as for real ones. (Match quality is measured on real data, bench/matching.py.)
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from bot.store.vectors import encode

DIMENSIONS = 384  # all-MiniLM-L6-v2's
_BATCH = 50_000


def fill_synthetic(db: Path, model_name: str, *, seed: int = 7) -> int:
    """Give every claim in ``db`` a random embedding, as if ``model_name`` had made it."""
    rng = np.random.default_rng(seed)
    written = 0
    with sqlite3.connect(db) as conn:
        ids = [int(row[0]) for row in conn.execute("SELECT id FROM claims ORDER BY id")]
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            vectors = rng.standard_normal((len(chunk), DIMENSIONS)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            codes, quantized = encode(vectors)
            conn.executemany(
                "INSERT OR REPLACE INTO claim_vectors(claim_id, code, vector) VALUES (?, ?, ?)",
                zip(chunk, map(bytes, codes), map(bytes, quantized), strict=True),
            )
            conn.commit()
            written += len(chunk)
        conn.execute("DELETE FROM embedding_queue")
        conn.execute(
            "INSERT OR REPLACE INTO store_meta(name, value) VALUES ('vector_model', ?)",
            (model_name,),
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return written
