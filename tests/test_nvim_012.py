"""The Neovim plugin on Neovim 0.12, where it uses the built-in inline completion.

tests/nvim_plugin/native.lua sets the plugin up as its README says, moves the cursor (the
server prefills there), waits for Neovim's own ghost text and accepts it with the plugin's
<Tab>; tests/nvim_plugin/builtin.lua runs the README's Neovim 0.12+ snippet (no plugin) and
accepts with its <Tab>; tests/nvim_plugin/next_edit.lua (as in tests/test_nvim_plugin.py)
previews, jumps to and applies next edits beside the built-in ghost text. Neovim 0.12 comes
from `make nvim-0.12` (tests/tools/nvim-0.12 unpacks Debian's package into .venv/nvim-0.12
without installing anything).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TINY_MODEL
from tests.test_nvim_plugin import (
    NVIM_TIMEOUT_S,
    REPO,
    SOURCE,
    assert_jump_then_apply,
    assert_preview_of_the_rename,
    assert_replace_items_are_no_ghost_text,
    assert_tab_applies_as_one_undo_step,
    next_edit_run,
    run_script,
    shapes_workspace,
)

NVIM_012 = REPO / ".venv" / "nvim-0.12" / "nvim"
SCRIPT = REPO / "tests" / "nvim_plugin" / "native.lua"
BUILTIN_SCRIPT = REPO / "tests" / "nvim_plugin" / "builtin.lua"
README_SNIPPET = re.compile(
    r"\*\*Neovim 0\.12\+\*\* \(built-in ghost text\):\n\n```lua\n(.*?)```", re.S
)


def nvim_012() -> Path:
    if not NVIM_012.is_file():
        pytest.fail(f"Neovim 0.12 not found at {NVIM_012}: run `make nvim-0.12`")
    return NVIM_012


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    nvim_012()
    root = tmp_path_factory.mktemp("nvim_012")
    return run_script(SCRIPT, root, shapes_workspace(root), NVIM_TIMEOUT_S, nvim=nvim_012())


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


def test_the_readmes_snippet_without_the_plugin_shows_and_accepts_ghost_text(tmp_path):
    snippet = README_SNIPPET.search((REPO / "README.md").read_text()).group(1)
    assert "vim.lsp.inline_completion.get()" in snippet  # the README gives an accept key
    command = '{ "/path/to/genls/.venv/bin/genls", "serve" }'
    assert command in snippet and '"qwen2.5-coder-0.5b"' in snippet
    adapted = snippet.replace(command, f'{{ "{sys.executable}", "-m", "genls", "serve" }}')
    adapted = adapted.replace('"qwen2.5-coder-0.5b"', f'"{TINY_MODEL}"')
    (tmp_path / "snippet.lua").write_text(adapted)
    data = run_script(
        BUILTIN_SCRIPT,
        tmp_path,
        shapes_workspace(tmp_path),
        NVIM_TIMEOUT_S,
        extra_env={"GENLS_TEST_SNIPPET": str(tmp_path / "snippet.lua")},
        nvim=nvim_012(),
    )
    ghost = data["ghost_text"]
    assert ghost.strip() and data["accepted_line"] == data["old_line"] + ghost
    # <C-l>: the first line of the suggestion (Neovim draws only that line inline).
    assert data["line_accepted"] == data["old_line"] + data["ghost_again"]


def test_next_edits_beside_the_builtin_ghost_text(tmp_path: Path) -> None:
    data = next_edit_run(tmp_path, nvim=nvim_012())
    assert data["ghost_mode"] == "native"
    assert_preview_of_the_rename(data)
    assert_tab_applies_as_one_undo_step(data)
    assert_jump_then_apply(data)
    assert_replace_items_are_no_ghost_text(data)
