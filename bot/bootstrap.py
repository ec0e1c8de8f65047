"""The one place where Claimdesk's parts are built and wired together.

Everything else receives what it needs as arguments; no module builds settings, connections or
clients at import time.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot import collector
from bot.config import Config, FactCheckConfig, MatchingConfig, StorageConfig
from bot.core.commands import CommandRunner
from bot.core.desk import RepeatRule
from bot.core.lookup import FactCheckSearch, Lookup
from bot.core.matching.embedder import Embedder, SemanticModel
from bot.core.matching.matcher import Matcher
from bot.core.matching.worker import EmbeddingWorker
from bot.core.models import ModeratorSettings
from bot.core.ports import Clock, Store, SystemClock
from bot.core.ratings import RatingTable
from bot.core.review_import import ReviewImporter
from bot.core.service import ClaimService

CONSOLE_MODERATOR_ROLE = "console-moderator"


def console_workspace(config: Config) -> str:
    return f"console:{config.console.workspace}"


@dataclass
class Claimdesk:
    config: Config
    store: Store
    service: ClaimService
    commands: CommandRunner
    clock: Clock
    semantic: SemanticModel
    matcher: Matcher
    importer: ReviewImporter
    embedding: EmbeddingWorker


def _moderators(config: Config) -> dict[str, ModeratorSettings]:
    moderators = config.moderators()
    # `claimdesk console --moderator` gives the local user this role; it means nothing elsewhere.
    local = console_workspace(config)
    extra = moderators.get(local, ModeratorSettings())
    moderators[local] = ModeratorSettings(
        role_ids=extra.role_ids | {CONSOLE_MODERATOR_ROLE}, user_ids=extra.user_ids
    )
    return moderators


# What to do when the model cannot be had, in the configuration's own words.
MODEL_REMEDY = (
    "To match by meaning, set matching.model_path in the config (or CLAIMDESK_MODEL_PATH) to a"
    " folder holding the model's model.onnx and tokenizer.json (an ONNX export of {model})"
)
SWITCHED_ON = "To match by meaning, set matching.semantic = true in the config"


def semantic_model(config: MatchingConfig) -> SemanticModel:
    """The embedder, to be loaded in the background (``start``); off if configured so."""
    if not config.semantic:
        return SemanticModel(None, name=config.model, remedy=SWITCHED_ON)

    def load(downloading: Callable[[], None]) -> Embedder:
        from bot.embedding import fastembed  # imported only when semantic matching is on

        return fastembed.load(
            config.model,
            model_path=config.resolved_model_path(),
            cache_dir=config.resolved_cache_dir(),
            threads=config.threads or None,
            downloading=downloading,
        )

    return SemanticModel(load, name=config.model, remedy=MODEL_REMEDY.format(model=config.model))


def fact_check_search(config: FactCheckConfig) -> FactCheckSearch | None:
    """Google's Fact Check Tools when a key is configured; else none (lookup says why)."""
    if config.api_key is None:
        return None
    from bot.factcheck.google import GoogleFactCheck  # imported only when used

    return GoogleFactCheck(
        config.api_key.get_secret_value(), base=config.api_base, language=config.language
    )


async def open_store(config: StorageConfig) -> Store:
    """The configured store, opened and migrated: PostgreSQL when an address is configured,
    else the SQLite file."""
    url = config.database_url()
    if url is not None:
        from bot.store.postgres import PostgresStore

        return await PostgresStore.open(url)
    from bot.store.sqlite import SqliteStore

    return await SqliteStore.open(config.resolved_path())


@asynccontextmanager
async def open_claimdesk(
    config: Config, *, clock: Clock | None = None, semantic: SemanticModel | None = None
) -> AsyncIterator[Claimdesk]:
    """Open the store and build the parts; the model starts loading in the background."""
    store = await open_store(config.storage)
    clock = clock or SystemClock()
    try:
        semantic = semantic or semantic_model(config.matching)
        semantic.start()
        matcher = Matcher(store, semantic)
        importer = ReviewImporter(store, matcher, clock, RatingTable(config.claimreview.ratings))
        service = ClaimService(
            store,
            clock,
            matcher=matcher,
            configured_moderators=_moderators(config),
            lookup=Lookup(fact_check_search(config.factcheck), importer, store, clock),
            repeat=RepeatRule(threshold=config.alerts.repeat_threshold),
        )
        worker = EmbeddingWorker(store, semantic)
        service.on_write(worker.wake)
        collector.freeze_what_start_up_built()
        yield Claimdesk(
            config=config,
            store=store,
            service=service,
            commands=CommandRunner(service),
            clock=clock,
            semantic=semantic,
            matcher=matcher,
            importer=importer,
            embedding=worker,
        )
    finally:
        await store.close()
        if semantic is not None:
            await asyncio.to_thread(semantic.close)
