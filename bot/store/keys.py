"""How ids are packed: workspace_key · 2³² + a per-workspace number (claim number or history seq).

One workspace's rows are then one contiguous id range, which every index (and SQLite's FTS5)
seeks to. Both stores pack the same way, so a desk copied between them keeps its ids.
"""

from __future__ import annotations

SHIFT = 32
_LOW = (1 << SHIFT) - 1


def pack(workspace_key: int, number: int) -> int:
    return (workspace_key << SHIFT) | number


def workspace_range(workspace_key: int) -> tuple[int, int]:
    """The first and last id a workspace can have."""
    return pack(workspace_key, 0), pack(workspace_key, _LOW)
