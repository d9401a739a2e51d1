"""Embeddings from a team's inference server: an OpenAI-compatible `/v1/embeddings` endpoint
(llama.cpp's server, vLLM, Ollama, Text Embeddings Inference).

Texts go in batches. A batch that fails for a reason that passes (the server unreachable or
restarting, a 5xx) is tried again after a growing pause; then the index gets one clear error
and keeps its last good state. Every vector is made unit length, as the local embedder's are.

A server that answers with one vector per token has no pooling (llama-cpp-python's server
for a model without a pooling type): the tokens are averaged here, and such a server is sent
one text at a time from then on, because it lets the texts of one batch attend to each other
(measured: the second text of a pair came back different from the same text alone).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence

import httpx
import numpy as np

from genls.errors import GenlsError
from genls.openai_api import api_base, api_client

log = logging.getLogger(__name__)

_BATCH = 64
_ATTEMPTS = 3
_FIRST_PAUSE_S = 0.5
_QUIET_AFTER_FAILURE_S = 30.0


class EmbeddingServerError(GenlsError):
    """The embedding server could not be reached or gave no usable answer."""


class EndpointEmbedder:
    """The Embedder interface (identity, dimension, embed) over HTTP; thread-safe."""

    def __init__(self, endpoint: str, model: str, api_key: str | None = None) -> None:
        self.url = f"{api_base(endpoint)}/embeddings"
        self.model = model
        # What a stored index was built with: the model, not the server's address (an index
        # built in CI against one host serves editors that reach the same model elsewhere).
        self.identity = f"embedding server model {model}"
        self._client = api_client(api_key, timeout_s=120.0)  # a batch of 64 on a busy server
        self._dimension: int | None = None
        self._one_at_a_time = False  # a server without pooling (see above)
        # After the server failed, calls fail at once for a while: a search (for every
        # completion's snippets) must not wait through the retries each time.
        self._failed: tuple[float, str] | None = None

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = int(self.embed(["dimension"]).shape[1])
        return self._dimension

    def embed(
        self, texts: Sequence[str], on_batch: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Unit-length float32 vectors, one row per text (inner product = cosine)."""
        rows = []
        for start in range(0, len(texts), _BATCH):
            batch = list(texts[start : start + _BATCH])
            rows.append(self._embed_batch(batch))
            if on_batch:
                on_batch(len(batch))
        if not rows:
            return np.zeros((0, self._dimension or 0), dtype=np.float32)
        matrix = np.vstack(rows)
        self._dimension = int(matrix.shape[1])
        return matrix

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        if self._one_at_a_time and len(texts) > 1:
            return np.vstack([self._embed_batch([text]) for text in texts])
        vectors, per_token = self._request(texts)
        if per_token and len(texts) > 1:
            log.info("%s has no pooling: sending it one text at a time", self.url)
            self._one_at_a_time = True
            return self._embed_batch(texts)
        return vectors

    def _request(self, texts: list[str]) -> tuple[np.ndarray, bool]:
        """(unit vectors, whether the server sent one vector per token)."""
        if self._failed and time.monotonic() - self._failed[0] < _QUIET_AFTER_FAILURE_S:
            raise EmbeddingServerError(self._failed[1])
        pause = _FIRST_PAUSE_S
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                reply = self._client.post(self.url, json={"model": self.model, "input": texts})
            except httpx.HTTPError as exc:
                problem = f"cannot reach the embedding server at {self.url}: {exc}"
            else:
                if reply.status_code == 200:
                    return _vectors(reply, len(texts), self.url)
                problem = f"the embedding server at {self.url} answered {reply.status_code}: "
                problem += reply.text[:200]
                if reply.status_code < 500:  # a wrong model name or key: trying again won't help
                    raise EmbeddingServerError(problem)
            if attempt < _ATTEMPTS:
                log.warning("%s; trying again in %.1fs", problem, pause)
                time.sleep(pause)
                pause *= 2
        self._failed = (time.monotonic(), problem)
        raise EmbeddingServerError(problem)

    def close(self) -> None:
        self._client.close()


def _vectors(reply: httpx.Response, count: int, url: str) -> tuple[np.ndarray, bool]:
    """The reply's vectors in input order, pooled and unit length, and whether the server
    sent one vector per token."""
    try:
        items = sorted(reply.json()["data"], key=lambda item: item.get("index", 0))
        vectors = [np.asarray(item["embedding"], dtype=np.float32) for item in items]
    except (ValueError, KeyError, TypeError) as exc:
        raise EmbeddingServerError(f"the embedding server at {url} sent no embeddings") from exc
    if len(vectors) != count:
        raise EmbeddingServerError(
            f"the embedding server at {url} sent {len(vectors)} embeddings for {count} texts"
        )
    per_token = any(v.ndim == 2 for v in vectors)
    pooled = np.vstack([v.mean(axis=0) if v.ndim == 2 else v for v in vectors])
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.maximum(norms, 1e-12), per_token
