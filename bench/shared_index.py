"""A team's shared index in PostgreSQL (`genls bench index --store URL`): one JSON report.

1. Embedding throughput of the local embedder and, given `--embedding-server`, of a team's
   OpenAI-compatible server, on the same chunk texts; the ratio.
2. CI: a git workspace of standard-library modules (as `genls bench index` builds it) indexed
   and stored as one commit; a second commit that changes one file, stored by a fresh writer
   (what it embedded again).
3. An editor on that commit with no local index: seconds until searches answer and until its
   update has compared every file, against the full local index of the same workspace.
4. Search latency at scale: `--chunks` synthetic chunks (the workspace's chunk texts cycled
   under other paths, random unit vectors: the cost is real, the neighbours are not) searched
   in the store (HNSW + full-text, one commit) and in the local index (exact inner product +
   SQLite FTS5), with the same real query vectors; recall@10 of the HNSW scan against the
   exact answer.
The database should be a scratch one: the bench stores its commits there. Nothing passes
or fails.
"""

from __future__ import annotations

import hashlib
import random
import resource
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.index import build_workspace, sample_modules
from bench.machine import report_header
from genls.config import Settings
from genls.index import store
from genls.index.chunks import Chunk, chunk_file
from genls.index.embeddings import Embedder
from genls.index.endpoint_embeddings import EndpointEmbedder
from genls.index.languages import language_for
from genls.index.lexical import code_words
from genls.index.shared_store import SharedStore
from genls.index.store import IndexedFile
from genls.index.workspace_index import WorkspaceIndex

_SEED = 20261203
_THROUGHPUT_TEXTS = 256
_QUERIES = 50
_SYNTHETIC_CHUNKS_PER_FILE = 20


