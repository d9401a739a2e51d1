"""The parsed files of a folder, without embeddings: what the code graphs are built from.

The workspace index keeps only definitions; graphs also need imports, calls and class
structure, so they parse again with the same queries. A ParseCache keeps the results by
size and modification time, so a second diagram of the same workspace reparses only what
changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from genls.index.files import workspace_files
from genls.index.languages import language_for
from genls.index.symbols import FileSymbols, extract_symbols


@dataclass(frozen=True)
class ParsedFile:
    path: str  # relative to the scanned root, POSIX
    language: str  # LSP languageId
    symbols: FileSymbols


class ParseCache:
    """Parsed files by (path, size, mtime); owned by whoever scans repeatedly (the server)."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[int, int], ParsedFile]] = {}

    def get(self, path: str, stamp: tuple[int, int]) -> ParsedFile | None:
        entry = self._entries.get(path)
        return entry[1] if entry is not None and entry[0] == stamp else None

    def put(self, path: str, stamp: tuple[int, int], parsed: ParsedFile) -> None:
        self._entries[path] = (stamp, parsed)

    def keep_only(self, paths: set[str]) -> None:
        for path in self._entries.keys() - paths:
            del self._entries[path]


@dataclass(frozen=True)
class SourceTree:
    root: Path
    files: tuple[ParsedFile, ...]  # sorted by path
    go_modules: dict[str, str]  # Go module path by the folder holding its go.mod ("." root)


def scan_sources(
    root: Path, max_file_bytes: int = 1_000_000, cache: ParseCache | None = None
) -> SourceTree:
    """Every indexable file under root with a tree-sitter grammar, parsed."""
    root = root.resolve()
    parsed: list[ParsedFile] = []
    modules: dict[str, str] = {}
    for relative in workspace_files(root, max_file_bytes):
        path = relative.as_posix()
        if relative.name == "go.mod":
            modules.update(_go_module(root, relative))
            continue
        language = language_for(None, path)
        if language.grammar_module is None:
            continue
        try:
            status = os.stat(root / relative)
        except OSError:
            continue
        stamp = (status.st_size, status.st_mtime_ns)
        found = cache.get(path, stamp) if cache else None
        if found is None:
            try:
                text = (root / relative).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            found = ParsedFile(path, language.id, extract_symbols(text, language))
            if cache:
                cache.put(path, stamp, found)
        parsed.append(found)
    if cache:
        cache.keep_only({file.path for file in parsed})
    return SourceTree(root, tuple(parsed), modules)


def _go_module(root: Path, go_mod: Path) -> dict[str, str]:
    """{folder: module path} from one go.mod."""
    try:
        lines = (root / go_mod).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {}
    folder = go_mod.parent.as_posix()
    modules = [line.split()[1].strip('"') for line in lines if line.startswith("module ")]
    return {folder: modules[0]} if modules else {}
