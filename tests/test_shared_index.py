"""A team's shared index in a real PostgreSQL with pgvector (the server the pgserver wheel
bundles, started for these tests): written per commit as CI would, read by an editor's index,
which indexes only the files that differ here."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import psycopg
import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from genls.index.chunks import Chunk
from genls.index.embeddings import Embedder
from genls.index.lexical import code_words
from genls.index.shared_store import SharedStore, SharedStoreError
from genls.index.store import IndexedFile
from genls.index.workspace_index import WorkspaceIndex
from tests.conftest import TINY_MODEL, server_config, start_session
from tests.postgres_server import PASSWORD, PostgresServer, postgres_server
from tests.test_index import GEOMETRY, SHOP
from tests.test_server_index import wait_for_index

QUERIES = (
    "euclidean distance between two points",
    "basket total of the items",
    "circle_area radius",
    "parse the configuration file",
    "retry a failed download",
    "formatPrice receipt",
)

UTILITIES = {
    "pkg/config.py": '''"""Settings from a file."""

import json


def load_config(path: str) -> dict:
    """Parse the configuration file at path."""
    with open(path) as stream:
        return json.load(stream)
''',
    "pkg/download.py": '''"""Fetching files."""

import time


def download_with_retry(url: str, attempts: int = 3) -> bytes:
    """Retry a failed download a few times, waiting longer each time."""
    for attempt in range(attempts):
        time.sleep(2**attempt)
    raise TimeoutError(url)
''',
    "pkg/strings.py": '''"""Text helpers."""


def slugify(title: str) -> str:
    """A URL-safe version of a title."""
    return "-".join(title.lower().split())
''',
}


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=CI", "-c", "user.email=ci@example.com", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture
def team_repo(tmp_path) -> Path:
    return committed_repo(tmp_path / "team")


def committed_repo(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "geometry.py").write_text(GEOMETRY)
    (root / "shop.js").write_text(SHOP)
    for path, text in UTILITIES.items():
        (root / path).write_text(text)
    (root / ".gitignore").write_text(".genls/\n")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    return root


def shared_index(root: Path, folder: Path, embedder: Embedder, url: str) -> WorkspaceIndex:
    index = WorkspaceIndex(root, folder, embedder, 1_000_000, SharedStore(url))
    index.load()
    return index


def store_head(root: Path, folder: Path, embedder: Embedder, url: str) -> str:
    """What `genls index --store` does in CI: index what the store lacks, store HEAD."""
    writer = shared_index(root, folder, embedder, url)
    writer.update()
    commit, stored = writer.publish_to_shared()
    writer.close()
    assert stored
    return commit


def store_then_change(root: Path, tmp_path: Path, embedder: Embedder, url: str) -> str:
    """Store HEAD as CI would, then commit a change to shop.js; the stored commit."""
    first = store_head(root, tmp_path / "ci-first", embedder, url)
    (root / "shop.js").write_text(SHOP + "// v2\n")
    git(root, "commit", "-q", "-am", "v2")
    return first


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as db:
        return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def located(hits) -> list[tuple[str, int]]:
    return [(hit.path, hit.start_line) for hit in hits]


def test_an_editor_on_a_stored_commit_indexes_nothing_and_finds_what_the_local_index_finds(
    postgres, embedder, team_repo, tmp_path
):
    url = postgres.new_database()
    commit = store_head(team_repo, tmp_path / "ci", embedder, url)
    assert commit == git(team_repo, "rev-parse", "HEAD")

    local = WorkspaceIndex(team_repo, tmp_path / "local", embedder, 1_000_000)
    local.load()
    local.update()
    editor = shared_index(team_repo, tmp_path / "editor", embedder, url)
    assert editor.ready  # searchable before its update compares a single file
    summary = editor.update()
    assert summary.files == 5 and summary.changed == 0  # nothing parsed or embedded here
    assert editor.shared_commit is not None and editor.shared_commit.commit == commit

    for query in QUERIES:
        assert located(editor.search(query, k=5)) == located(local.search(query, k=5)), query
        for ranking in ("vector", "words"):
            assert located(editor.search(query, k=5, rankings=(ranking,))) == located(
                local.search(query, k=5, rankings=(ranking,))
            ), (query, ranking)
    assert sorted(editor.paths()) == sorted(local.paths())
    assert editor.definitions_named("circle_area") == local.definitions_named("circle_area")
    assert editor.find_symbols("dist") == local.find_symbols("dist")
    [(path, definition)] = editor.definitions_named("download_with_retry")
    assert editor.source_head(path, definition, 3) == local.source_head(path, definition, 3)
    assert "Retry a failed download" in editor.source_head(path, definition, 3)
    assert editor.module_definitions("geometry") == local.module_definitions("geometry")


def test_the_next_commit_embeds_only_its_change_and_an_editor_overlays_its_own_edits(
    postgres, embedder, team_repo, tmp_path
):
    url = postgres.new_database()
    first = store_head(team_repo, tmp_path / "ci-1", embedder, url)
    blobs = count(url, "genls_blobs")
    geometry = team_repo / "pkg" / "geometry.py"
    geometry.write_text(
        GEOMETRY + "\n\ndef square_area(side: float) -> float:\n    return side**2\n"
    )
    git(team_repo, "commit", "-q", "-am", "squares")

    # A fresh CI runner (no local index): the store serves the first commit's files.
    writer = shared_index(team_repo, tmp_path / "ci-2", embedder, url)
    assert writer.shared_commit is not None and writer.shared_commit.commit == first
    assert writer.update().changed == 1
    second, stored = writer.publish_to_shared()
    assert stored and second == git(team_repo, "rev-parse", "HEAD")
    assert count(url, "genls_blobs") == blobs + 1
    assert count(url, "genls_commits") == 2
    store = SharedStore(url)
    square = embedder.embed(["def square_area(side: float) -> float"])[0]
    for commit, holds_square in ((first, False), (second, True)):
        hits = store.search_vectors(commit, square, 50)
        keys = [(chunk.path, position) for position, chunk, _ in hits]
        assert len(keys) == len(set(keys))  # one version of each file per commit
        assert any("square_area" in chunk.text for _, chunk, _ in hits) == holds_square

    # A developer on the second commit, with work of their own not committed yet.
    (team_repo / "shop.js").write_text(
        SHOP + "\nexport function applyCoupon(total, coupon) {\n  return total - coupon.off;\n}\n"
    )
    (team_repo / "pkg" / "strings.py").unlink()
    editor = shared_index(team_repo, tmp_path / "editor", embedder, url)
    assert editor.shared_commit is not None and editor.shared_commit.commit == second
    summary = editor.update()
    assert summary.changed == 1 and summary.files == 4  # shop.js here; strings.py gone
    assert [hit.path for hit in editor.search("applyCoupon coupon", k=1)] == ["shop.js"]
    assert "applyCoupon" in editor.search("applyCoupon coupon", k=1)[0].text
    assert editor.definitions_named("square_area")  # from the store
    assert editor.definitions_named("applyCoupon")  # from here
    assert not editor.definitions_named("slugify")  # deleted here, still in the commit
    assert "pkg/strings.py" not in editor.paths()
    assert all(hit.path != "pkg/strings.py" for hit in editor.search("slugify title url", k=10))
    # The store's words and the local ones on one scale: a local match is not favoured.
    assert editor.search("load config path", k=1, rankings=("words",))[0].path == "pkg/config.py"
    (team_repo / "pkg" / "config.py").unlink()
    assert editor.update_paths([team_repo / "pkg" / "config.py"]) == 1
    assert "pkg/config.py" not in editor.paths() and not editor.definitions_named("load_config")

    # A file saved back to its committed content is served by the store again.
    (team_repo / "shop.js").write_text(SHOP)
    assert editor.update_paths([team_repo / "shop.js"]) == 1
    assert "shop.js" in editor.paths()
    assert not editor.definitions_named("applyCoupon")
    assert editor.search("basketTotal items", k=1)[0].path == "shop.js"


def test_a_writer_refuses_files_that_differ_from_its_commit(
    postgres, embedder, team_repo, tmp_path
):
    url = postgres.new_database()
    (team_repo / "shop.js").write_text(SHOP + "// not committed\n")
    writer = shared_index(team_repo, tmp_path / "ci", embedder, url)
    writer.update()
    with pytest.raises(Exception, match=r"1 files differ from commit .*shop\.js"):
        writer.publish_to_shared()
    assert SharedStore(url).nearest_commit([git(team_repo, "rev-parse", "HEAD")], ".") is None


def test_a_shallow_clone_and_a_subfolder_find_what_the_store_can_serve(
    postgres, embedder, team_repo, tmp_path
):
    url = postgres.new_database()
    first = store_then_change(team_repo, tmp_path, embedder, url)
    shallow = tmp_path / "shallow"  # a CI checkout of depth 1 sees no ancestor
    git(tmp_path, "clone", "-q", "--depth", "1", team_repo.as_uri(), str(shallow))
    writer = shared_index(shallow, tmp_path / "ci-2", embedder, url)
    assert writer.shared_commit is not None and writer.shared_commit.commit == first
    assert writer.update().changed == 1

    package = shared_index(team_repo / "pkg", tmp_path / "ci-pkg", embedder, url)
    assert package.shared_commit is None  # its paths are not the root's
    assert package.update().changed == 4
    commit, stored = package.publish_to_shared()
    assert stored and commit == git(team_repo, "rev-parse", "HEAD") + ":pkg"
    assert "geometry.py" in SharedStore(url).read_commit(commit).files


# -- the command line, as CI runs it -------------------------------------------------------


def genls(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "genls", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def finished(process: subprocess.Popen) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out, err


def wait_for_backends(db: psycopg.Connection, condition: str, wanted: int) -> list[int]:
    """The pids of `wanted` server backends matching a pg_stat_activity condition (a writer
    blocked on a lock, say), waiting for them to get there."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        rows = db.execute(
            "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            f"AND datname = current_database() AND {condition}"
        ).fetchall()
        if len(rows) >= wanted:
            return [pid for (pid,) in rows]
        time.sleep(0.1)  # polls the server's own view of its sessions, not a guess of timing
    raise AssertionError(f"no backend reached: {condition}")


