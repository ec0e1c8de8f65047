"""The model every benchmark matches with: the shared sentence-embedding model loaded from a
folder (the bot's own loader), or no model at all, matching by words only."""

from __future__ import annotations

import time
from pathlib import Path

from bot.core.matching.embedder import Embedder, SemanticModel
from bot.core.matching.matcher import MatchSettings
from bot.core.matching.text import checked_text
from bot.core.ports import SearchIndex
from bot.embedding import fastembed

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


def semantic_model(folder: Path | None) -> SemanticModel:
    """The model in ``folder``, loaded in this process (its memory counts in the process's
    peak RSS); with no folder, none: matching by words only."""
    if folder is None:
        return SemanticModel(None, name="none")
    return SemanticModel.ready_with(
        fastembed.load(MODEL_NAME, model_path=folder, cache_dir=None, threads=None)
    )


def mode(folder: Path | str | None) -> str:
    """How a table's figures were measured, for its title."""
    return "the model on" if folder is not None else "words only"


async def embed_and_scan(
    index: SearchIndex, embedder: Embedder, workspace: str, message: str
) -> float:
    """What a check by meaning cannot go below, in milliseconds: the message embedded as a
    check reads it, then the vectors scanned, one after the other (a check looks its words up
    beside them)."""
    start = time.perf_counter()
    vector = list(embedder.embed([checked_text(message)])[0].tolist())
    await index.nearest(workspace, vector, limit=MatchSettings().depth)
    return (time.perf_counter() - start) * 1000
