"""What `pip install genls` brings is what genls imports: every module that genls/ and
multimodal/ import from outside the standard library belongs to a distribution that
pyproject.toml declares (in `dependencies`, or in the extra that the importing code needs).
A missing one works here, where the venv happens to have it, and fails on a user's machine."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCANNED = ("genls", "multimodal")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"]]
    for extra, listed in project["optional-dependencies"].items():
        if extra != "dev":
            requirements += listed
    return {_canonical(re.split(r"[\s=<>!~\[;]", r, maxsplit=1)[0]) for r in requirements}


def _imported_modules() -> dict[str, str]:
    """Top-level module name -> the first file that imports it (absolute imports only)."""
    found: dict[str, str] = {}
    for package in SCANNED:
        for path in sorted((REPO / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(REPO)))
    return found


def test_every_third_party_import_is_a_declared_dependency():
    providers = packages_distributions()
    declared = _declared()
    first_party = {module for module, names in providers.items() if "genls" in names}
    undeclared = []
    for module, where in sorted(_imported_modules().items()):
        if module in first_party or module in sys.stdlib_module_names:
            continue
        distributions = {_canonical(d) for d in providers.get(module, [])}
        if not distributions & declared:
            undeclared.append(
                f"{module} ({where}; from {sorted(distributions) or 'nothing installed'})"
            )
    assert not undeclared, "imported but not declared in pyproject.toml: " + ", ".join(undeclared)
