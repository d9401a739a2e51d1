"""The VS Code extension's own test suite: unit tests of its pure modules, and its protocol test,
which drives the real server (the tiny model) with the protocol library the extension uses.

`npm test` in editors/vscode checks the extension against a stand-in `vscode` module; the real
VS Code (code-server) test is tests/test_vscode_real.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXTENSION = REPO / "editors" / "vscode"
# Type-checking, model loading and the first completion; a hang must still fail well inside
# pytest's global timeout.
NPM_TIMEOUT_S = 300


def test_vscode_extension_npm_test() -> None:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.skip("node and npm are not installed: the VS Code extension cannot be tested")
    if not (EXTENSION / "node_modules").is_dir():
        pytest.fail("editors/vscode has no node_modules: run `make vscode` (npm ci) first")
    env = {**os.environ, "GENLS_BIN": str(Path(sys.executable).parent / "genls")}
    result = subprocess.run(
        [npm, "test"],
        cwd=EXTENSION,
        env=env,
        capture_output=True,
        text=True,
        timeout=NPM_TIMEOUT_S,
        check=False,
    )
    assert result.returncode == 0, f"npm test failed:\n{result.stdout}\n{result.stderr}"
