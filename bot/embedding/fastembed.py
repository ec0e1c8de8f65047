"""The ``Embedder`` port on fastembed (ONNX Runtime): the only module that imports fastembed.

fastembed runs the ONNX export of a sentence-transformers model on the CPU, with no PyTorch: a
query embeds in about 4 ms on 2 cores and the model needs about 100 MB of memory.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from bot.core.matching.embedder import Embedder, EmbedderUnavailable, Vectors

# Texts run through the model together: small batches pad least (16: 110 texts/s on 2 cores,
# 64: 82, 256: 62, for fact-check texts of mixed lengths).
_BATCH = 16


# ONNX Runtime's worker threads spin between operations by default, taking the cores that the
# database, the event loop and the words' lookup need while a text is embedded beside them.
# Measured at 1M on 2 cores, a message embedded while its words were looked up: p50 23 -> 17 ms,
# p90 37 -> 24 ms without spinning (alone, 9.3 against 10.3 ms).
_NO_SPINNING = {"session.intra_op.allow_spinning": "0", "session.inter_op.allow_spinning": "0"}


class FastembedEmbedder:
    def __init__(self, model: Any, name: str) -> None:
        self._model = model
        self._name = name

    @property
    def session_settings(self) -> dict[str, str]:
        """The ONNX Runtime session's settings that Claimdesk sets (empty if unknown)."""
        try:
            options = self._model.model.model.get_session_options()
            return {key: options.get_session_config_entry(key) for key in _NO_SPINNING}
        except Exception:  # not fastembed's usual layout, or an entry never set
            return {}

    @property
    def model_name(self) -> str:
        return self._name

    def embed(self, texts: Sequence[str]) -> Vectors:
        rows = np.asarray(list(self._model.embed(list(texts), batch_size=_BATCH)), np.float32)
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        unit: Vectors = rows / norms
        return unit


def load(
    model: str,
    *,
    model_path: Path | None,
    cache_dir: Path | None,
    threads: int | None,
    downloading: Callable[[], None] | None = None,
) -> Embedder:
    """Load ``model`` from ``model_path`` if given, else by name: from the cache, or downloaded
    once (``downloading`` is called first, since that may take minutes, or fail slowly).

    Raises EmbedderUnavailable with a reason a person can act on.
    """
    try:
        from fastembed import TextEmbedding
        from loguru import logger
    except ImportError as error:  # an install without the optional part
        raise EmbedderUnavailable(f"fastembed is not installed ({error.name})") from None
    # fastembed reports each failed download attempt itself; Claimdesk says it once.
    logger.disable("fastembed")
    options: dict[str, Any] = {"threads": threads}
    if cache_dir is not None:
        options["cache_dir"] = str(cache_dir)
    if model_path is not None:
        if not (model_path / "model.onnx").is_file():
            raise EmbedderUnavailable(f"no model.onnx in {model_path} (matching.model_path)")
        options["specific_model_path"] = str(model_path)
    try:
        if model_path is None:
            try:
                loaded = TextEmbedding(model_name=model, local_files_only=True, **options)
                _stop_spinning(loaded)
                return FastembedEmbedder(loaded, model)
            except Exception:  # not in the cache yet
                _must_reach_the_hub(model)
                if downloading is not None:
                    downloading()
        loaded = TextEmbedding(model_name=model, **options)
        _stop_spinning(loaded)
    except EmbedderUnavailable:
        raise
    except Exception as error:  # fastembed raises ValueError, OSError, onnxruntime's own …
        where = model_path or "the network"
        raise EmbedderUnavailable(
            f"could not load {model} from {where}: {str(error)[:200]}"
        ) from None
    return FastembedEmbedder(loaded, model)


# How long the hub may take to accept a connection before Claimdesk calls the machine offline.
HUB_TIMEOUT = 3.0


def _must_reach_the_hub(model: str) -> None:
    """Fail at once where the model's hub cannot be reached: fastembed would try for about a
    minute (its retries, then a second host) while Claimdesk said "fetching"."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}:
        raise EmbedderUnavailable(f"{model} is not in the cache and HF_HUB_OFFLINE is set")
    host = urlsplit(os.environ.get("HF_ENDPOINT") or "https://huggingface.co").hostname or ""
    try:
        socket.create_connection((host, 443), timeout=HUB_TIMEOUT).close()
    except OSError as error:
        raise EmbedderUnavailable(
            f"{model} is not in the cache and cannot be fetched: {host} cannot be reached"
            f" ({error.strerror or type(error).__name__})"
        ) from None


def _stop_spinning(loaded: Any) -> None:
    """Open fastembed's ONNX session again with spinning off (see _NO_SPINNING). fastembed
    0.9 takes no session settings of its own, so the session it opened is opened once more
    from the same file with the same options plus these. If fastembed holds its session some
    other way, its own stays: the model still works, only less well beside other work."""
    import onnxruntime as ort

    holder = getattr(loaded, "model", None)  # fastembed's model, which holds the session
    session = getattr(holder, "model", None)
    path = getattr(session, "_model_path", None)
    if holder is None or not isinstance(session, ort.InferenceSession) or not path:
        return
    options, providers = session.get_session_options(), session.get_providers()
    for key, value in _NO_SPINNING.items():
        options.add_session_config_entry(key, value)
    # The first session is let go before the second opens: both at once would raise the
    # bot's peak memory by the model's size (measured: 568 -> 613 MB at 1M).
    holder.model = session = None
    holder.model = ort.InferenceSession(path, sess_options=options, providers=providers)