WAITING_TO_STORE_THE_COMMIT = "wait_event_type = 'Lock' AND query LIKE 'INSERT INTO genls_commits%'"


def test_a_writer_killed_before_its_commit_is_stored_leaves_the_last_stored_state(
    postgres, embedder, team_repo, tmp_path
):
    url = postgres.new_database()
    first = store_head(team_repo, tmp_path / "ci-1", embedder, url)
    blobs = count(url, "genls_blobs")
    (team_repo / "pkg" / "config.py").write_text(UTILITIES["pkg/config.py"] + "\nDEFAULT = {}\n")
    git(team_repo, "commit", "-q", "-am", "defaults")

    with psycopg.connect(url) as holder:
        # Hold the commit list: the writer gets as far as its last statement, then waits.
        holder.execute("LOCK TABLE genls_commits IN EXCLUSIVE MODE")
        writer = genls("index", str(team_repo), "--store", url)
        with psycopg.connect(url, autocommit=True) as watcher:
            wait_for_backends(watcher, WAITING_TO_STORE_THE_COMMIT, 1)
            assert count(url, "genls_blobs") == blobs  # its rows are not visible: not committed
            os.kill(writer.pid, signal.SIGKILL)
            writer.wait(timeout=60)
            holder.rollback()
    store = SharedStore(url)
    assert store.nearest_commit([git(team_repo, "rev-parse", "HEAD"), first], ".") == first
    assert count(url, "genls_blobs") == blobs
    assert count(url, "genls_commits") == 1

    code, _, err = finished(genls("index", str(team_repo), "--store", url))
    assert code == 0, err
    assert "stored commit" in err
    assert count(url, "genls_commits") == 2 and count(url, "genls_blobs") == blobs + 1


