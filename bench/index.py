"""Indexing speed and retrieval quality on real code: one JSON report.

The corpus is Python's standard library (offline, the same on every machine with this
interpreter): a fixed sample of its modules, copied into a scratch workspace with the
docstrings of functions and methods removed. The benchmark then
1. indexes the workspace from nothing: files/s, MB/s, chunks/s and where the time went
   (listing, reading and hashing, parsing, embedding, building the search structures, storing);
2. re-indexes it with nothing changed, and reports that time per 10,000 files too (the cost is
   per file: list, read, hash);
3. saves one typical file with a one-line change (WorkspaceIndex.update_paths with the
   editor's text, what didSave does);
4. asks retrieval questions built from the code: a removed docstring is the query, its function
   is the answer. Recall@1/5/10 and MRR for the embedding ranking alone, BM25 alone, and fused.
Peak RSS is this process's high-water mark; size on disk is the index folder's.
Nothing here passes or fails.
"""

from __future__ import annotations

import ast
import platform
import random
import resource
import shutil
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.machine import report_header
from genls.config import Settings
from genls.index.embeddings import Embedder
from genls.index.workspace_index import WorkspaceIndex

_SEED = 20261128
_RANKINGS = {"vector": ("vector",), "bm25": ("words",), "fused": ("vector", "words")}
_MIN_QUERY_WORDS = 5


@dataclass(frozen=True)
class Question:
    query: str  # the docstring's first paragraph
    path: str  # where the answer lives
    symbol: str  # Class.method or function


def sample_modules(stdlib: Path, count: int) -> list[Path]:
    """A fixed sample of the standard library's Python files (tests left out), by seed."""
    candidates = sorted(
        path.relative_to(stdlib)
        for path in stdlib.rglob("*.py")
        if not {"test", "tests", "idle_test", "site-packages"} & set(path.relative_to(stdlib).parts)
        and path.stat().st_size < 200_000
    )
    return sorted(random.Random(_SEED).sample(candidates, min(count, len(candidates))))


def strip_docstrings(source: str) -> tuple[str, list[tuple[str, str]]]:
    """The source without function and method docstrings, and (symbol, docstring) pairs."""
    tree = ast.parse(source)
    removed: list[tuple[int, int]] = []
    pairs: list[tuple[str, str]] = []
    for node, owner in _functions(tree):
        doc = ast.get_docstring(node)
        if not doc or not node.body or not isinstance(node.body[0], ast.Expr):
            continue
        docstring = node.body[0]
        if len(node.body) == 1 or docstring.lineno == node.lineno:
            continue  # removing it would leave an empty body or cut the def line
        removed.append((docstring.lineno, docstring.end_lineno or docstring.lineno))
        pairs.append((f"{owner}.{node.name}" if owner else node.name, doc))
    lines = source.split("\n")
    for start, end in sorted(removed, reverse=True):
        del lines[start - 1 : end]
    return "\n".join(lines), pairs


def _functions(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node, None
        elif isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef):
                    yield member, node.name


def build_workspace(stdlib: Path, modules: list[Path], root: Path) -> list[Question]:
    questions = []
    for relative in modules:
        source = (stdlib / relative).read_text(encoding="utf-8", errors="replace")
        try:
            stripped, pairs = strip_docstrings(source)
        except SyntaxError:
            stripped, pairs = source, []
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(stripped, encoding="utf-8")
        for symbol, doc in pairs:
            query = doc.split("\n\n")[0].replace("\n", " ").strip()
            if len(query.split()) >= _MIN_QUERY_WORDS:
                questions.append(Question(query, relative.as_posix(), symbol))
    return questions


