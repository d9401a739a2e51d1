"""Does the workspace index make completions right more often? With and without, same points.

Two workspaces, each a copy made for the run:
- the standard library's asyncio package: a point is a line that uses another module's
  function or class through its module (`events.get_event_loop(`), the cursor right after
  `events.`, so the answer is a name only another file defines. The model has seen asyncio
  in training, so it can know the answer without the index;
- genls's own package (code written after the model was trained): a point is a line that
  calls a function or class that one other file defines (`write_files(`), the cursor right
  after the parenthesis, so the arguments follow that file's signature.
The same points are completed by two servers, one indexing the workspace and one without an
index; the first line of each suggestion is compared with the rest of the real line: exact
match, and edit similarity (difflib's ratio, 0..1).
"""

from __future__ import annotations

import ast
import asyncio
import difflib
import io
import random
import re
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.completion import SEED, BenchClient
from genls.config import Settings

REPOSITORY = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class CrossFilePoint:
    path: Path  # inside the scratch workspace
    text: str  # the file with the rest of the line removed
    line: int
    character: int
    expected: str  # the rest of the real line


def module_member_points(root: Path, count: int) -> list[CrossFilePoint]:
    """Cursor after `module.` where another module of the package defines the member."""
    modules = {path.stem: path for path in root.glob("*.py") if path.stem != "__init__"}
    defined = {name: _top_level_names(path) for name, path in modules.items()}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, modules)) + r")\.([A-Za-z_]\w*)")

    def column(path: Path, line: str) -> int | None:
        for match in pattern.finditer(line):
            module, member = match.groups()
            mine = defined[path.stem]
            if module != path.stem and member in defined[module] and member not in mine:
                return match.start(2)
        return None

    return _sample(sorted(modules.values()), column, count)


def call_argument_points(root: Path, count: int) -> list[CrossFilePoint]:
    """Cursor after `name(` where exactly one other file defines `name` at its top level."""
    files = sorted(root.rglob("*.py"))
    defined = {path: _top_level_names(path) for path in files}
    owners: dict[str, int] = {}
    for names in defined.values():
        for name in names:
            owners[name] = owners.get(name, 0) + 1

    def column(path: Path, line: str) -> int | None:
        for match in re.finditer(r"\b([A-Za-z_]\w*)\(", line):
            name, rest = match.group(1), line[match.end() :].strip()
            if owners.get(name) == 1 and name not in defined[path] and rest not in ("", ")"):
                return match.end()
        return None

    return _sample(files, column, count)


def _sample(
    files: list[Path], column: Callable[[Path, str], int | None], count: int
) -> list[CrossFilePoint]:
    """A seeded sample of the indented code lines where `column` finds a point."""
    candidates = []
    for path in files:
        lines = path.read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines):
            stripped = line.strip()
            if not line.startswith("    ") or stripped.startswith(("#", "import", "from")):
                continue
            found = column(path, line)
            if found is not None:
                candidates.append((path, lines, number, found))
    chosen = random.Random(SEED).sample(candidates, min(count, len(candidates)))
    points = []
    for path, lines, number, at in sorted(chosen, key=lambda c: (str(c[0]), c[2])):
        line = lines[number]
        text = "\n".join([*lines[:number], line[:at], *lines[number + 1 :]])
        points.append(CrossFilePoint(path, text, number, at, line[at:].rstrip()))
    return points


def _top_level_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    }


async def _complete_all(
    settings: Settings, root: Path, points: list[CrossFilePoint], with_index: bool
) -> list[str]:
    client = BenchClient(settings.merged({"index": with_index}))
    await client.start(root.as_uri())
    await client.wait_until_ready()
    suggestions = []
    for point in points:
        uri = point.path.as_uri()
        client.open(uri, point.text)
        _, suggestion = await client.inline(uri, point.line, point.character)
        suggestions.append(suggestion.split("\n")[0].rstrip())
        client.close(uri)
    await client.stop()
    return suggestions


def _scores(points: list[CrossFilePoint], suggestions: list[str]) -> dict[str, Any]:
    exact = [s == p.expected for p, s in zip(points, suggestions, strict=True)]
    similarity = [
        difflib.SequenceMatcher(None, s, p.expected).ratio()
        for p, s in zip(points, suggestions, strict=True)
    ]
    name = [
        bool(s) and p.expected.startswith(re.match(r"\w*", s).group(0) or "\0")
        for p, s in zip(points, suggestions, strict=True)
    ]
    return {
        "exact_match": round(sum(exact) / len(points), 3),
        "edit_similarity_mean": round(statistics.mean(similarity), 3),
        "right_name": round(sum(name) / len(points), 3),
    }


@dataclass(frozen=True)
class Workspace:
    name: str
    description: str
    copy: Callable[[Path], None]
    points: Callable[[Path, int], list[CrossFilePoint]]


def _asyncio(target: Path) -> None:
    shutil.copytree(Path(sysconfig.get_paths()["stdlib"]) / "asyncio", target)


def _genls(target: Path) -> None:
    """genls as committed (HEAD), so the points are the same for a given commit."""
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "HEAD", "genls"], cwd=REPOSITORY, capture_output=True, check=True
    )
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")


def _genls_commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=REPOSITORY, capture_output=True, text=True
    )
    return found.stdout.strip() or "unknown"


WORKSPACES = (
    Workspace(
        "asyncio",
        "a copy of the standard library's asyncio package; cursor after `module.`",
        _asyncio,
        module_member_points,
    ),
    Workspace(
        "genls",
        "a copy of genls's own package at {commit}; cursor after `name(` of a"
        " function or class another file defines",
        _genls,
        call_argument_points,
    ),
)


def run_cross_file_comparison(settings: Settings, count: int) -> dict[str, Any]:
    return {w.name: _compare(settings, w, count) for w in WORKSPACES}


def _compare(settings: Settings, workspace: Workspace, count: int) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="genls-bench-cross-file-"))
    try:
        root = scratch / workspace.name
        workspace.copy(root)
        points = workspace.points(root, count)
        results = {}
        examples = []
        for with_index in (False, True):
            label = "with_index" if with_index else "without_index"
            print(f"cross-file points, {workspace.name}, {label}", file=sys.stderr, flush=True)
            suggestions = asyncio.run(_complete_all(settings, root, points, with_index))
            results[label] = _scores(points, suggestions)
            examples.append(suggestions)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "workspace": workspace.description.format(commit=_genls_commit()),
        "points": len(points),
        **results,
        "examples": [
            {
                "path": f"{point.path.relative_to(root).as_posix()}:{point.line + 1}",
                "expected": point.expected,
                "without_index": without,
                "with_index": with_,
            }
            for point, without, with_ in list(zip(points, *examples, strict=True))[:5]
        ],
    }
