"""Sentence embeddings, behind a port: the core never imports a model library.

``SemanticModel`` loads the embedder in a daemon thread, so neither a slow download nor a
missing model can hold up the bot's start: until the model is ready Claimdesk matches by words
alone, and if it never loads, says so once and goes on that way.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    @property
    def model_name(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One unit-length row per text. CPU-bound: call it from a worker thread."""
        ...


class EmbedderUnavailable(Exception):
    """The model cannot be had (no network, no folder, a broken file): the reason says which."""


class ModelState(StrEnum):
    OFF = "off"  # switched off in the configuration
    LOADING = "loading"
    READY = "ready"
    FAILED = "failed"


# A loader gets a function to call when it has to download the model (slow, maybe failing
# slowly), so that nothing waits for it then.
Loader = Callable[[Callable[[], None]], Embedder]


class SemanticModel:
    def __init__(self, load: Loader | None, *, name: str, remedy: str = "") -> None:
        self._load = load
        self.name = name
        # What a person does to turn matching by meaning on (the configuration's words: the
        # bootstrap knows them, the core does not); said wherever Claimdesk says it is off.
        self.remedy = remedy
        self.downloading = False
        self.state = ModelState.OFF if load is None else ModelState.LOADING
        self.reason = "switched off in the configuration" if load is None else ""
        self._embedder: Embedder | None = None
        self._thread: threading.Thread | None = None
        # Set once loading ends, or turns into a download.
        self._may_wait = threading.Event()
        # Set once loading ends, download included.
        self._done = threading.Event()

    @classmethod
    def ready_with(cls, embedder: Embedder) -> SemanticModel:
        """An already loaded embedder (tests and benchmarks that load it themselves)."""
        model = cls(None, name=embedder.model_name)
        model._embedder, model.state, model.reason = embedder, ModelState.READY, ""
        return model

    def start(self) -> None:
        """Begin loading in the background (once); returns at once."""
        if self._load is None or self._thread is not None:
            return
        # A daemon thread: a load stuck on the network never keeps the process from exiting.
        self._thread = threading.Thread(target=self._run, name="embedder-load", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        assert self._load is not None
        try:
            embedder = self._load(self._downloading)
        except Exception as error:  # any failure of an optional part means: lexical only
            self.reason = str(error) or type(error).__name__
            self.state = ModelState.FAILED
            log.warning("Semantic matching is %s.", self.describe())
        else:
            self._embedder = embedder
            self.state = ModelState.READY
            log.info("Semantic matching is on (%s).", embedder.model_name)
        finally:
            self._may_wait.set()
            self._done.set()

    def _downloading(self) -> None:
        self.downloading = True
        self._may_wait.set()
        log.info("Fetching the model %s; matching by words until it is ready.", self.name)

    def current(self) -> Embedder | None:
        return self._embedder

    # How long closing waits for a load from disk to finish (it takes about a second).
    CLOSE_WAIT = 30.0

    def close(self) -> None:
        """Let a load under way finish before the process ends. ONNX Runtime aborts the whole
        process ("terminate called without an active exception", SIGABRT) when the interpreter
        exits while a daemon thread is building its session: a one-off command that answered
        before the model was ready died that way after printing its answer. A download is not
        waited for (it may take minutes; its thread is in Python's network code until then)."""
        thread = self._thread
        if thread is not None and thread.is_alive() and not self.downloading:
            thread.join(self.CLOSE_WAIT)

    async def wait_loaded(self, within: float, *, download: bool = False) -> bool:
        """Wait up to ``within`` seconds for the model to load from disk (for one-off commands
        that want it; the bot never waits). A download is waited for only when ``download``
        (``claimdesk embed``, which needs the model). Returns whether it is ready."""
        if self.state is ModelState.LOADING:
            await asyncio.to_thread((self._done if download else self._may_wait).wait, within)
        return self.state is ModelState.READY

    def describe(self) -> str:
        match self.state:
            case ModelState.READY:
                return f"on ({self.name})"
            case ModelState.LOADING:
                doing = "fetching" if self.downloading else "loading"
                return f"{doing} {self.name}; matching by words until it is ready"
            case _:
                fix = f". {self.remedy}" if self.remedy else ""
                return f"off ({self.reason}); matching by words only{fix}"
