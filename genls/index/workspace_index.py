"""The workspace index: files -> symbols and chunks -> embeddings + BM25, kept up to date.

Only files whose content hash changed are parsed and embedded again. Searches run against an
immutable snapshot that is swapped in whole after each update, so readers (completions on the
model thread, searches from the editor) never see a half-built index.

With a shared store (a team's index in PostgreSQL, genls.index.shared_store) the index serves
the nearest stored commit of the workspace's branch for every file that is the same here, and
parses and embeds only the files that differ: the local overlay, kept on disk as a local index
would be. Searches fuse both.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from genls.config import Settings
from genls.errors import GenlsError
from genls.index import store
from genls.index.chunks import Chunk, chunk_file
from genls.index.embeddings import TextEmbedder, create_embedder
from genls.index.files import indexable_among, workspace_files
from genls.index.git_commits import committed_head, recent_commits
from genls.index.languages import PLAIN_TEXT, language_for
from genls.index.lexical import ChunkKey, LexicalIndex, code_words
from genls.index.retrieval import cap_per_file, fuse_ranks
from genls.index.shared_store import SharedHit, SharedStore, SharedStoreError, StoredCommit
from genls.index.store import IndexedFile
from genls.index.symbols import Definition, extract_symbols

log = logging.getLogger(__name__)

# Each ranking contributes this many candidates to the fusion.
_CANDIDATES = 50
# BM25's votes count half: on `genls bench index` equal weights lost recall to the embedding
# ranking alone, half weight gained recall@5 and MRR over equal weights.
_WORDS_WEIGHT = 0.5
# Chunks of several files are embedded together, in batches of about this many.
_EMBED_BATCH_CHUNKS = 256

Progress = Callable[[int, int, str], None]  # (files done, files in all, current path)


@dataclass(frozen=True)
class Hit:
    path: str
    start_line: int
    end_line: int
    symbol: str | None
    score: float
    text: str


@dataclass(frozen=True)
class UpdateSummary:
    files: int
    chunks: int
    changed: int
    removed: int
    languages: dict[str, int]
    seconds: float
    stage_seconds: dict[str, float]  # where the time went: list, read, parse, embed, store...
    embedded_chunks: int  # chunks whose text was new (others kept their vectors)


_PACKAGE_FILES = frozenset({"__init__", "index", "mod", "lib"})


def module_name(path: str) -> str:
    """The name code imports a file by: its stem, or its folder's for package files."""
    parts = Path(path).with_suffix("").parts
    if parts[-1] in _PACKAGE_FILES and len(parts) > 1:
        return parts[-2]
    return parts[-1]


class _Snapshot:
    """Search structures over one state of the index; never modified after construction.
    `served` are the paths the shared commit serves (their definitions come from it)."""

    def __init__(
        self,
        files: dict[str, IndexedFile],
        dimension: int,
        served: frozenset[str] = frozenset(),
        shared: StoredCommit | None = None,
    ) -> None:
        self.served = served
        self.shared_commit = shared
        self.chunks: list[Chunk] = [c for f in files.values() for c in f.chunks]
        vectors = [f.vectors for f in files.values() if len(f.vectors)]
        matrix = np.vstack(vectors) if vectors else np.zeros((0, dimension), dtype=np.float32)
        self.vectors = faiss.IndexFlatIP(dimension)
        self.vectors.add(matrix)
        # The lexical index is shared and updated in place: its hits are found by key here,
        # and a hit from a newer state than this snapshot is dropped.
        self.rows: dict[ChunkKey, int] = {}
        for indexed in files.values():
            for position in range(len(indexed.chunks)):
                self.rows[(indexed.path, position)] = len(self.rows)
        self.keys = list(self.rows)  # by row
        file_definitions = {path: f.definitions for path, f in files.items()}
        if shared is not None:
            file_definitions.update((path, shared.definitions[path]) for path in sorted(served))
        self.definitions: list[tuple[str, Definition]] = [
            (path, d) for path, definitions in file_definitions.items() for d in definitions
        ]
        self.by_name: dict[str, list[tuple[str, Definition]]] = {}
        for path, definition in self.definitions:
            self.by_name.setdefault(definition.name, []).append((path, definition))
        self.by_module: dict[str, list[tuple[str, list[Definition]]]] = {}
        for path, definitions in file_definitions.items():
            if definitions:
                self.by_module.setdefault(module_name(path), []).append((path, definitions))


