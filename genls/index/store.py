"""The index on disk: generations that are complete before they become current.

Each save writes a new folder `gen-<n>` (SQLite metadata + a faiss vector index) and then
replaces the one-line file CURRENT that names it; os.replace is atomic, so a process killed at
any moment leaves CURRENT naming a complete generation, old or new. Older generations are
removed after the switch. A missing, corrupt or old-schema index loads as empty (and says why).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import filelock
import numpy as np

from genls.index.chunks import Chunk
from genls.index.lexical import code_words
from genls.index.symbols import Definition

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2  # 2: embeddings of the first 128 word pieces


@dataclass
class IndexedFile:
    path: str
    sha256: str
    language: str
    chunks: list[Chunk]
    vectors: np.ndarray  # one row per chunk
    definitions: list[Definition] = field(default_factory=list)

    @functools.cached_property
    def words(self) -> list[list[str]]:
        """The BM25 words of each chunk: computed once per file, not per index rebuild."""
        return [code_words(chunk.embedding_text) for chunk in self.chunks]


class WriterLock:
    """One writer per index folder: a second genls on the workspace reads and does not write.

    An OS file lock (flock), so it goes away with the process, even after kill -9.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = filelock.FileLock(folder / "LOCK", timeout=0, thread_local=False)

    def acquire(self) -> bool:
        if self._lock.is_locked:
            return True
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        except (filelock.Timeout, OSError):
            return False
        log.debug("this process writes the index in %s", self.folder)
        return True

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def release(self) -> None:
        self._lock.release(force=True)


def save(folder: Path, files: dict[str, IndexedFile], embedding_model: str, dimension: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    generation = _next_generation(folder)
    target = folder / generation
    target.mkdir()
    db = sqlite3.connect(target / "meta.sqlite")
    try:
        _write_tables(db, files, embedding_model, dimension)
        db.commit()
    finally:
        db.close()
    log.debug("index %s: tables written, vectors next", generation)
    vectors = [f.vectors for f in files.values() if len(f.vectors)]
    matrix = np.vstack(vectors) if vectors else np.zeros((0, dimension), dtype=np.float32)
    index = faiss.IndexFlatIP(dimension)
    index.add(matrix)
    faiss.write_index(index, str(target / "vectors.faiss"))
    _fsync_tree(target)
    pointer = folder / "CURRENT.tmp"
    pointer.write_text(generation + "\n")
    os.replace(pointer, folder / "CURRENT")
    for old in folder.glob("gen-*"):
        if old.name != generation:
            shutil.rmtree(old, ignore_errors=True)


def load(folder: Path, embedding_model: str) -> tuple[dict[str, IndexedFile], str | None]:
    """(files, None), or ({}, why) when there is nothing usable to load."""
    try:
        generation = (folder / "CURRENT").read_text().strip()
    except FileNotFoundError:
        return {}, None
    target = folder / generation
    try:
        db = sqlite3.connect(f"file:{target / 'meta.sqlite'}?mode=ro", uri=True)
        try:
            info = dict(db.execute("SELECT key, value FROM info"))
            if int(info.get("schema", 0)) != SCHEMA_VERSION:
                return {}, f"index schema {info.get('schema')} is not {SCHEMA_VERSION}"
            if info.get("embedding_model") != embedding_model:
                return {}, "index was built with another embedding model"
            matrix = _read_vectors(target / "vectors.faiss")
            return _read_tables(db, matrix), None
        finally:
            db.close()
    except (sqlite3.Error, RuntimeError, ValueError, OSError) as exc:
        return {}, f"index at {target} is unreadable ({exc})"


def _next_generation(folder: Path) -> str:
    numbers = [int(p.name[4:]) for p in folder.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1}"


def _write_tables(
    db: sqlite3.Connection, files: dict[str, IndexedFile], embedding_model: str, dimension: int
) -> None:
    db.executescript("""
        CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE files (path TEXT PRIMARY KEY, sha256 TEXT, language TEXT);
        CREATE TABLE chunks (row INTEGER PRIMARY KEY, path TEXT, start_line INTEGER,
                             end_line INTEGER, symbol TEXT, kind TEXT, text TEXT);
        CREATE TABLE definitions (path TEXT, data TEXT);
    """)
    db.executemany(
        "INSERT INTO info VALUES (?, ?)",
        [
            ("schema", str(SCHEMA_VERSION)),
            ("embedding_model", embedding_model),
            ("dimension", str(dimension)),
        ],
    )
    row = 0
    for indexed in files.values():
        db.execute(
            "INSERT INTO files VALUES (?, ?, ?)", (indexed.path, indexed.sha256, indexed.language)
        )
        for chunk in indexed.chunks:
            db.execute(
                "INSERT INTO chunks VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    row,
                    chunk.path,
                    chunk.start_line,
                    chunk.end_line,
                    chunk.symbol,
                    chunk.kind,
                    chunk.text,
                ),
            )
            row += 1
        db.executemany(
            "INSERT INTO definitions VALUES (?, ?)",
            [(indexed.path, json.dumps(d.__dict__)) for d in indexed.definitions],
        )


def _read_vectors(path: Path) -> np.ndarray:
    index = faiss.read_index(str(path))
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return index.reconstruct_n(0, index.ntotal)


def _read_tables(db: sqlite3.Connection, matrix: np.ndarray) -> dict[str, IndexedFile]:
    files: dict[str, IndexedFile] = {}
    for path, sha256, language in db.execute("SELECT path, sha256, language FROM files"):
        files[path] = IndexedFile(
            path, sha256, language, [], np.zeros((0, matrix.shape[1]), dtype=np.float32)
        )
    rows: dict[str, list[int]] = {path: [] for path in files}
    for row, path, start, end, symbol, kind, text in db.execute(
        "SELECT row, path, start_line, end_line, symbol, kind, text FROM chunks ORDER BY row"
    ):
        files[path].chunks.append(Chunk(path, start, end, symbol, kind, text))
        rows[path].append(row)
    if sum(len(r) for r in rows.values()) != len(matrix):
        raise ValueError("vector count does not match chunk count")
    for path, indexed in files.items():
        indexed.vectors = matrix[rows[path]] if rows[path] else indexed.vectors
    for path, data in db.execute("SELECT path, data FROM definitions"):
        files[path].definitions.append(Definition(**json.loads(data)))
    return files


def _fsync_tree(folder: Path) -> None:
    for path in folder.iterdir():
        with path.open("rb") as stream:
            os.fsync(stream.fileno())
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
