"""Does the workspace index make completions right more often? With and without, same points.

The workspace is a copy of one standard-library package (asyncio). A point is a line that uses a
function or class of another module of the package through its module (`events.get_event_loop(`):
the cursor goes right after `events.`, so the answer is a name that only another file defines.
The same points are completed by two servers, one indexing the workspace and one without an
index; the first line of each suggestion is compared with the rest of the real line: exact
match, and edit similarity (difflib's ratio, 0..1).
"""

from __future__ import annotations

import ast
import asyncio
import difflib
import random
import re
import shutil
import statistics
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types

from bench.completion import SEED, BenchClient
from genls.config import Settings

PACKAGE = "asyncio"


@dataclass(frozen=True)
class CrossFilePoint:
    path: Path  # inside the scratch workspace
    text: str  # the file with the rest of the line removed
    line: int
    character: int
    expected: str  # the rest of the real line


def cross_file_points(root: Path, count: int) -> list[CrossFilePoint]:
    modules = {path.stem: path for path in root.glob("*.py") if path.stem != "__init__"}
    defined = {name: _top_level_names(path) for name, path in modules.items()}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, modules)) + r")\.([A-Za-z_]\w*)")
    candidates = []
    for name, path in sorted(modules.items()):
        lines = path.read_text(encoding="utf-8").split("\n")
        for number, line in enumerate(lines):
            stripped = line.strip()
            if not line.startswith("    ") or stripped.startswith(("#", "import", "from")):
                continue
            for match in pattern.finditer(line):
                module, member = match.groups()
                if module != name and member in defined[module] and member not in defined[name]:
                    candidates.append((path, lines, number, match.start(2)))
                    break
    chosen = random.Random(SEED).sample(candidates, min(count, len(candidates)))
    points = []
    for path, lines, number, column in sorted(chosen, key=lambda c: (str(c[0]), c[2])):
        line = lines[number]
        text = "\n".join([*lines[:number], line[:column], *lines[number + 1 :]])
        points.append(CrossFilePoint(path, text, number, column, line[column:].rstrip()))
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
    if with_index:
        await _wait_for_index(client)
    suggestions = []
    for point in points:
        uri = point.path.as_uri()
        client.open(uri, point.text)
        _, suggestion = await client.inline(uri, point.line, point.character)
        suggestions.append(suggestion.split("\n")[0].rstrip())
        client.close(uri)
    await client.stop()
    return suggestions


async def _wait_for_index(client: BenchClient) -> None:
    while True:
        status = await client.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="genls.status")
        )
        if status["index"]["ready"] and not status["index"]["indexing"]:
            return
        await asyncio.sleep(0.5)


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


def run_cross_file_comparison(settings: Settings, count: int) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="genls-bench-cross-file-"))
    try:
        root = scratch / PACKAGE
        shutil.copytree(Path(sysconfig.get_paths()["stdlib"]) / PACKAGE, root)
        points = cross_file_points(root, count)
        results = {}
        examples = []
        for with_index in (False, True):
            label = "with_index" if with_index else "without_index"
            print(f"cross-file points {label}", file=sys.stderr, flush=True)
            suggestions = asyncio.run(_complete_all(settings, root, points, with_index))
            results[label] = _scores(points, suggestions)
            examples.append(suggestions)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "workspace": f"a copy of the standard library's {PACKAGE} package",
        "points": len(points),
        **results,
        "examples": [
            {
                "path": f"{PACKAGE}/{point.path.name}:{point.line + 1}",
                "expected": point.expected,
                "without_index": without,
                "with_index": with_,
            }
            for point, without, with_ in list(zip(points, *examples, strict=True))[:5]
        ],
    }
