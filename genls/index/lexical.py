"""BM25 over code words: identifiers split at camelCase and snake_case, plus words.

SQLite's FTS5 does the BM25 ranking. It is updated file by file, so saving one file in a big
workspace re-indexes that file's chunks only (a bm25s index would be rebuilt whole).
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Sequence

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*|[0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")
_STOP = frozenset({"the", "a", "an", "of", "to", "in", "and", "or", "is", "it", "for", "self"})

ChunkKey = tuple[str, int]  # (path, position of the chunk in its file)


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
    """In memory; safe to use from several threads (one connection behind a lock)."""

    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", check_same_thread=False)
        self._lock = threading.Lock()
        # Words are already split; "_" stays inside whole identifiers like parse_args.
        self._db.execute(
            "CREATE VIRTUAL TABLE chunks USING fts5("
            "path UNINDEXED, position UNINDEXED, words, tokenize=\"unicode61 tokenchars '_'\")"
        )

    def set_file(self, path: str, documents: Sequence[list[str]]) -> None:
        """Replace a file's chunks; `documents` holds the code_words of each chunk."""
        with self._lock, self._db:
            self._db.execute("DELETE FROM chunks WHERE path = ?", (path,))
            self._db.executemany(
                "INSERT INTO chunks (path, position, words) VALUES (?, ?, ?)",
                [(path, position, " ".join(words)) for position, words in enumerate(documents)],
            )

    def remove_file(self, path: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM chunks WHERE path = ?", (path,))

    def search(self, query: str, k: int) -> list[tuple[ChunkKey, float]]:
        """Chunks containing any word of the query, best BM25 score first."""
        words = dict.fromkeys(code_words(query))
        if not words:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
        with self._lock:
            rows = self._db.execute(
                "SELECT path, position, bm25(chunks) FROM chunks WHERE chunks MATCH ? "
                "ORDER BY bm25(chunks) LIMIT ?",
                (match, k),
            ).fetchall()
        # FTS5's bm25() is negative, lower is better.
        return [((path, int(position)), -score) for path, position, score in rows]
