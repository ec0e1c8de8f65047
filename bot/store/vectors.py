"""Nearest neighbours among one workspace's claim embeddings, in memory, from codes in the store
(SQLite or PostgreSQL: both keep them alike).

Each stored embedding has two forms (migration 5): ``code``, the signs of its components packed
into bits (48 bytes for 384 dimensions), and ``vector``, its components as int8. A workspace's
codes are loaded into memory on its first semantic query; a query's candidates are the codes
nearest in Hamming distance (an XOR and a popcount per 64 bits: 5 ms for a million codes), and
those few are re-ranked by the exact cosine of their int8 vectors, read by primary key.

Why not an HNSW graph (usearch, faiss) or sqlite-vec: measured on this machine, usearch built a
200,000-vector int8 index at 2,300 vectors/s and held 930 bytes a vector (a million claims would
take 7 minutes to index and 930 MB), and this CPython's sqlite3 cannot load extensions at all.
The codes take 48 bytes a claim (48 MB at a million), load in a second, and need nothing but
numpy; one workspace's scan never reads another's codes.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.core.ports import VectorHit

Codes = npt.NDArray[np.uint8]
Floats = npt.NDArray[np.float32]

# Codes re-ranked exactly per query (tuned on the CheckThat! training tweets, bench/matching.py).
RERANK = 512


# A workspace's scan runs in a worker thread above this many codes (about 0.1 ms of work per
# 20,000), so a large scan never holds up the event loop.
SCAN_IN_THREAD = 20_000


async def candidates_for(index: WorkspaceIndex, query: Floats, *, filtered: bool) -> list[int]:
    """The ids whose codes are nearest ``query``'s, to be re-ranked exactly (twice as many when
    a status or tag filter will drop some)."""
    code, _ = encode(query.reshape(1, -1))
    wanted = RERANK * (2 if filtered else 1)
    if index.size > SCAN_IN_THREAD:
        return await asyncio.to_thread(index.candidates, code[0], wanted)
    return index.candidates(code[0], wanted)


def encode(vectors: Floats) -> tuple[Codes, npt.NDArray[np.int8]]:
    """(codes, int8 vectors) for unit-length float vectors, one row each."""
    bits = vectors > 0
    pad = (-bits.shape[1]) % 64  # codes are compared 64 bits at a time
    if pad:
        bits = np.pad(bits, ((0, 0), (0, pad)))
    codes = np.packbits(bits, axis=1)
    scale = np.abs(vectors).max(axis=1, keepdims=True)
    scale[scale == 0] = 1.0
    quantized = np.rint(vectors / scale * 127).astype(np.int8)
    return codes, quantized


def cosines(query: Floats, rows: Sequence[Any]) -> Floats:
    """The cosine between ``query`` and the int8 vector of each (claim_id, vector) row."""
    matrix = np.frombuffer(b"".join(r[1] for r in rows), np.int8).reshape(len(rows), -1)
    return cosine(query, matrix)


def similarities_of(query: Floats, rows: Sequence[Any]) -> dict[int, float]:
    """Claim number → cosine with ``query``, for each (packed claim id, vector) row."""
    if not rows:
        return {}
    found = cosines(query, rows)
    return {int(r[0]) & 0xFFFFFFFF: float(found[i]) for i, r in enumerate(rows)}


def with_codes(index: WorkspaceIndex | None, rows: Sequence[Any]) -> WorkspaceIndex:
    """``index`` (a new one if None) holding the (claim id, code) ``rows`` as well."""
    width = len(rows[0][1])
    codes = np.frombuffer(b"".join(r[1] for r in rows), np.uint8).reshape(len(rows), width)
    index = index or WorkspaceIndex(width)
    index.upsert([int(r[0]) for r in rows], codes)
    return index


def nearest_of(query: Floats, rows: Sequence[Any], limit: int) -> list[VectorHit]:
    """The ``limit`` (claim_id, vector) rows most similar to ``query``, best first."""
    if not rows:
        return []
    similarity = cosines(query, rows)
    best = np.argsort(-similarity, kind="stable")[:limit]
    return [
        VectorHit(claim_id=int(rows[i][0]) & 0xFFFFFFFF, similarity=float(similarity[i]))
        for i in best
    ]


def cosine(query: Floats, quantized: npt.NDArray[np.int8]) -> Floats:
    """Cosine between a unit-length query and each int8 row."""
    rows = quantized.astype(np.float32)
    norms = np.linalg.norm(rows, axis=1)
    norms[norms == 0] = 1.0
    result: Floats = (rows @ query) / norms
    return result


class WorkspaceIndex:
    """One workspace's codes, column by column (each column a run of uint64 words)."""

    def __init__(self, code_bytes: int) -> None:
        self._words = code_bytes // 8
        self._ids = np.empty(0, np.int64)
        self._codes = np.empty((self._words, 0), np.uint64)
        self._size = 0
        # Claim number → slot (-1: none). Numbers are dense within a workspace, so an array
        # holds them in 4 bytes each; a dict of a million ids took some 90 MB.
        self._slots = np.full(0, -1, np.int32)
        self._scan_lock = threading.Lock()
        self._buffers: tuple[npt.NDArray[np.uint16], npt.NDArray[np.uint64], Codes] | None = None

    @property
    def size(self) -> int:
        return self._size

    def upsert(self, ids: Sequence[int], codes: Codes) -> None:
        """Hold ``codes`` for ``ids`` (packed claim ids of this workspace): a new id gets a
        slot, a known one its code replaced; of an id given twice, the last code counts."""
        if len(ids) == 0:
            return
        packed = np.asarray(ids, np.int64)
        words = np.ascontiguousarray(codes).view(np.uint64)  # (n, words)
        numbers = packed & 0xFFFFFFFF
        _, last_from_end = np.unique(numbers[::-1], return_index=True)
        if len(last_from_end) < len(numbers):  # an id twice: keep its last code
            keep = np.sort(len(numbers) - 1 - last_from_end)
            packed, numbers, words = packed[keep], numbers[keep], words[keep]
        self._make_room(numbers_to=int(numbers.max()), slots_to=self._size + len(numbers))
        slots = self._slots[numbers].astype(np.int64)
        new = slots < 0
        added = int(new.sum())
        slots[new] = np.arange(self._size, self._size + added)
        # Written before the size grows: a scan in a worker thread reads only slots below it.
        self._ids[slots[new]] = packed[new]
        self._codes[:, slots] = words.T
        self._slots[numbers[new]] = slots[new]
        self._size += added

    def _make_room(self, *, numbers_to: int, slots_to: int) -> None:
        """Grow the arrays (by doubling) to hold claim numbers up to ``numbers_to`` and
        ``slots_to`` slots. New arrays replace the old: a scan's snapshot is never moved."""
        if numbers_to >= self._slots.shape[0]:
            grown = np.full(max(1024, numbers_to + 1, 2 * self._slots.shape[0]), -1, np.int32)
            grown[: self._slots.shape[0]] = self._slots
            self._slots = grown
        if slots_to > self._ids.shape[0]:
            capacity = max(1024, slots_to, self._ids.shape[0] * 2)
            ids = np.empty(capacity, np.int64)
            ids[: self._size] = self._ids[: self._size]
            codes = np.empty((self._words, capacity), np.uint64)
            codes[:, : self._size] = self._codes[:, : self._size]
            self._ids, self._codes = ids, codes

    def candidates(self, code: Codes, count: int) -> list[int]:
        """The ids of the ``count`` codes nearest to ``code`` (all of them if there are fewer).

        Reads a snapshot of the arrays, so it may run in a worker thread while the event loop
        appends (an append never moves what a snapshot holds).
        """
        size, ids, codes = self._size, self._ids, self._codes
        if size <= count:
            return [int(i) for i in ids[:size]]
        query = np.ascontiguousarray(code).view(np.uint64)
        with self._scan_lock:  # the buffers are reused: fresh ones cost page faults each time
            if self._buffers is None or self._buffers[0].shape[0] < size:
                self._buffers = (
                    np.empty(size, np.uint16),
                    np.empty(size, np.uint64),
                    np.empty(size, np.uint8),
                )
            distance, scratch, bits = (b[:size] for b in self._buffers)
            distance[:] = 0
            for word in range(self._words):
                np.bitwise_xor(codes[word, :size], query[word], out=scratch)
                np.bitwise_count(scratch, out=bits)
                np.add(distance, bits, out=distance)
            # The distance below which ``count`` codes lie, from a histogram of all of them
            # (cheaper than partitioning a million); ties at it are cut by a small partition.
            below = np.cumsum(np.bincount(distance, minlength=self._words * 64 + 1))
            limit = int(np.searchsorted(below, count))
            chosen = np.flatnonzero(distance <= limit)
            if len(chosen) > count:
                chosen = chosen[np.argpartition(distance[chosen], count)[:count]]
            return [int(i) for i in ids[chosen]]
