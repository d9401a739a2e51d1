"""The Neovim plugin on Neovim 0.12, where it uses the built-in inline completion.

tests/nvim_plugin/native.lua sets the plugin up as its README says, moves the cursor (the
server prefills there), waits for Neovim's own ghost text and accepts it with the plugin's
<Tab>. Neovim 0.12 comes from `make nvim-0.12` (tests/tools/nvim-0.12 unpacks Debian's
package into .venv/nvim-0.12 without installing anything).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_nvim_plugin import NVIM_TIMEOUT_S, REPO, SOURCE, run_script, shapes_workspace

NVIM_012 = REPO / ".venv" / "nvim-0.12" / "nvim"
SCRIPT = REPO / "tests" / "nvim_plugin" / "native.lua"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not NVIM_012.is_file():
        pytest.fail(f"Neovim 0.12 not found at {NVIM_012}: run `make nvim-0.12`")
    root = tmp_path_factory.mktemp("nvim_012")
    return run_script(SCRIPT, root, shapes_workspace(root), NVIM_TIMEOUT_S, nvim=NVIM_012)


def test_the_plugin_uses_the_builtin_ghost_text_and_starts_without_a_message(
    report: dict[str, Any],
) -> None:
    assert report["ghost_mode"] == "native"
    # The documented set-up: no "unknown setting" (or any other) message from the server.
    assert report["notifications"] == [], report["notifications"]


def test_the_server_prefills_where_the_cursor_rests(report: dict[str, Any]) -> None:
    assert report["rest_offset"] == SOURCE.index("(")


def test_the_plugins_keys_accept_a_word_then_the_rest(report: dict[str, Any]) -> None:
    ghost, word = report["ghost_text"], report["expected_word"]
    assert ghost.strip() and "<|" not in ghost
    assert word and ghost.startswith(word)
    assert report["word_line"] == SOURCE.splitlines()[-1] + word  # only the word went in
    # <Tab> took all of the suggestion shown after it.
    assert report["accepted_line"].startswith(report["word_line"])
    assert len(report["accepted_line"]) > len(report["word_line"])
    assert report["mode"] == "i"


def test_checkhealth_names_the_keys(report: dict[str, Any]) -> None:
    health = "\n".join(report["health_lines"])
    assert "ghost text: native" in health
    assert "keys: accept <Tab>" in health
