"""The index's embeddings from a real OpenAI-compatible server on loopback: llama-cpp-python's
own server (`llama_cpp.server`, embedding=True) on the tiny bundled GGUF, as a team's
inference server would serve them."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from genls.index.endpoint_embeddings import EmbeddingServerError, EndpointEmbedder
from genls.index.workspace_index import WorkspaceIndex
from genls.llm.registry import ModelStore
from tests.conftest import TINY_MODEL
from tests.llama_server import free_port, llama_server
from tests.test_index import GEOMETRY, SHOP

MODEL_NAME = "smollm2"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    """The base URL of a running embedding server."""
    model = ModelStore().path_for(TINY_MODEL)
    log = tmp_path_factory.mktemp("embedding-server") / "server.log"
    options = ("--embedding", "true", "--n_ctx", "512", "--n_threads", "1")
    with llama_server(model, log, *options) as url:
        yield url


def _workspace(root: Path) -> Path:
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "geometry.py").write_text(GEOMETRY)
    (root / "shop.js").write_text(SHOP)
    return root


def test_batches_come_back_in_order_and_unit_length(server):
    embedder = EndpointEmbedder(server, MODEL_NAME)
    texts = [f"def step_{i}(value):\n    return value + {i}\n" for i in range(70)]  # two batches
    done: list[int] = []
    vectors = embedder.embed(texts, done.append)
    assert done == [64, 6]
    assert vectors.shape == (70, embedder.dimension) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    again = embedder.embed([texts[5], texts[0]])
    assert np.allclose(again, vectors[[5, 0]], atol=1e-4)  # order kept, answers repeatable
    assert not np.allclose(vectors[0], vectors[1])


def test_an_index_built_from_the_server_keeps_its_state_when_the_server_goes(server, tmp_path):
    root = _workspace(tmp_path / "project")
    index = WorkspaceIndex(root, root / ".genls", EndpointEmbedder(server, MODEL_NAME), 1_000_000)
    assert index.update().files == 2
    assert index.search("circle_area radius", k=1)[0].path == "pkg/geometry.py"
    index.close()

    # The server is gone (nothing listens there): the update fails with one clear message,
    # and the state before it is still what searches see, and what is on disk.
    gone = f"http://127.0.0.1:{free_port()}"
    again = WorkspaceIndex(root, root / ".genls", EndpointEmbedder(gone, MODEL_NAME), 1_000_000)
    assert again.load() is None and again.ready
    (root / "pkg" / "volume.py").write_text("def cube_volume(side):\n    return side**3\n")
    with pytest.raises(EmbeddingServerError, match="cannot reach the embedding server"):
        again.update()
    assert again.search("circle_area radius", k=1)[0].path == "pkg/geometry.py"
    assert [path for path in again.paths()] == ["pkg/geometry.py", "shop.js"]
    again.close()


def test_a_wrong_address_is_one_clear_error_without_retries(server):
    embedder = EndpointEmbedder(f"{server}/not-here", MODEL_NAME)
    with pytest.raises(EmbeddingServerError, match="answered 404"):
        embedder.embed(["x"])


def test_the_command_line_index_uses_the_server_from_the_settings_file(server, tmp_path):
    root = _workspace(tmp_path / "project")
    (root / ".genls.toml").write_text(
        f'embeddingEndpoint = "{server}"\nembeddingModel = "{MODEL_NAME}"\n'
    )
    indexed = subprocess.run(
        [sys.executable, "-m", "genls", "index", str(root), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert indexed.returncode == 0, indexed.stderr
    assert json.loads(indexed.stdout)["files"] == 2
    found = subprocess.run(
        [sys.executable, "-m", "genls", "search", "basketTotal items", "--path", str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    assert "shop.js" in found.stdout
