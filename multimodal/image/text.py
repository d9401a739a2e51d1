"""Prompts to conditioning vectors: the bundled MiniLM sentence embedding (384 numbers)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from multimodal.image.errors import ImageError

EMBEDDING_DIM = 384
MAX_PROMPT_CHARS = 500


class PromptError(ImageError, ValueError):
    """A prompt the model cannot use (the message says why)."""


def check_prompt(prompt: str) -> str:
    text = " ".join(prompt.split())
    if not text:
        raise PromptError("the prompt is empty: describe the icon, e.g. 'a red potion bottle'")
    if len(text) > MAX_PROMPT_CHARS:
        raise PromptError(f"the prompt is longer than {MAX_PROMPT_CHARS} characters")
    return text


def mostly_latin(text: str) -> bool:
    """The icons' captions are English; MiniLM maps other scripts to little it knows."""
    letters = [c for c in text if c.isalpha()]
    return not letters or sum(c.isascii() for c in letters) / len(letters) >= 0.5


class PromptEncoder:
    """MiniLM loads on first use; call from worker threads only."""

    def __init__(self, threads: int = 1) -> None:
        from genls.index.embeddings import Embedder

        self._embedder = Embedder(threads=threads)

    def embed_captions(self, texts: Sequence[str]) -> np.ndarray:
        return self._embedder.embed(list(texts))

    def embed(self, prompt: str) -> np.ndarray:
        return self._embedder.embed([check_prompt(prompt)])[0]
