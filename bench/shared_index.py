"""A team's shared index in PostgreSQL (`genls bench index --store URL`): one JSON report.

1. Embedding throughput of the local embedder and, given `--embedding-server`, of a team's
   OpenAI-compatible server, on the same chunk texts; the ratio.
2. CI: a git workspace of standard-library modules (as `genls bench index` builds it) indexed
   and stored as one commit; a second commit that changes one file, stored by a fresh writer
   (what it embedded again).
3. An editor on that commit with no local index: seconds until searches answer and until its
   update has compared every file, against the full local index of the same workspace.
4. Search latency at scale: the workspace's files copied under other paths until there are
   `--chunks` chunks (their vectors near the real ones: similar code across a monorepo), then
   three commits that each rewrite a tenth of the files, so the store holds history. The
   last commit is searched in the store (HNSW + full-text) and in the local index (exact
   inner product + SQLite FTS5) with the same real queries (docstrings); recall@10 of the
   store's vector search against the exact answer; whether PostgreSQL's plan uses the HNSW
   index.
The database must be an empty scratch one: the bench stores its commits there. Nothing passes
or fails.
"""

from __future__ import annotations

import hashlib
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
from genls.errors import GenlsError
from genls.index import store
from genls.index.chunks import Chunk
from genls.index.embeddings import Embedder
from genls.index.endpoint_embeddings import EndpointEmbedder
from genls.index.lexical import code_words
from genls.index.shared_store import SharedStore
from genls.index.store import IndexedFile
from genls.index.workspace_index import WorkspaceIndex

_SEED = 20261203
_THROUGHPUT_TEXTS = 128
_QUERIES = 50
_HISTORY = 3  # commits after the first, each rewriting a tenth of the files


def run_shared_index_bench(
    settings: Settings,
    file_count: int,
    synthetic_chunks: int,
    embedding_server: str | None,
    embedding_server_model: str,
) -> dict[str, Any]:
    shared = SharedStore(settings.index.store)
    if shared.embedding_model() is not None:
        raise GenlsError(f"{shared.where} holds an index: give the benchmark an empty database")
    embedder = Embedder(settings.index.embedding_model, settings.runtime.threads)
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
        real, _ = store.load(scratch / "ci-1", embedder.identity)  # its chunks and vectors
        texts = [c.embedding_text for f in real.values() for c in f.chunks][:_THROUGHPUT_TEXTS]

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
            shared, embedder, list(real.values()), synthetic_chunks, queries, scratch / "scale"
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
        "threads": settings.runtime.threads,
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
    if not (root / ".git").exists():
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    for args in (["add", "-A"], ["commit", "-q", "-m", message]):
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
    searchable = index.ready
    summary = index.update()
    assert summary is not None
    return {
        "index": index,
        "serves_commit": index.shared_commit.commit[:12] if index.shared_commit else None,
        "open_seconds": round(loaded, 3),
        "searchable_after_open": searchable,
        "update_seconds": round(summary.seconds, 2),
        "files": summary.files,
        "files_indexed_here": summary.changed,
        "chunks_embedded_here": summary.embedded_chunks,
        "stage_seconds": summary.stage_seconds,
    }


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


def _noisy(vectors: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Near copies (cosine about 0.95): similar code elsewhere in a large repository."""
    noisy = vectors + rng.standard_normal(vectors.shape, np.float32) * (
        0.3 / vectors.shape[1] ** 0.5
    )
    return noisy / np.linalg.norm(noisy, axis=1, keepdims=True)


def _copy(indexed: IndexedFile, path: str, revision: int, rng: np.random.Generator) -> IndexedFile:
    marker = f"\n# revision {revision}" if revision else ""
    chunks = [
        Chunk(path, c.start_line, c.end_line, c.symbol, c.kind, c.text + marker)
        for c in indexed.chunks
    ]
    digest = hashlib.sha256(f"{path} {indexed.sha256} {revision}".encode()).hexdigest()
    return IndexedFile(path, digest, indexed.language, chunks, _noisy(indexed.vectors, rng))


def _synthetic_history(
    real: list[IndexedFile], chunks: int, rng: np.random.Generator
) -> list[dict[str, IndexedFile]]:
    """The workspace's files copied under other paths (vectors near the real ones) until
    there are `chunks` chunks, then _HISTORY commits that each rewrite a tenth of them."""
    files: dict[str, IndexedFile] = {}
    total, copy = 0, 0
    while total < chunks:
        for indexed in real:
            if total >= chunks:
                break
            path = f"copy{copy:03d}/{indexed.path}"
            files[path] = _copy(indexed, path, 0, rng)
            total += len(indexed.chunks)
        copy += 1
    history = [files]
    for revision in range(1, _HISTORY + 1):
        files = dict(files)
        for path in rng.choice(sorted(files), len(files) // 10, replace=False):
            files[path] = _copy(files[path], path, revision, rng)
        history.append(files)
    return history


def _search_at_scale(
    shared: SharedStore,
    embedder: Embedder,
    real: list[IndexedFile],
    chunks: int,
    queries: list[str],
    folder: Path,
) -> dict[str, Any]:
    rng = np.random.default_rng(_SEED)
    history = _synthetic_history(real, chunks, rng)
    store_seconds = []
    for number, files in enumerate(history):
        started = time.perf_counter()
        shared.publish(
            f"synthetic-{number}",
            "synthetic",
            {path: f.sha256 for path, f in files.items()},
            [f for path, f in files.items() if number == 0 or f is not history[number - 1][path]],
            embedder.identity,
            embedder.dimension,
        )
        store_seconds.append(round(time.perf_counter() - started, 1))
    files, commit = history[-1], f"synthetic-{len(history) - 1}"
    store.save(folder, files, embedder.identity, embedder.dimension)
    local = WorkspaceIndex(folder, folder, embedder, 1_000_000)
    local.load()
    vectors = embedder.embed(queries)

    local_ms, shared_ms, embedding_ms, recalls = [], [], [], []
    matrix = np.vstack([f.vectors for f in files.values()])
    keys = [(path, i) for path, f in files.items() for i in range(len(f.chunks))]
    for query, vector in zip(queries, vectors, strict=True):
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
        "chunks_per_commit": len(keys),
        "commits": len(history),
        "texts_stored": _count(shared.url, "genls_texts"),
        "store_seconds_per_commit": store_seconds,
        "hnsw_index_used": _uses_hnsw(shared.url, vectors[0]),
        "queries": len(queries),
        "query_embedding_ms": _percentiles(embedding_ms),  # part of both searches below
        "local_search_ms": _percentiles(local_ms),
        "store_search_ms": _percentiles(shared_ms),
        "store_recall_at_10_against_exact": round(statistics.mean(recalls), 3),
    }


def _count(url: str, table: str) -> int:
    import psycopg

    with psycopg.connect(url) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def _uses_hnsw(url: str, vector: np.ndarray) -> bool:
    """Whether PostgreSQL's plan for the store's vector search scans the HNSW index."""
    import psycopg
    from pgvector.psycopg import register_vector

    with psycopg.connect(url) as db:
        register_vector(db)
        plan = db.execute(
            "EXPLAIN SELECT id FROM genls_texts ORDER BY embedding <#> %s LIMIT 200", (vector,)
        ).fetchall()
    return any("genls_texts_embedding" in line for (line,) in plan)


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p95": round(ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
    }
