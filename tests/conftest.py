from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.matching.embedder import Embedder, SemanticModel
from bot.core.matching.matcher import Matcher
from bot.core.matching.worker import EmbeddingWorker
from bot.core.models import Actor, ModeratorSettings
from bot.core.service import ClaimService
from bot.store.sqlite import SqliteStore

REPO = Path(__file__).resolve().parent.parent
# The sentence-embedding model shipped beside the project for machines that cannot download.
MODEL_PATH = REPO.parent / "shared" / "models" / "all-MiniLM-L6-v2-int8"
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
WS = "console:newsroom"
OTHER_WS = "discord:999"


class StepClock:
    """Deterministic time: each reading is one minute after the previous one."""

    def __init__(self) -> None:
        self._now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        self._now += timedelta(minutes=1)
        return self._now


@dataclass
class Desk:
    store: SqliteStore
    service: ClaimService
    path: Path
    reporter: Actor
    editor: Actor
    outsider: Actor  # same people, another workspace
    embedding: EmbeddingWorker

    def snapshot(self) -> dict[str, object]:
        """Everything a refused request must leave untouched, read straight from the file."""
        with sqlite3.connect(self.path) as conn:
            tables = [
                "workspaces",
                "claims",
                "claim_tags",
                "sources",
                "history",
                "workspace_moderators",
            ]
            return {t: conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real model, loaded once for the whole run (about a second)."""
    from bot.embedding import fastembed

    if not (MODEL_PATH / "model.onnx").is_file():
        pytest.fail(f"the shared model is missing: {MODEL_PATH} (see the README's Set-up)")
    return fastembed.load(MODEL_NAME, model_path=MODEL_PATH, cache_dir=None, threads=None)


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    """A desk matching by words only (no model), as the bot runs when none can be had."""
    async for desk in open_desk(tmp_path, SemanticModel(None, name="none")):
        yield desk


@pytest.fixture
async def smart_desk(tmp_path: Path, embedder: Embedder) -> AsyncIterator[Desk]:
    """A desk with the real sentence-embedding model."""
    async for desk in open_desk(tmp_path, SemanticModel.ready_with(embedder)):
        yield desk


async def open_desk(tmp_path: Path, model: SemanticModel) -> AsyncIterator[Desk]:
    path = tmp_path / "claims.sqlite3"
    store = await SqliteStore.open(path)
    service = ClaimService(
        store,
        StepClock(),
        matcher=Matcher(store, model),
        configured_moderators={WS: ModeratorSettings(role_ids=frozenset({"editors"}))},
    )
    try:
        yield Desk(
            store=store,
            service=service,
            path=path,
            reporter=Actor(workspace=WS, user_id="u-rep", display_name="Rita Reporter"),
            editor=Actor(
                workspace=WS,
                user_id="u-ed",
                display_name="Eddie Editor",
                role_ids=frozenset({"editors"}),
            ),
            outsider=Actor(
                workspace=OTHER_WS,
                user_id="u-ed",
                display_name="Eddie Editor",
                is_workspace_admin=True,
            ),
            embedding=EmbeddingWorker(store, model),
        )
    finally:
        await store.close()
