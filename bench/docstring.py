"""`genls bench docstring`: docstrings written for real functions of installed third-party
packages whose own docstrings were removed, per bundled instruction model.

For each function: was an edit produced (it passed every check: parses, compiles, documents
exactly the signature's parameters), how many model replies it took, which parameters the
written docstring names against the signature (coverage, invented), and seconds. The sample is
fixed: functions with parameters and a docstring, chosen with a seeded generator from the
packages below, so runs compare.
"""

from __future__ import annotations

import importlib.util
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from bench.machine import report_header
from genls.assist.doc_styles import documented_parameters
from genls.assist.doc_target import find_targets
from genls.assist.docstring import DocstringError, DocstringWriter
from genls.assist.text_edit import apply_edits
from genls.config import Settings
from genls.errors import GenlsError
from genls.index.languages import language_for
from genls.index.symbols import ParsedSource
from genls.llm.instruction import InstructionModel

_SEED = 29
_PACKAGES = ("httpx", "pathspec", "tqdm", "psutil", "filelock", "jinja2")
_MODELS = ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b")
_MAX_LINES = 60  # keep prompts comparable; very long functions are rare in practice


def sample_functions(count: int) -> list[tuple[Path, str, int]]:
    """(file, text without that function's docstring, the function's first line)."""
    python = language_for("python", "x.py")
    candidates = []
    for package in _PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        for path in sorted(Path(spec.submodule_search_locations[0]).rglob("*.py")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for target in find_targets(ParsedSource(text, python)):
                lines = target.definition.end_line - target.definition.start_line
                if target.parameters and target.existing and lines <= _MAX_LINES:
                    candidates.append((path, text, target))
    chosen = random.Random(_SEED).sample(candidates, min(count, len(candidates)))
    sample = []
    for path, text, target in chosen:
        first, last = target.existing
        lines = text.splitlines(keepends=True)
        stripped = "".join(lines[:first] + lines[last + 1 :])
        sample.append((path, stripped, target.definition.start_line))
    return sample


def run_docstring_bench(settings: Settings, count: int, models: tuple[str, ...] = _MODELS):
    python = language_for("python", "x.py")
    sample = sample_functions(count)
    report: dict[str, Any] = {
        **report_header("docstring"),
        "sample": {"functions": len(sample), "packages": list(_PACKAGES), "seed": _SEED},
        "models": {},
    }
    for name in models:
        model = InstructionModel(settings.merged({"instruction_model": name}))
        writer = DocstringWriter(
            model, python_style="google", line_width=settings.instruction.doc_line_width
        )
        started = time.perf_counter()
        model.count_tokens("load")  # the load is a one-time cost, reported apart
        load_seconds = time.perf_counter() - started
        rows = []
        for index, (path, text, line) in enumerate(sample, start=1):
            print(f"{name}: {index}/{len(sample)} {path.name}:{line + 1}", file=sys.stderr)
            rows.append(_one(writer, python, path, text, line))
        model.close()
        report["models"][name] = {"load_seconds": round(load_seconds, 2), **_summary(rows)}
    return report


def _one(writer: DocstringWriter, python, path: Path, text: str, line: int) -> dict[str, Any]:
    source = ParsedSource(text, python)
    target = next(t for t in find_targets(source) if t.definition.start_line == line)
    started = time.perf_counter()
    try:
        result = writer.document(source, line, str(path))
    except (DocstringError, GenlsError) as exc:
        return {"ok": False, "seconds": time.perf_counter() - started, "error": str(exc)}
    seconds = time.perf_counter() - started
    after = apply_edits(text, [result.edit])
    documented = documented_parameters("google", result.edit.new_text) or []
    signature = set(target.parameters)
    compile(after, str(path), "exec")  # the writer checked it; a failure here is a bug
    return {
        "ok": True,
        "seconds": seconds,
        "attempts": result.attempts,
        "coverage": len(signature & set(documented)) / len(signature),
        "invented": len(set(documented) - signature),
    }


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    done = [row for row in rows if row["ok"]]
    return {
        "documented": len(done),
        "failed": len(rows) - len(done),
        "first_reply_accepted": sum(1 for row in done if row["attempts"] == 1),
        "parse_valid_rate": round(len(done) / len(rows), 3) if rows else 0.0,
        "parameter_coverage": round(statistics.mean(r["coverage"] for r in done), 3)
        if done
        else 0.0,
        "invented_parameters": sum(row["invented"] for row in done),
        "mean_seconds": round(statistics.mean(r["seconds"] for r in rows), 2) if rows else 0.0,
        "failures": [row["error"] for row in rows if not row["ok"]][:5],
    }