class WorkspaceIndex:
    def __init__(
        self,
        root: Path,
        folder: Path,
        embedder: TextEmbedder,
        max_file_bytes: int,
        shared: SharedStore | None = None,
    ) -> None:
        self.root = root.resolve()
        self.folder = folder
        self.embedder = embedder
        self.max_file_bytes = max_file_bytes
        self.shared = shared
        self.shared_commit: StoredCommit | None = None  # what the shared store serves here
        self.store_problem: str | None = None  # why the shared store serves nothing here
        self._files: dict[str, IndexedFile] = {}  # the local index (with a store: the overlay)
        self._served: frozenset[str] = frozenset()  # paths served by shared_commit as they are
        self._snapshot: _Snapshot | None = None
        self._generation = 0  # counts snapshots: an id() could repeat after one is collected
        self._lock = store.WriterLock(folder)
        self._lexical = LexicalIndex()
        self._stage_seconds: Counter[str] = Counter()  # of the running update
        self._embedded_chunks = 0  # of the running update

    @classmethod
    def from_settings(cls, root: Path, settings: Settings) -> WorkspaceIndex:
        """The index a workspace's settings ask for (not loaded yet: no model, no server)."""
        embedder = create_embedder(
            settings.index.embedding_model,
            settings.runtime.threads,
            settings.index.embedding_endpoint,
            settings.runtime.api_key,
        )
        shared = SharedStore(settings.index.store) if settings.index.store != "local" else None
        return cls(
            root, root / settings.index.folder, embedder, settings.index.max_file_bytes, shared
        )

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    def load(self) -> str | None:
        """Load what is on disk; returns why the stored index was unusable, if it was."""
        if not self._lock.acquire():
            log.info("another genls writes %s; this one reads it", self.folder)
        self.store_problem, self.shared_commit = None, None
        if self.shared is not None:
            try:
                self.shared_commit = self._open_shared_commit(self.shared)
            except SharedStoreError as exc:  # offline, say: this machine indexes it all
                log.debug("%s; indexing here", exc)  # the caller shows it or stops
                self.store_problem = str(exc)
        files, problem = store.load(self.folder, self.embedder.identity)
        if problem:
            log.warning("%s; rebuilding", problem)
        # Until the update compares hashes, every file the overlay lacks is taken as stored.
        served = (
            frozenset(self.shared_commit.files.keys() - files.keys())
            if self.shared_commit
            else frozenset()
        )
        if files or served:
            self._publish(files, served)
        return problem

    def _open_shared_commit(self, shared: SharedStore) -> StoredCommit | None:
        """The nearest commit of this branch that the store holds; None (and everything
        indexed here) when it holds none."""
        built_with = shared.embedding_model()
        if built_with is None:
            log.warning("the shared index at %s is empty; indexing here", shared.where)
            return None
        if built_with[0] != self.embedder.identity:
            raise SharedStoreError(
                f"the shared index at {shared.where} was built with {built_with[0]}, not "
                f"{self.embedder.identity}: set embeddingModel to the same model"
            )
        commits = recent_commits(self.root)
        commit = shared.nearest_commit(commits.recent, commits.folder)
        if commit is None:
            log.warning(
                "the shared index at %s has no commit of %s; indexing here",
                shared.where,
                "this repository" if commits.folder == "." else commits.folder,
            )
            return None
        stored = shared.read_commit(commit)
        log.info(
            "the shared index serves commit %s (%d files); files that differ here are indexed here",
            commit[:12],
            len(stored.files),
        )
        return stored

    def update(
        self, progress: Progress | None = None, should_stop: Callable[[], bool] = lambda: False
    ) -> UpdateSummary | None:
        """Bring the index up to date with the files on disk; None if stopped midway."""
        started = time.perf_counter()
        self._start_measuring()
        with self._stage("list"):
            paths = [
                p.as_posix() for p in workspace_files(self.root, self.max_file_bytes) if _is_code(p)
            ]
        files = dict(self._files)
        removed = [path for path in files if path not in set(paths)]
        for path in removed:
            del files[path]
        served: set[str] = set()
        changed = 0
        pending: list[IndexedFile] = []  # parsed, waiting for one embedding batch
        for done, path in enumerate(paths):
            if should_stop():
                return None
            if progress:
                progress(done, len(paths), path)
            with self._stage("read"):
                data = self._read(Path(path))
            changed += self._refresh(files, served, path, data, pending)
            if sum(len(f.chunks) for f in pending) >= _EMBED_BATCH_CHUNKS:
                self._embed(pending)
                pending = []
        self._embed(pending)
        if progress:
            progress(len(paths), len(paths), "")
        if changed or removed or served != self._served or self._snapshot is None:
            self._commit(files, frozenset(served))
        languages = Counter(f.language for f in files.values())
        return UpdateSummary(
            len(files) + len(served),
            sum(len(f.chunks) for f in files.values()),
            changed,
            len(removed),
            dict(languages),
            time.perf_counter() - started,
            self.stage_seconds,
            self._embedded_chunks,
        )

    @property
    def stage_seconds(self) -> dict[str, float]:
        """Where the time of the last update (of any kind) went."""
        return {stage: round(seconds, 4) for stage, seconds in self._stage_seconds.items()}

    def update_paths(self, paths: list[Path], texts: Mapping[Path, str] | None = None) -> int:
        """Bring these files up to date in one commit: saved (their text in `texts`, as the
        editor has it), or changed, created or deleted on disk (didChangeWatchedFiles, a git
        checkout). Paths outside the workspace or not indexable are dropped from the index.
        Returns how many entries changed."""
        self._start_measuring()
        relative: dict[Path, Path] = {}
        for path in paths:
            with contextlib.suppress(ValueError):  # outside the workspace
                relative[Path(path).resolve().relative_to(self.root)] = path
        code = sorted(path for path in relative if _is_code(path))
        keep = indexable_among(self.root, code, self.max_file_bytes)
        files = dict(self._files)
        served = set(self._served)
        changed = 0
        pending: list[IndexedFile] = []
        for path, given in sorted(relative.items()):
            data = None
            if path in keep:
                text = (texts or {}).get(given)
                data = text.encode("utf-8") if text is not None else self._read(path)
            was_served = path.as_posix() in served
            refreshed = self._refresh(files, served, path.as_posix(), data, pending)
            changed += refreshed or was_served != (path.as_posix() in served)
        self._embed(pending)
        if changed:
            self._commit(files, frozenset(served))
        return changed

    def _refresh(
        self,
        files: dict[str, IndexedFile],
        served: set[str],
        path: str,
        data: bytes | None,
        pending: list[IndexedFile],
    ) -> bool:
        """Make the index of `path` match `data` (None: the file is gone): served by the
        shared commit if it holds this content, else files[path], parsed and put in `pending`
        for embedding when it changed. True if files[path] changed."""
        served.discard(path)
        if data is None:
            return files.pop(path, None) is not None
        digest = hashlib.sha256(data).hexdigest()
        if self.shared_commit is not None and self.shared_commit.files.get(path) == digest:
            served.add(path)
            return files.pop(path, None) is not None
        if path in files and files[path].sha256 == digest:
            return False
        files[path] = self._parse(path, data.decode("utf-8", "replace"), digest)
        pending.append(files[path])
        return True

    def _read(self, path: Path) -> bytes | None:
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None

    def _parse(self, path: str, text: str, digest: str) -> IndexedFile:
        with self._stage("parse"):
            language = language_for(None, path)
            chunks = chunk_file(path, text, language)
            definitions = list(extract_symbols(text, language).definitions)
        empty = np.zeros((0, self.embedder.dimension), dtype=np.float32)
        return IndexedFile(path, digest, language.id, chunks, empty, definitions)

    def _embed(self, files: list[IndexedFile]) -> None:
        """Embed the chunks of several files in one batch (far fewer model calls), reusing the
        vectors of chunks whose text did not change since the file was last indexed (a save
        usually changes one function)."""
        known: dict[str, np.ndarray] = {}
        for indexed in files:
            previous = self._files.get(indexed.path)
            if previous is not None:
                for chunk, vector in zip(previous.chunks, previous.vectors, strict=True):
                    known[chunk.embedding_text] = vector
        texts = list(
            dict.fromkeys(
                chunk.embedding_text
                for indexed in files
                for chunk in indexed.chunks
                if chunk.embedding_text not in known
            )
        )
        if texts:
            with self._stage("embed"):
                known.update(zip(texts, self.embedder.embed(texts), strict=True))
            self._embedded_chunks += len(texts)
        for indexed in files:
            rows = [known[chunk.embedding_text] for chunk in indexed.chunks]
            indexed.vectors = (
                np.vstack(rows) if rows else np.zeros((0, self.embedder.dimension), np.float32)
            )

    def _commit(self, files: dict[str, IndexedFile], served: frozenset[str]) -> None:
        # Searches see the new state first; the disk catches up right after (atomically).
        self._publish(files, served)
        # Another genls on this workspace owns the folder: keep our state in memory only.
        if self._lock.acquire():
            with self._stage("store"):
                store.save(self.folder, files, self.embedder.identity, self.embedder.dimension)

    def _publish(self, files: dict[str, IndexedFile], served: frozenset[str]) -> None:
        """Make `files`, and the shared commit's `served` paths, the state searches see."""
        with self._stage("search structures"):
            for path in self._files.keys() - files.keys():
                self._lexical.remove_file(path)
            for path, indexed in files.items():
                if self._files.get(path) is not indexed:
                    self._lexical.set_file(path, indexed.words)
            # The vectors say how wide they are: loading from disk needs no model (no torch
            # import, no embedding server).
            width = next(iter(files.values())).vectors.shape[1] if files else None
            if width is None and self.shared_commit is not None:
                width = self.shared_commit.dimension
            snapshot = _Snapshot(
                files, width or self.embedder.dimension, served, self.shared_commit
            )
        self._files, self._served, self._snapshot = files, served, snapshot
        self._generation += 1

    def _start_measuring(self) -> None:
        self._stage_seconds = Counter()
        self._embedded_chunks = 0

    @contextlib.contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self._stage_seconds[name] += time.perf_counter() - started

    def publish_to_shared(self) -> tuple[str, bool]:
        """Store the workspace's HEAD in the shared store: the files the commit it served
        holds, and the ones indexed here. (HEAD, False) if another writer stored it first."""
        if self.shared is None:
            raise GenlsError("no shared index to publish to: set indexStore")
        files = {path: indexed.sha256 for path, indexed in self._files.items()}
        if self.shared_commit is not None:
            files.update((path, self.shared_commit.files[path]) for path in self._served)
        commit, folder = committed_head(self.root, files)
        width = next((f.vectors.shape[1] for f in self._files.values()), None)
        if width is None:
            width = self.shared_commit.dimension if self.shared_commit else self.embedder.dimension
        stored = self.shared.publish(
            commit, folder, files, list(self._files.values()), self.embedder.identity, width
        )
        return commit, stored

    @property
    def writes_to_disk(self) -> bool:
        return self._lock.held

    def close(self) -> None:
        self._lock.release()
        if self.shared is not None:
            self.shared.close()

    # -- queries ----------------------------------------------------------------------------

    def search(
        self,
        query: str,
        k: int = 10,
        exclude_path: str | None = None,
        per_file: int = 2,
        rankings: tuple[str, ...] = ("vector", "words"),
    ) -> list[Hit]:
        """Chunks for a query: embedding and BM25 rankings fused (or just one of them).

        With a shared commit, its nearest vectors are merged with the local ones by cosine
        (one model made both); its word ranking (PostgreSQL's) is a ranking of its own in the
        fusion, since its scores do not compare with BM25's."""
        snapshot = self._snapshot
        if snapshot is None or not (snapshot.chunks or snapshot.served) or not query.strip():
            return []
        shared_chunks: dict[ChunkKey, Chunk] = {}  # the store's hits, by key
        ranked: list[list[ChunkKey]] = []
        weights: list[float] = []
        if "vector" in rankings:
            try:
                vector = self.embedder.embed([query])
            except GenlsError as exc:  # an embedding server gone: the words still rank
                log.warning("%s; searching by words only", exc)
            else:
                scored: list[tuple[ChunkKey, float]] = []
                if snapshot.chunks:
                    found = snapshot.vectors.search(vector, min(_CANDIDATES, len(snapshot.chunks)))
                    scored = [
                        (snapshot.keys[r], float(d))
                        for d, r in zip(found[0][0], found[1][0], strict=True)
                        if r >= 0
                    ]
                scored += self._shared_vector_hits(snapshot, shared_chunks, vector[0])
                ranked.append([key for key, _ in sorted(scored, key=lambda pair: -pair[1])])
                weights.append(1.0)
        if "words" in rankings:
            found = self._lexical.search(query, _CANDIDATES)
            local = [key for key, _ in found if key in snapshot.rows]
            ranked.append(self._with_shared_words(snapshot, shared_chunks, query, local))
            weights.append(_WORDS_WEIGHT)
        fused = fuse_ranks(ranked, weights)
        if exclude_path:
            fused = [(key, score) for key, score in fused if key[0] != exclude_path]
        hits = []
        for key, score in cap_per_file(fused, lambda key: key[0], per_file, k):
            row = snapshot.rows.get(key)
            chunk = snapshot.chunks[row] if row is not None else shared_chunks[key]
            hits.append(
                Hit(chunk.path, chunk.start_line, chunk.end_line, chunk.symbol, score, chunk.text)
            )
        return hits

    def _with_shared_words(
        self,
        snapshot: _Snapshot,
        shared_chunks: dict[ChunkKey, Chunk],
        query: str,
        local: list[ChunkKey],
    ) -> list[ChunkKey]:
        """The local BM25 candidates and the store's word hits as one ranking: the store
        ranks the local candidates too, on its own scale."""
        if not snapshot.served or self.shared is None or snapshot.shared_commit is None:
            return local
        try:
            found, scores = self.shared.search_words(
                snapshot.shared_commit.commit,
                code_words(query),
                self._wanted(),
                [self._words_of(key) for key in local],
            )
        except SharedStoreError as exc:
            log.warning("%s; searching the local index only", exc)
            return local
        shared = self._served_hits(snapshot, shared_chunks, found)
        merged = [*zip(local, scores, strict=True), *shared]
        return [key for key, _ in sorted(merged, key=lambda pair: -pair[1])]

    def _words_of(self, key: ChunkKey) -> str:
        """A local chunk's code words ("" if an update replaced its file meanwhile)."""
        indexed = self._files.get(key[0])
        words = indexed.words if indexed else []
        return " ".join(words[key[1]]) if key[1] < len(words) else ""

    def _shared_vector_hits(
        self, snapshot: _Snapshot, shared_chunks: dict[ChunkKey, Chunk], vector: np.ndarray
    ) -> list[tuple[ChunkKey, float]]:
        """The shared commit's nearest chunks of the paths it serves here. A store that fails
        leaves the local ranking alone."""
        if not snapshot.served or self.shared is None or snapshot.shared_commit is None:
            return []
        try:
            found = self.shared.search_vectors(
                snapshot.shared_commit.commit, vector, self._wanted()
            )
        except SharedStoreError as exc:
            log.warning("%s; searching the local index only", exc)
            return []
        return self._served_hits(snapshot, shared_chunks, found)

    def _wanted(self) -> int:
        # Chunks of files overlaid here are dropped after the store's ranking: ask for more.
        return _CANDIDATES + min(len(self._files), _CANDIDATES)

    @staticmethod
    def _served_hits(
        snapshot: _Snapshot, shared_chunks: dict[ChunkKey, Chunk], found: list[SharedHit]
    ) -> list[tuple[ChunkKey, float]]:
        """The store's hits of the paths it serves here (recorded in `shared_chunks`)."""
        kept = []
        for position, chunk, score in found:
            if chunk.path in snapshot.served:
                shared_chunks[(chunk.path, position)] = chunk
                kept.append(((chunk.path, position), score))
        return kept[:_CANDIDATES]

    @property
    def version(self) -> int:
        """Changes whenever searches may answer differently."""
        return self._generation

    def module_definitions(self, module: str) -> list[tuple[str, list[Definition]]]:
        """The definitions of each file that `import module` could name (`events` ->
        asyncio/events.py; `pkg` -> pkg/__init__.py, pkg/index.ts, pkg/mod.rs)."""
        snapshot = self._snapshot
        return list(snapshot.by_module.get(module, ())) if snapshot else []

    def paths(self) -> list[str]:
        """The indexed files, relative to the root, in the state searches see."""
        return [*self._files, *sorted(self._served)]

    def definitions_named(self, name: str) -> list[tuple[str, Definition]]:
        snapshot = self._snapshot
        return list(snapshot.by_name.get(name, ())) if snapshot else []

    def source_head(self, path: str, definition: Definition, max_lines: int) -> str:
        """The first lines of a definition's source (signature, docstring, a class's fields),
        from the chunk that starts where it does; its signature when no chunk does."""
        indexed = self._files.get(path)
        text = None
        if indexed is not None:
            starting = (c.text for c in indexed.chunks if c.start_line == definition.start_line)
            text = next(starting, None)
        snapshot = self._snapshot
        if indexed is None and self.shared and snapshot and path in snapshot.served:
            assert snapshot.shared_commit is not None
            try:
                text = self.shared.chunk_starting(
                    snapshot.shared_commit.commit, path, definition.start_line
                )
            except SharedStoreError as exc:
                log.warning("%s; using the signature", exc)
        return "\n".join(text.split("\n")[:max_lines]) if text else definition.signature

    def find_symbols(self, query: str, limit: int = 100) -> list[tuple[str, Definition]]:
        """Fuzzy: the query's characters in order in the name; tighter and earlier first."""
        snapshot = self._snapshot
        if snapshot is None:
            return []
        if not query:
            return snapshot.definitions[:limit]
        pattern = re.compile(".*?".join(map(re.escape, query.lower())))
        scored = []
        for path, definition in snapshot.definitions:
            match = pattern.search(definition.name.lower())
            if match:
                scored.append(
                    (
                        (match.end() - match.start(), match.start(), len(definition.name)),
                        path,
                        definition,
                    )
                )
        scored.sort(key=lambda item: item[0])
        return [(path, definition) for _, path, definition in scored[:limit]]


def _is_code(path: Path) -> bool:
    """Files of a language genls knows: not .gitignore, notes or data, which would otherwise
    turn up as cross-file snippets in completion prompts."""
    return language_for(None, path.name) is not PLAIN_TEXT