def test_two_writers_of_one_commit_store_it_once(postgres, embedder, team_repo, tmp_path):
    url = postgres.new_database()
    store_then_change(team_repo, tmp_path, embedder, url)
    blobs = count(url, "genls_blobs") + 1  # and the changed file's
    clone = tmp_path / "clone"  # another CI job's checkout of the same commit
    git(tmp_path, "clone", "-q", str(team_repo), str(clone))
    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE genls_commits IN EXCLUSIVE MODE")
        writers = [genls("index", str(root), "--store", url) for root in (team_repo, clone)]
        with psycopg.connect(url, autocommit=True) as watcher:
            # One is about to store the commit; the other waits for the commit's lock.
            wait_for_backends(watcher, WAITING_TO_STORE_THE_COMMIT, 1)
            wait_for_backends(watcher, "wait_event = 'advisory'", 1)
        holder.rollback()
    results = [finished(writer) for writer in writers]
    assert [code for code, _, _ in results] == [0, 0], [err for _, _, err in results]
    messages = [err for _, _, err in results]
    assert sum("stored commit" in m for m in messages) == 1
    assert sum("was already in the shared index" in m for m in messages) == 1
    assert count(url, "genls_commits") == 2 and count(url, "genls_blobs") == blobs
    assert count(url, "genls_commit_files") == 10


def test_the_settings_read_the_store_and_only_the_command_line_writes_it(
    postgres, embedder, team_repo, tmp_path
):
    url = postgres.new_database()
    first = store_then_change(team_repo, tmp_path, embedder, url)
    (team_repo / ".genls.toml").write_text(f'indexStore = "{url}"\n')
    code, out, err = finished(genls("index", str(team_repo), "--json"))
    assert code == 0, err
    assert '"changed": 1' in out  # served by the store but shop.js
    assert count(url, "genls_commits") == 1 and SharedStore(url).nearest_commit([], ".") == first


