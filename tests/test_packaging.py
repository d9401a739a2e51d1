"""genls as a user gets it from `pip install`: a wheel built from this checkout, installed
outside it, finds its grammars and model cards as package data and works.

The wheel goes into a folder of its own (`pip install --no-deps --target`), ahead of the
editable install on PYTHONPATH, so its dependencies come from this venv; every command runs
from a folder outside the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import TINY_MODEL

REPO = Path(__file__).resolve().parent.parent
PIP = (sys.executable, "-m", "pip", "-q")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The folder the built wheel was installed into."""
    folder = tmp_path_factory.mktemp("wheel")
    # Built from a copy of the files git would commit: the build leaves nothing in the
    # checkout, and nothing left over from an earlier build gets into the wheel.
    source = folder / "source"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    for name in filter(None, listed.stdout.decode().split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    dist = folder / "dist"
    # No build isolation: the venv's setuptools builds it, with nothing fetched.
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", str(source), "-w", str(dist)],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    (wheel,) = dist.glob("genls-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "genls/grammars/python/language.toml" in names
    assert "genls/grammars/python/symbols.scm" in names
    assert "multimodal/audio/MODEL_CARD.md" in names
    target = folder / "site"
    subprocess.run(
        [*PIP, "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def _genls(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    env.pop("GENLS_GRAMMARS", None)
    return subprocess.run(
        [sys.executable, "-m", "genls", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_installed_package_is_the_one_that_runs(installed, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(installed)}
    found = subprocess.run(
        [sys.executable, "-c", "import genls.index.languages as l; print(l.grammars_directory())"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(found.stdout.strip()) == installed / "genls" / "grammars"


def test_doctor_finds_every_grammar(installed, tmp_path):
    result = _genls(installed, tmp_path, "doctor", "--skip-speed", "--json")
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    grammars = checks["tree-sitter grammars"]
    assert grammars["ok"] and "python" in grammars["detail"], grammars


def test_index_and_complete_outside_the_checkout(installed, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    source = project / "shapes.py"
    source.write_text(
        "def area(width, height):\n    return width * height\n\n\n"
        "def perimeter(width, height):\n    return \n"
    )
    indexed = _genls(installed, project, "index", str(project), "--json")
    assert indexed.returncode == 0, indexed.stderr
    assert json.loads(indexed.stdout)["files"] == 1
    found = _genls(installed, project, "search", "area of a rectangle", "--path", str(project))
    assert found.returncode == 0, found.stderr
    assert "area" in found.stdout
    completed = _genls(installed, project, "complete", f"{source}:6:12", "--model", TINY_MODEL)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip()
