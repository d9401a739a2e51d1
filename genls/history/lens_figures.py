"""The figures of a history code lens: how many commits touched a symbol's lines at HEAD,
and the last one's subject. Lenses resolve on several threads at once; figures are cached by
(HEAD, path, symbol), so an editor scrolling back over a file asks git nothing again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from genls.history.commits import open_repository, resolve
from genls.history.symbol_history import file_text, find_symbol, relative_path, touching_commits

SUBJECT_CHARS = 60
CACHE_SIZE = 4096


class LensFigures:
    def __init__(self) -> None:
        self._cache: dict[tuple[str, str, str], tuple[int, str]] = {}
        self._lock = threading.Lock()

    def of(self, path: Path, symbol: str, should_stop: Callable[[], bool]) -> tuple[int, str]:
        """(commits, last subject) for `symbol` in `path` at HEAD; raises GenlsError when the
        file or symbol is not in HEAD or not in a repository."""
        repo = open_repository(path.parent)
        head = resolve(repo, "HEAD")
        relative = relative_path(repo, path)
        key = (head, relative, symbol)
        with self._lock:
            figures = self._cache.get(key)
        if figures is not None:
            return figures
        definition = find_symbol(file_text(repo, head, relative), relative, symbol)
        lines = (definition.start_line + 1, definition.end_line + 1)
        commits = touching_commits(repo, relative, lines, head, should_stop)
        subject = commits[0].subject if commits else ""
        if len(subject) > SUBJECT_CHARS:
            subject = subject[: SUBJECT_CHARS - 1] + "…"
        figures = (len(commits), subject)
        with self._lock:
            if len(self._cache) >= CACHE_SIZE:
                self._cache.clear()  # old HEADs: cheaper to forget than to track
            self._cache[key] = figures
        return figures