def test_a_wrong_password_or_a_missing_extension_is_one_clear_message(
    postgres, team_repo, tmp_path
):
    wrong = postgres.url(password="not-the-password")
    code, out, err = finished(
        genls("search", "circle area", "--path", str(team_repo), "--store", wrong)
    )
    assert code == 2 and out == ""
    assert "cannot reach the shared index at postgresql://genls@" in err
    assert "password authentication failed" in err
    assert "not-the-password" not in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1

    postgres.add_role("plain", "plain-password")
    url = postgres.new_database(owner="plain").replace(PASSWORD, "plain-password")
    code, _, err = finished(genls("index", str(team_repo), "--store", url))
    assert code == 2
    assert "has no pgvector extension" in err and "CREATE EXTENSION vector" in err
    assert "Traceback" not in err

    with pytest.raises(SharedStoreError, match="cannot reach the shared index"):
        SharedStore(f"postgresql://genls@/postgres?host={tmp_path}").nearest_commit(["abc"], ".")


# -- an editor's server ----------------------------------------------------------------------


@pytest_lsp.fixture(config=server_config())
async def editor(lsp_client: LanguageClient, workspace, postgres, embedder, tmp_path):
    committed_repo(workspace)
    url = postgres.new_database()
    store_head(workspace, tmp_path / "ci", embedder, url)
    (workspace / "pkg" / "strings.py").write_text(
        UTILITIES["pkg/strings.py"] + "\n\ndef shout(text: str) -> str:\n    return text.upper()\n"
    )
    options = {"model": TINY_MODEL, "maxTokens": 8, "indexStore": url}
    await start_session(lsp_client, workspace.as_uri(), options)
    yield
    await lsp_client.shutdown_session()


async def test_the_editors_server_answers_from_the_shared_commit_and_its_own_edits(
    editor: LanguageClient, workspace
):
    status = await wait_for_index(editor)
    assert status["index"]["sharedCommit"] == git(workspace, "rev-parse", "HEAD")
    assert PASSWORD not in str(status["settings"]["indexStore"])
    assert not [m.message for m in editor.log_messages if PASSWORD in m.message]
    assert any("(1 changed," in m.message for m in editor.log_messages), "indexed one file here"

    for query, path in (("download", "pkg/download.py"), ("shout", "pkg/strings.py")):
        symbols = await editor.workspace_symbol_async(types.WorkspaceSymbolParams(query=query))
        assert [s.location.uri for s in symbols[:1]] == [(workspace / path).as_uri()], query
    hits = await editor.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.search", arguments=["retry a failed download", 3])
    )
    assert hits[0]["path"] == "pkg/download.py" and hits[0]["symbol"] == "download_with_retry"
    hits = await editor.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.search", arguments=["shout text upper", 3])
    )
    assert hits[0]["path"] == "pkg/strings.py" and "upper()" in hits[0]["text"]


@pytest_lsp.fixture(config=server_config())
async def offline_editor(lsp_client: LanguageClient, workspace, postgres):
    committed_repo(workspace)
    wrong = postgres.url(password="not-the-password")
    await start_session(lsp_client, workspace.as_uri(), {"model": TINY_MODEL, "indexStore": wrong})
    yield
    await lsp_client.shutdown_session()


async def test_an_editor_whose_store_fails_says_so_and_indexes_here(
    offline_editor: LanguageClient, workspace
):
    status = await wait_for_index(offline_editor)
    assert status["index"]["ready"] and status["index"]["sharedCommit"] is None
    [shown] = [m.message for m in offline_editor.messages if "shared index" in m.message]
    assert "password authentication failed" in shown and "indexing this workspace here" in shown
    assert "not-the-password" not in shown
    hits = await offline_editor.workspace_execute_command_async(
        types.ExecuteCommandParams(command="genls.search", arguments=["retry a failed download", 1])
    )
    assert hits[0]["path"] == "pkg/download.py"


def test_words_in_most_chunks_of_a_large_store_do_not_rank(postgres):
    """ts_rank has no inverse document frequency: a word in most chunks (`return`) would
    rank a chunk that has nothing else of the query above one that has its rare word."""
    url = postgres.new_database()
    vectors = np.eye(8, dtype=np.float32)
    files = {}
    for number in range(1200):
        path = f"pkg/module_{number}.py"
        text = {
            7: "def parse_header(value):\n    return value",  # the rare word, and return
            3: "def step_3(value):\n    return return return",  # the most of return
        }.get(number, f"def step_{number}(value):\n    return value")
        chunk = Chunk(path, 0, 1, f"step_{number}", "function", text)
        digest = hashlib.sha256(text.encode()).hexdigest()
        files[path] = IndexedFile(path, digest, "python", [chunk], vectors[[number % 8]])
    store = SharedStore(url)
    sizes = {path: f.sha256 for path, f in files.items()}
    assert store.publish("c1", ".", sizes, list(files.values()), "test-model", 8)
    hits, _ = store.search_words("c1", code_words("return the parsed header"), 5)
    assert [chunk.path for _, chunk, _ in hits] == ["pkg/module_7.py"]
    hits, _ = store.search_words("c1", code_words("return"), 3)  # nothing rarer: it stays
    assert hits[0][1].path == "pkg/module_3.py"
