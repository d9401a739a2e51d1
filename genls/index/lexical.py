"""BM25 over code words (bm25s): identifiers split at camelCase and snake_case, plus words."""

from __future__ import annotations

import re
from collections.abc import Sequence

import bm25s
import numpy as np

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_STOP = frozenset({"the", "a", "an", "of", "to", "in", "and", "or", "is", "it", "for", "self"})


def code_words(text: str) -> list[str]:
    """`parseHTTPResponse_fast` -> parsehttpresponse_fast's parts: parse, http, response, fast,
    plus the whole identifier, so exact names still match best."""
    words: list[str] = []
    for identifier in re.findall(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+", text):
        parts = [p.lower() for piece in _WORD.findall(identifier) for p in _CAMEL.findall(piece)]
        whole = identifier.lower().strip("_")
        words.extend(p for p in parts if p not in _STOP)
        if whole and len(parts) > 1:
            words.append(whole)
    return words


class LexicalIndex:
    def __init__(self, documents: Sequence[list[str]]) -> None:
        """`documents`: the code_words of each text."""
        self._size = len(documents)
        self._retriever = bm25s.BM25()
        corpus = [words or ["\u2205"] for words in documents]
        if corpus:
            self._retriever.index(corpus, show_progress=False)
        self._vocabulary = set(self._retriever.vocab_dict) if corpus else set()

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(row, score) pairs, best first; rows are positions in the indexed texts."""
        words = [word for word in code_words(query) if word in self._vocabulary]
        if not words or not self._size:
            return []
        rows, scores = self._retriever.retrieve([words], k=min(k, self._size), show_progress=False)
        return [
            (int(row), float(score))
            for row, score in zip(rows[0], scores[0], strict=True)
            if score > 0 and np.isfinite(score)
        ]