def retrieval_quality(
    index: WorkspaceIndex, questions: list[Question], rankings: tuple[str, ...]
) -> dict[str, float]:
    reciprocal_ranks = []
    hits_at = {1: 0, 5: 0, 10: 0}
    for question in questions:
        hits = index.search(question.query, k=10, per_file=10, rankings=rankings)
        rank = next(
            (
                position
                for position, hit in enumerate(hits, start=1)
                if hit.path == question.path and hit.symbol == question.symbol
            ),
            None,
        )
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        for k in hits_at:
            hits_at[k] += bool(rank and rank <= k)
    count = max(len(questions), 1)
    return {
        "recall@1": round(hits_at[1] / count, 4),
        "recall@5": round(hits_at[5] / count, 4),
        "recall@10": round(hits_at[10] / count, 4),
        "mrr": round(sum(reciprocal_ranks) / count, 4),
    }


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _typical_file(root: Path, files: list[Path]) -> Path:
    by_size = sorted(files, key=lambda p: (root / p).stat().st_size)
    return by_size[len(by_size) // 2]


def run_index_bench(settings: Settings, file_count: int, question_count: int) -> dict[str, Any]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    modules = sample_modules(stdlib, file_count)
    embedder = Embedder(settings.index.embedding_model, settings.runtime.threads)
    scratch = Path(tempfile.mkdtemp(prefix="genls-bench-index-"))
    try:
        root = scratch / "workspace"
        questions = build_workspace(stdlib, modules, root)
        questions = random.Random(_SEED).sample(questions, min(question_count, len(questions)))
        megabytes = sum((root / m).stat().st_size for m in modules) / 1e6
        print(f"indexing {len(modules)} files ({megabytes:.1f} MB)", file=sys.stderr, flush=True)
        embedder.embed(["warm up"])  # model load is a one-time cost, reported apart
        index = WorkspaceIndex(root, scratch / "index", embedder, settings.index.max_file_bytes)
        index.load()
        full = index.update()
        assert full is not None
        print("re-indexing with nothing changed", file=sys.stderr, flush=True)
        unchanged = index.update()
        assert unchanged is not None

        typical = _typical_file(root, modules)
        text = (root / typical).read_text(encoding="utf-8") + "\n# edited\n"
        started = time.perf_counter()
        index.update_paths([root / typical], {root / typical: text})
        saved_seconds = time.perf_counter() - started
        saved_stages = index.stage_seconds  # the disk write comes after searches see it

        print(f"retrieval: {len(questions)} questions", file=sys.stderr, flush=True)
        quality = {
            name: retrieval_quality(index, questions, rankings)
            for name, rankings in _RANKINGS.items()
        }
        started = time.perf_counter()
        for question in questions[:50]:
            index.search(question.query, k=10)
        search_ms = 1000 * (time.perf_counter() - started) / max(min(len(questions), 50), 1)
        size_mb = _folder_bytes(scratch / "index") / 1e6
        index.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    return {
        **report_header("index"),
        "embedding_model": settings.index.embedding_model,
        "threads": settings.runtime.threads,
        "corpus": f"{len(modules)} modules of the Python {platform.python_version()} "
        "standard library, function docstrings removed",
        "full_index": {
            "files": full.files,
            "megabytes": round(megabytes, 2),
            "chunks": full.chunks,
            "seconds": round(full.seconds, 2),
            "files_per_second": round(full.files / full.seconds, 1),
            "megabytes_per_second": round(megabytes / full.seconds, 3),
            "chunks_per_second": round(full.chunks / full.seconds, 1),
            "stage_seconds": full.stage_seconds,
        },
        "unchanged_reindex": {
            "seconds": round(unchanged.seconds, 3),
            "seconds_per_10000_files": round(unchanged.seconds * 10_000 / full.files, 2),
            "stage_seconds": unchanged.stage_seconds,
        },
        "saved_file": {
            "path": typical.as_posix(),
            "bytes": len(text.encode()),
            "milliseconds": round(saved_seconds * 1000, 1),
            "searchable_after_milliseconds": round(
                (saved_seconds - saved_stages.get("store", 0.0)) * 1000, 1
            ),
            "stage_seconds": {k: round(v, 4) for k, v in saved_stages.items()},
        },
        "search_milliseconds": round(search_ms, 1),
        "retrieval": {"questions": len(questions), **quality},
        "index_megabytes_on_disk": round(size_mb, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