def run_shared_index_bench(
    settings: Settings,
    file_count: int,
    synthetic_chunks: int,
    embedding_server: str | None,
    embedding_server_model: str,
) -> dict[str, Any]:
    shared = SharedStore(settings.index_store)
    embedder = Embedder(settings.embedding_model, settings.threads)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    scratch = Path(tempfile.mkdtemp(prefix="genls-bench-shared-"))
    try:
        root = scratch / "workspace"
        questions = build_workspace(stdlib, sample_modules(stdlib, file_count), root)
        _commit_all(root, "the sample")
        embedder.embed(["warm up"])

        _say(f"CI: indexing {file_count} files and storing the commit")
        ci = _timed_index(root, scratch / "ci-1", embedder, shared)
        started = time.perf_counter()
        _, stored = ci["index"].publish_to_shared()
        ci["store_seconds"] = round(time.perf_counter() - started, 2)
        ci["index"].close()
        texts = _chunk_texts(root, _THROUGHPUT_TEXTS)

        changed = sorted(root.rglob("*.py"))[len(questions) % 7]
        changed.write_text(changed.read_text() + "\n\ndef added_in_ci():\n    return 1\n")
        _commit_all(root, "one change")
        _say("CI: the next commit, from a fresh runner")
        next_commit = _timed_index(root, scratch / "ci-2", embedder, shared)
        started = time.perf_counter()
        next_commit["index"].publish_to_shared()
        next_commit["store_seconds"] = round(time.perf_counter() - started, 2)
        next_commit["index"].close()

        _say("an editor on the stored commit, no local index")
        editor = _timed_index(root, scratch / "editor", embedder, shared)
        editor["index"].close()

        _say("embedding throughput")
        throughput = _throughput(texts, embedder, embedding_server, embedding_server_model)

        _say(f"search at scale: {synthetic_chunks} chunks")
        queries = [q.query for q in questions[:_QUERIES]] or ["open a file"]
        scale = _search_at_scale(
            shared, embedder, texts, synthetic_chunks, queries, scratch / "scale"
        )
    finally:
        shared.close()
        shutil.rmtree(scratch, ignore_errors=True)

    def summary(run: dict[str, Any]) -> dict[str, Any]:
        return {key: value for key, value in run.items() if key != "index"}

    return {
        **report_header("shared-index"),
        "store": shared.where,
        "embedding_model": embedder.identity,
        "threads": settings.threads,
        "workspace_files": file_count,
        "embedding_throughput": throughput,
        "ci_first_commit": summary(ci) | {"stored": stored},
        "ci_next_commit": summary(next_commit),
        "editor_on_a_stored_commit": summary(editor)
        | {"against_a_full_local_index_seconds": ci["update_seconds"]},
        "search_at_scale": scale,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _commit_all(root: Path, message: str) -> None:
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", message]):
        if args[0] == "init" and (root / ".git").exists():
            continue
        subprocess.run(
            ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
            cwd=root,
            check=True,
            capture_output=True,
        )


def _timed_index(
    root: Path, folder: Path, embedder: Embedder, shared: SharedStore
) -> dict[str, Any]:
    """Open (connect, find the commit), then update; when searches could first answer."""
    index = WorkspaceIndex(root, folder, embedder, 1_000_000, SharedStore(shared.url))
    started = time.perf_counter()
    index.load()
    loaded = time.perf_counter() - started
    summary = index.update()
    assert summary is not None
    return {
        "index": index,
        "serves_commit": index.shared_commit.commit[:12] if index.shared_commit else None,
        "open_seconds": round(loaded, 3),
        "searchable_after_open": index.ready,
        "update_seconds": round(summary.seconds, 2),
        "files": summary.files,
        "files_indexed_here": summary.changed,
        "chunks_embedded_here": summary.embedded_chunks,
        "stage_seconds": summary.stage_seconds,
    }


def _chunk_texts(root: Path, count: int) -> list[str]:
    """The embedding texts of the workspace's first chunks, as the index embeds them."""
    texts: list[str] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        language = language_for(None, relative)
        texts += [c.embedding_text for c in chunk_file(relative, path.read_text(), language)]
        if len(texts) >= count:
            break
    return texts[:count]


def _throughput(
    texts: list[str], embedder: Embedder, server: str | None, server_model: str
) -> dict[str, Any]:
    def rate(embed) -> float:
        started = time.perf_counter()
        embed(texts)
        return round(len(texts) / (time.perf_counter() - started), 1)

    local = rate(embedder.embed)
    report: dict[str, Any] = {"texts": len(texts), "local_chunks_per_second": local}
    if server:
        remote = EndpointEmbedder(server, server_model)
        remote.embed(texts[:2])  # its first answer (width, pooling) is not throughput
        served = rate(remote.embed)
        report |= {
            "server": server,
            "server_model": server_model,
            "server_chunks_per_second": served,
            "server_over_local": round(served / local, 3),
        }
    return report


def _synthetic_files(texts: list[str], chunks: int, dimension: int) -> dict[str, IndexedFile]:
    vectors = np.random.default_rng(_SEED).standard_normal((chunks, dimension), np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    files: dict[str, IndexedFile] = {}
    for start in range(0, chunks, _SYNTHETIC_CHUNKS_PER_FILE):
        path = f"copy{start // _SYNTHETIC_CHUNKS_PER_FILE:05d}/module.py"
        rows = range(start, min(start + _SYNTHETIC_CHUNKS_PER_FILE, chunks))
        file_chunks = [
            Chunk(path, 3 * i, 3 * i + 2, None, "lines", texts[row % len(texts)])
            for i, row in enumerate(rows)
        ]
        digest = hashlib.sha256(path.encode()).hexdigest()
        files[path] = IndexedFile(path, digest, "python", file_chunks, vectors[list(rows)])
    return files


def _search_at_scale(
    shared: SharedStore,
    embedder: Embedder,
    texts: list[str],
    chunks: int,
    queries: list[str],
    folder: Path,
) -> dict[str, Any]:
    files = _synthetic_files(texts, chunks, embedder.dimension)
    commit = f"synthetic-{chunks}-{_SEED}"
    started = time.perf_counter()
    shared.publish(
        commit,
        {path: f.sha256 for path, f in files.items()},
        list(files.values()),
        embedder.identity,
        embedder.dimension,
    )
    store_seconds = time.perf_counter() - started
    store.save(folder, files, embedder.identity, embedder.dimension)
    local = WorkspaceIndex(folder, folder, embedder, 1_000_000)
    local.load()
    vectors = embedder.embed(queries)

    local_ms, shared_ms, embedding_ms, recalls = [], [], [], []
    matrix = np.vstack([f.vectors for f in files.values()])
    keys = [(path, i) for path, f in files.items() for i in range(len(f.chunks))]
    for query, vector in zip(
        random.Random(_SEED).sample(queries, len(queries)), vectors, strict=False
    ):
        started = time.perf_counter()
        local.search(query, k=10)
        local_ms.append(1000 * (time.perf_counter() - started))
        started = time.perf_counter()
        embedder.embed([query])
        embedding_ms.append(1000 * (time.perf_counter() - started))
        found = shared.search_vectors(commit, vector, 50)
        shared.search_words(commit, code_words(query), 50)
        shared_ms.append(1000 * (time.perf_counter() - started))
        exact = {keys[row] for row in np.argsort(-(matrix @ vector))[:10]}
        recalls.append(len(exact & {(c.path, p) for p, c, _ in found[:10]}) / 10)
    local.close()
    return {
        "chunks": chunks,
        "store_seconds": round(store_seconds, 1),
        "queries": len(queries),
        "query_embedding_ms": _percentiles(embedding_ms),  # part of both searches below
        "local_search_ms": _percentiles(local_ms),
        "store_search_ms": _percentiles(shared_ms),
        "store_hnsw_recall_at_10": round(statistics.mean(recalls), 3),
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
    }
