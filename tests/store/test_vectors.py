"""The codes a process holds for a workspace (bot/store/vectors.py: WorkspaceIndex) against a
plain dict of what was upserted: whatever the order, repeats and re-embeddings, a scan finds
the nearest codes the dict holds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.store.vectors import WorkspaceIndex

KEY = 7 << 32  # a workspace's key in the high bits of a packed claim id
CODE_BYTES = 16

batches = st.lists(
    st.lists(
        st.tuples(st.integers(1, 300), st.binary(min_size=CODE_BYTES, max_size=CODE_BYTES)),
        min_size=1,
        max_size=40,
    ),
    min_size=1,
    max_size=12,
)


def _distance(a: bytes, b: bytes) -> int:
    return int(
        np.unpackbits(np.bitwise_xor(np.frombuffer(a, np.uint8), np.frombuffer(b, np.uint8))).sum()
    )


@settings(max_examples=150, deadline=None)
@given(batches, st.binary(min_size=CODE_BYTES, max_size=CODE_BYTES), st.integers(1, 50))
def test_a_scan_finds_the_nearest_of_what_was_upserted_last(
    upserts: list[list[tuple[int, bytes]]], query: bytes, count: int
) -> None:
    index = WorkspaceIndex(CODE_BYTES)
    held: dict[int, bytes] = {}
    for batch in upserts:
        ids = [KEY | number for number, _ in batch]
        codes = np.frombuffer(b"".join(code for _, code in batch), np.uint8).reshape(-1, CODE_BYTES)
        index.upsert(ids, codes)
        held.update((KEY | number, code) for number, code in batch)  # the last code counts
    assert index.size == len(held)
    found = index.candidates(np.frombuffer(query, np.uint8), count)
    assert len(found) == len(set(found)) == min(count, len(held))
    assert set(found) <= set(held)
    nearest = sorted(_distance(code, query) for code in held.values())[: len(found)]
    assert sorted(_distance(held[i], query) for i in found) == nearest
