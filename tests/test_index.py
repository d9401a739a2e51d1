"""The workspace index on real git repositories, with real grammars and the real embedder."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from genls.assist.completion import CompletionEngine, CompletionRequest
from genls.assist.cross_file import IndexContextProvider, open_call
from genls.config import Settings
from genls.index import store
from genls.index.embeddings import Embedder
from genls.index.files import workspace_files
from genls.index.workspace_index import WorkspaceIndex
from genls.llm.factory import create_backend
from tests.conftest import TINY_MODEL

GEOMETRY = '''"""Plane geometry."""

import math

UNIT = 1.0


class Point:
    """A point in the plane."""

    def __init__(self, x: float, y: float) -> None:
        self.x = x
        self.y = y

    def distance_to(self, other: "Point") -> float:
        """Euclidean distance between two points."""
        return math.hypot(self.x - other.x, self.y - other.y)


def circle_area(radius: float) -> float:
    """Area of a circle of the given radius."""
    return math.pi * radius**2
'''

SHOP = """// A tiny shop.
import { formatPrice } from "./format.js";

export function basketTotal(items) {
  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);
}

export function receipt(items) {
  return formatPrice(basketTotal(items));
}
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture(scope="module")
def embedder():
    return Embedder()


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "web").mkdir()
    (root / "build").mkdir()
    (root / "pkg" / "geometry.py").write_text(GEOMETRY)
    (root / "web" / "shop.js").write_text(SHOP)
    (root / "NOTES.txt").write_text("Remember to measure the basket total before release.\n")
    (root / "build" / "generated.py").write_text("x = 1\n")
    (root / ".gitignore").write_text("build/\n*.log\n")
    (root / "debug.log").write_text("noise\n")
    (root / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (root / "huge.py").write_text("x = 1\n" * 400_000)
    outside = tmp_path / "secret.py"
    outside.write_text("password = 'hunter2'\n")
    (root / "escape.py").symlink_to(outside)
    git(root, "init", "-q")
    git(root, "add", "-A")
    return root


def new_index(root: Path, embedder: Embedder) -> WorkspaceIndex:
    return WorkspaceIndex(root, root / ".genls", embedder, max_file_bytes=1_000_000)


def test_files_follow_gitignore_and_skip_what_is_not_code(repo):
    expected = [".gitignore", "NOTES.txt", "pkg/geometry.py", "web/shop.js"]
    assert [p.as_posix() for p in workspace_files(repo, 1_000_000)] == expected
    subprocess.run(["rm", "-rf", str(repo / ".git")], check=True)  # the walk, outside git
    assert [p.as_posix() for p in workspace_files(repo, 1_000_000)] == expected


def test_index_then_search(repo, embedder):
    index = new_index(repo, embedder)
    summary = index.update()
    # Code only: .gitignore and NOTES.txt are listed (workspace_files) but not indexed.
    assert summary.files == 2 and summary.changed == 2
    assert {h.path for h in index.search("build log notes release", k=10)} <= {
        "pkg/geometry.py",
        "web/shop.js",
    }
    assert summary.languages["python"] == 1 and summary.languages["javascript"] == 1
    hits = index.search("how far apart are two points", k=3)
    assert (hits[0].path, hits[0].symbol) == ("pkg/geometry.py", "Point.distance_to")
    hits = index.search("basketTotal", k=3)
    assert hits[0].path == "web/shop.js"
    assert len({(h.path, h.start_line) for h in hits}) == len(hits)


def test_hits_are_capped_per_file(repo, embedder):
    index = new_index(repo, embedder)
    index.update()
    hits = index.search("geometry point circle distance area", k=10, per_file=1)
    assert len([h for h in hits if h.path == "pkg/geometry.py"]) == 1


def test_symbols_are_found_fuzzily(repo, embedder):
    index = new_index(repo, embedder)
    index.update()
    names = [d.name for _, d in index.find_symbols("dist")]
    assert names[0] == "distance_to"
    kinds = {d.name: d.kind for _, d in index.find_symbols("")}
    assert kinds["Point"] == "class" and kinds["basketTotal"] == "function"


def test_incremental_updates_edit_delete_rename(repo, embedder):
    index = new_index(repo, embedder)
    index.update()
    assert index.update().changed == 0  # nothing changed: nothing re-embedded

    (repo / "web" / "shop.js").write_text(SHOP.replace("basketTotal", "cartTotal"))
    summary = index.update()
    assert (summary.changed, summary.removed) == (1, 0)
    assert index.find_symbols("cartTotal") and not index.find_symbols("basketTotal")

    (repo / "pkg" / "geometry.py").rename(repo / "pkg" / "shapes.py")
    summary = index.update()
    assert (summary.changed, summary.removed) == (1, 1)
    assert {h.path for h in index.search("circle area", k=10)} & {"pkg/geometry.py"} == set()

    (repo / "pkg" / "shapes.py").unlink()
    assert index.update().removed == 1
    assert index.find_symbols("circle_area") == []


def test_only_changed_chunks_are_embedded_again(repo, embedder):
    index = new_index(repo, embedder)
    first = index.update()
    assert first.embedded_chunks == first.chunks
    source = (repo / "pkg" / "geometry.py").read_text()
    assert "return math.pi * radius**2" in source
    (repo / "pkg" / "geometry.py").write_text(
        source.replace("return math.pi * radius**2", "return math.pi * radius * radius")
    )
    summary = index.update()
    assert (summary.changed, summary.embedded_chunks) == (1, 1)
    assert index.search("radius * radius", k=1)[0].symbol == "circle_area"


def test_a_saved_file_is_reindexed(repo, embedder):
    index = new_index(repo, embedder)
    index.update()
    saved = repo / "pkg" / "geometry.py"
    edited = GEOMETRY + "\n\ndef triangle_area(b, h):\n    return b * h / 2\n"
    assert index.update_paths([saved], {saved: edited}) == 1  # the editor's text, not the disk's
    assert [d.name for _, d in index.find_symbols("triangle_area")] == ["triangle_area"]


def test_changed_files_are_reindexed_in_one_batch(repo, embedder):
    index = new_index(repo, embedder)
    index.update()
    version = index.version
    index.update()
    assert index.version == version  # nothing changed: searches answer the same
    generation = (repo / ".genls" / "CURRENT").read_text()
    (repo / "web" / "shop.js").unlink()
    (repo / "pkg" / "geometry.py").write_text(GEOMETRY + "\n\ndef hexagon_area(s):\n    return s\n")
    (repo / "pkg" / "fresh.py").write_text("def freshly_created():\n    return 1\n")
    (repo / "build" / "ignored.py").write_text("def ignored_function():\n    pass\n")
    (repo / "NOTES.txt").write_text("Remember to measure the basket total before release.\n")
    changed = index.update_paths(
        [
            repo / "web" / "shop.js",
            repo / "pkg" / "geometry.py",
            repo / "pkg" / "fresh.py",
            repo / "build" / "ignored.py",  # .gitignore'd
            repo / "NOTES.txt",  # not code
            repo.parent / "secret.py",  # outside the workspace
        ]
    )
    assert changed == 3 and index.version != version
    assert index.find_symbols("hexagon_area") and index.find_symbols("freshly_created")
    assert not index.find_symbols("ignored_function") and not index.find_symbols("basketTotal")
    assert "web/shop.js" not in {h.path for h in index.search("basket total", k=10)}
    assert (repo / ".genls" / "CURRENT").read_text() != generation  # one new generation
    assert index.update_paths([repo / "NOTES.txt"]) == 0


def test_a_second_process_reads_and_does_not_write(repo, embedder):
    first = new_index(repo, embedder)
    first.update()
    assert first.writes_to_disk
    generation = (repo / ".genls" / "CURRENT").read_text()
    second = new_index(repo, embedder)
    assert second.load() is None and second.ready and not second.writes_to_disk
    (repo / "pkg" / "extra.py").write_text("def only_in_memory():\n    return 2\n")
    assert second.update().changed == 1
    assert second.find_symbols("only_in_memory")  # answers from its own memory
    assert (repo / ".genls" / "CURRENT").read_text() == generation  # but wrote nothing

    first.close()
    extra = repo / "pkg" / "extra.py"
    assert second.update_paths([extra], {extra: "def now_saved():\n    return 3\n"}) == 1
    assert second.writes_to_disk
    assert (repo / ".genls" / "CURRENT").read_text() != generation


def test_index_survives_a_restart_and_detects_damage(repo, embedder):
    first = new_index(repo, embedder)
    first.update()
    first.close()
    second = new_index(repo, embedder)
    assert second.load() is None and second.ready
    assert second.update().changed == 0  # loaded from disk, nothing to redo

    generation = (repo / ".genls" / "CURRENT").read_text().strip()
    (repo / ".genls" / generation / "meta.sqlite").write_bytes(b"not a database")
    third = new_index(repo, embedder)
    problem = third.load()
    assert problem and "unreadable" in problem
    assert third.update().changed == 2  # rebuilt


def test_killed_while_indexing_leaves_a_loadable_index(repo, embedder):
    for i in range(60):
        (repo / "pkg" / f"module_{i}.py").write_text(
            f'def function_{i}(value):\n    """Step {i}."""\n    return value + {i}\n'
        )
    first = new_index(repo, embedder)
    first.update()  # a complete old state
    first.close()  # let the subprocess be the writer
    for i in range(60):
        (repo / "pkg" / f"module_{i}.py").write_text(f"def renamed_{i}(v):\n    return v * {i}\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "genls", "index", str(repo), "--json", "--log-level", "debug"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Killed in the middle of writing the new state: its tables are on disk, not the rest.
    for line in process.stderr:
        if b"tables written, vectors next" in line:
            os.kill(process.pid, signal.SIGKILL)
            break
    process.wait()
    assert process.returncode == -signal.SIGKILL, "the index was written before the kill"
    files, problem = store.load(repo / ".genls", embedder.identity)
    assert problem is None
    names = {d.name for f in files.values() for d in f.definitions}
    old = {f"function_{i}" for i in range(60)}
    new = {f"renamed_{i}" for i in range(60)}
    assert old <= names or new <= names  # one whole state, old or new
    assert not (old & names and new & names)


def test_a_symbol_from_another_file_reaches_the_completion_prompt(repo, embedder):
    index = new_index(repo, embedder)
    index.update()
    app = repo / "pkg" / "report.py"
    text = "from pkg.geometry import circle_area\n\n\ndef report(r):\n    area = circle_area("
    app.write_text(text)
    engine = CompletionEngine(
        Settings().merged({"model": TINY_MODEL, "max_tokens": 8}),
        create_backend,
        IndexContextProvider(index),
    )
    request = CompletionRequest(app.as_uri(), str(app), text, len(text), "python")
    try:
        asyncio.run(engine.complete(request))
    finally:
        engine.close()
    record = engine.recent[-1]
    assert "pkg/geometry.py" in record.snippet_paths
    snippets = IndexContextProvider(index).snippets(request)
    assert any("def circle_area(radius: float) -> float:" in s.text for s in snippets)


def genls_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genls", *args], capture_output=True, text=True, timeout=300
    )


def test_cli_indexes_then_searches(repo):
    indexed = genls_cli("index", str(repo))
    assert indexed.returncode == 0, indexed.stderr
    assert indexed.stdout.startswith("2 files (2 indexed, 0 removed)")
    found = genls_cli("search", "area of a circle", "--path", str(repo), "--k", "3", "--json")
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert hits[0]["path"] == "pkg/geometry.py" and "circle_area" in hits[0]["symbol"]


def test_cli_index_refuses_while_a_server_writes(repo, embedder):
    server_index = new_index(repo, embedder)
    server_index.load()  # holds the writer lock, as a running server does
    refused = genls_cli("index", str(repo))
    assert refused.returncode == 2
    assert "another genls process is writing the index" in refused.stderr
    assert not (repo / ".genls" / "CURRENT").exists()
    server_index.close()


def test_a_module_qualifier_brings_that_modules_definitions(repo, embedder):
    index = new_index(repo, embedder)
    index.update()
    app = repo / "app.py"
    text = "from pkg import geometry\n\n\ndef report(r):\n    return geometry.ci"
    provider = IndexContextProvider(index)
    request = CompletionRequest(app.as_uri(), str(app), text, len(text), "python")
    snippets = provider.snippets(request)
    assert snippets[0].path == "pkg/geometry.py"
    assert "def circle_area(radius: float) -> float:" in snippets[0].text.split("\n")
    # Typing the member's name keeps the context (and the model's cache) as it was.
    assert (
        provider.snippets(
            CompletionRequest(app.as_uri(), str(app), text + "r", len(text) + 1, "python")
        )
        is snippets
    )


def test_the_function_or_class_being_called_brings_its_head(repo, embedder):
    index = new_index(repo, embedder)
    index.update()
    app = repo / "app.py"
    provider = IndexContextProvider(index, similar=0)  # similar chunks could bring it too

    def context(text: str) -> list:
        return provider.snippets(CompletionRequest(app.as_uri(), str(app), text, len(text)))

    text = "from pkg.geometry import circle_area\n\n\ndef report(r):\n    return round(circle_area("
    head = 'def circle_area(radius: float) -> float:\n    """Area of a circle'
    assert context(text)[0].path == "pkg/geometry.py"
    assert context(text)[0].text.startswith(head)
    assert not any(head in s.text for s in context(text + "r), 2)")), "closed: no longer needed"
    point = context("from pkg.geometry import Point\n\n\ndef origin():\n    return Point(")
    assert point[0].text.startswith('class Point:\n    """A point in the plane."""')
    assert point[0].text.endswith("def __init__(self, x: float, y: float) -> None:")


@pytest.mark.parametrize(
    ("typed", "callee"),
    [
        ("    x = load(path, parse(", "parse"),
        ("    x = load(path, parse(a), ", "load"),
        ("    x = self.store.get(", "get"),
        ("    x = f(a)", None),
        ("    x = (a + ", None),
        ("    print", None),
    ],
)
def test_open_call_is_the_innermost_unclosed_call(typed, callee):
    assert open_call(typed) == callee


def test_docstring_context_shows_callers_and_callees_from_the_index(repo, embedder):
    from genls.assist.doc_context import IndexDocContext
    from genls.assist.doc_target import target_at
    from genls.index.languages import language_for
    from genls.index.symbols import ParsedSource

    report = (
        "from pkg.geometry import circle_area\n\n\n"
        "def ring_area(outer, inner):\n"
        "    return circle_area(outer) - circle_area(inner)\n"
    )
    (repo / "pkg" / "rings.py").write_text(report)
    index = new_index(repo, embedder)
    index.update()
    python = language_for("python", "x.py")
    # Callers of circle_area: ring_area's chunk, with its path.
    area = target_at(
        ParsedSource(GEOMETRY, python),
        GEOMETRY.split("\n").index("def circle_area(radius: float) -> float:"),
    )
    context = IndexDocContext(index, "pkg/geometry.py")(area)
    assert context.startswith("Called from:\n# pkg/rings.py:4\n")
    assert "circle_area(outer) - circle_area(inner)" in context
    # Callees of ring_area: circle_area's signature and the first line of its docstring.
    ring = target_at(ParsedSource(report, python), 3)
    assert IndexDocContext(index, "pkg/rings.py")(ring) == (
        "It calls:\ndef circle_area(radius: float) -> float:  # pkg/geometry.py: "
        "Area of a circle of the given radius."
    )
    index.close()
