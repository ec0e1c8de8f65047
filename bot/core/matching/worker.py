"""The background worker that embeds queued claims, off every command's path.

A claim is queued in the same transaction that adds it (or adds a titled source to it), so an
acknowledged claim is always embedded eventually, even across a crash; until then lexical
matching finds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence

from bot.core.matching.embedder import Embedder, SemanticModel
from bot.core.matching.text import document_text
from bot.core.ports import EmbeddingStore, EmbedJob

log = logging.getLogger(__name__)

# Claims taken from the queue at once; they are embedded shortest first, so each of the model's
# batches pads little (measured: 137 texts/s sorted against 82 unsorted on 2 cores).
BATCH = 128
IDLE_SECONDS = 5.0
REPORT_EVERY = 5000
RETRY_SECONDS = 30.0


class EmbeddingWorker:
    def __init__(self, store: EmbeddingStore, model: SemanticModel, *, batch: int = BATCH) -> None:
        self._store = store
        self._model = model
        self._batch = batch
        self._wake = asyncio.Event()
        self._model_recorded: str | None = None
        self._since_report = 0

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Embed whatever is queued, then wait for more, until ``stop`` is set."""
        while not stop.is_set():
            pause = IDLE_SECONDS
            embedder = self._model.current()
            if embedder is not None:
                try:
                    if done := await self.embed_batch(embedder):
                        await self._report(done)
                        continue
                except Exception:
                    # A broken batch must not end the bot; it is tried again later.
                    log.exception("embedding a batch of claims failed; retrying later")
                    pause = RETRY_SECONDS
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    stop_waiter = asyncio.ensure_future(stop.wait())
                    wake_waiter = asyncio.ensure_future(self._wake.wait())
                    try:
                        await asyncio.wait(
                            (stop_waiter, wake_waiter), return_when=asyncio.FIRST_COMPLETED
                        )
                    finally:
                        stop_waiter.cancel()
                        wake_waiter.cancel()

    async def _report(self, done: int) -> None:
        """A line in the log every REPORT_EVERY claims of a back-fill (an upgraded store, an
        import): the bot's progress bar."""
        self._since_report += done
        if self._since_report >= REPORT_EVERY:
            self._since_report = 0
            counts = await self._store.embedding_counts()
            log.info(
                "embedding claims: %s embedded, %s waiting",
                f"{counts.embedded:,}",
                f"{counts.queued:,}",
            )

    async def embed_batch(self, embedder: Embedder) -> int:
        """Embed one batch of queued claims; returns how many (0: the queue is empty)."""
        if self._model_recorded != embedder.model_name:
            if await self._store.use_embedding_model(embedder.model_name):
                log.info("the embedding model changed: every claim is embedded again")
            self._model_recorded = embedder.model_name
        jobs = await self._store.embedding_jobs(self._batch)
        if not jobs:
            return 0
        jobs.sort(key=lambda j: len(j.text) + sum(map(len, j.titles)))
        texts = [document_text(j.text, j.claimant, j.titles) for j in jobs]
        vectors = await asyncio.to_thread(embedder.embed, texts)
        done: list[tuple[EmbedJob, Sequence[float]]] = [
            (job, vector) for job, vector in zip(jobs, vectors, strict=True)
        ]
        await self._store.save_embeddings(done)
        return len(jobs)

    async def drain(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Embed everything queued now (the `embed` command, benchmarks); returns how many.

        ``progress(done, total)`` is called after each batch.
        """
        embedder = self._model.current()
        if embedder is None:
            return 0
        total = (await self._store.embedding_counts()).queued
        done = 0
        while count := await self.embed_batch(embedder):
            done += count
            if progress:
                progress(done, max(total, done))
        return done
