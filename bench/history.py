"""Changelog speed and agreement with git-cliff: one JSON report.

1. A synthetic repository of N conventional commits (default 10,000) over 50 Python files,
   a tag every 500 commits, built in a second or two with `git fast-import`. The changelog's
   conventional path runs over all of it: commits/s without and with the API comparison
   between releases (tree-sitter over both sides of every changed file).
2. The same on this project's own history (the checkout the benchmark runs from, or
   --own-repo).
3. The model path: a sample of free-form subjects (this project's own non-conventional
   messages first) classified by the instruction model in batches: commits/s, and how many
   answers passed the checks.
4. Agreement with git-cliff (`git-cliff --context`, its JSON) on the synthetic commits: the
   share of commits both put in the same release and the same group.
Peak RSS is this process's high-water mark after each stage: streaming keeps it flat.
Nothing here passes or fails.
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.machine import report_header
from genls.config import Settings
from genls.history import conventional
from genls.history.changelog import UNRELEASED, build_changelog
from genls.history.classify import ModelClassifier
from genls.history.commits import iter_commits, open_repository
from genls.llm.instruction import InstructionModel

_SEED = 20261129
_FILES = 50
_FUNCTIONS = 5
_TAG_EVERY = 500
_TYPES = [
    ("feat", 25),
    ("fix", 30),
    ("docs", 10),
    ("perf", 5),
    ("refactor", 10),
    ("chore", 10),
    ("test", 5),
    ("ci", 5),
]
_SCOPES = ["api", "cli", "parser", "index", "server", "docs", "build"]
_WORDS = [
    "handle",
    "empty",
    "input",
    "cache",
    "results",
    "parse",
    "config",
    "retry",
    "requests",
    "speed",
    "up",
    "startup",
    "tidy",
    "logging",
    "support",
    "unicode",
    "paths",
    "flaky",
    "timeout",
    "reduce",
    "memory",
    "document",
    "options",
    "rename",
    "internal",
    "helper",
    "stream",
    "large",
    "files",
    "validate",
    "arguments",
]
# git-cliff's groups named after genls's kinds; breaking comes from its `breaking` field.
CLIFF_CONFIG = """
[changelog]
body = ""
[git]
conventional_commits = true
filter_unconventional = true
split_commits = false
protect_breaking_commits = false
filter_commits = false
sort_commits = "newest"
commit_parsers = [
  { message = "^(?i)(feat|feature)[(!:]", group = "features" },
  { message = "^(?i)fix[(!:]", group = "fixes" },
  { message = "^(?i)perf[(!:]", group = "performance" },
  { message = "^(?i)(docs|doc)[(!:]", group = "documentation" },
  { message = ".*", group = "other" },
]
"""


def synthetic_message(rng: random.Random, index: int) -> str:
    kind = rng.choices([t for t, _ in _TYPES], [w for _, w in _TYPES])[0]
    scope = f"({rng.choice(_SCOPES)})" if rng.random() < 0.5 else ""
    bang = "!" if rng.random() < 0.01 else ""
    words = " ".join(rng.sample(_WORDS, rng.randint(2, 6)))
    ref = f" (#{rng.randint(1, 5000)})" if rng.random() < 0.2 else ""
    message = f"{kind}{scope}{bang}: {words}{ref}"
    if rng.random() < 0.3:
        message += f"\n\nWhy: change number {index} keeps {rng.choice(_WORDS)} working."
    if rng.random() < 0.01:
        message += f"\n\nBREAKING CHANGE: {' '.join(rng.sample(_WORDS, 3))}"
    return message


def _module(file: int, commit: int, rng: random.Random) -> str:
    functions = []
    for number in range(_FUNCTIONS):
        extra = ", strict=False" if (commit + number) % 37 == 0 else ""
        functions.append(f"def f{file}_{number}(value{extra}):\n    return value + {commit}\n")
    return f'"""Module {file}."""\n\n\n' + "\n\n".join(functions)


def build_synthetic_repository(root: Path, commits: int) -> dict[str, int]:
    """`commits` conventional commits on main, a tag every 500, via git fast-import."""
    rng = random.Random(_SEED)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    chunks: list[bytes] = []

    def data(text: str) -> None:
        raw = text.encode("utf-8")
        chunks.append(b"data %d\n" % len(raw) + raw + b"\n")

    clock = 1_700_000_000
    tags = 0
    for index in range(1, commits + 1):
        clock += 600
        chunks.append(b"commit refs/heads/main\nmark :%d\n" % index)
        chunks.append(b"committer Bench <bench@example.com> %d +0000\n" % clock)
        data(synthetic_message(rng, index))
        if index > 1:
            chunks.append(b"from :%d\n" % (index - 1))
        file = rng.randrange(_FILES)
        chunks.append(b"M 100644 inline src/module_%d.py\n" % file)
        data(_module(file, index, rng))
        if index % _TAG_EVERY == 0:
            tags += 1
            chunks.append(b"tag v0.%d.0\nfrom :%d\n" % (tags, index))
            chunks.append(b"tagger Bench <bench@example.com> %d +0000\n" % (clock + 1))
            data(f"release v0.{tags}.0")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(chunks), check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=root, check=True)
    return {"commits": commits, "tags": tags}


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def changelog_speed(path: Path, code_changes: bool) -> dict[str, Any]:
    repo = open_repository(path)
    start = time.perf_counter()
    changelog = build_changelog(repo, code_changes=code_changes)
    seconds = time.perf_counter() - start
    entries = sum(len(r.entries) for r in changelog.releases)
    return {
        "commits": changelog.commits,
        "releases": len(changelog.releases),
        "entries": entries,
        "code_breaking_entries": sum(
            e.source == "code" for r in changelog.releases for e in r.entries
        ),
        "seconds": round(seconds, 3),
        "commits_per_second": round(changelog.commits / max(seconds, 1e-9), 1),
        "peak_rss_mb": _peak_rss_mb(),
    }


def streaming_heap(path: Path, limits: list[int]) -> dict[str, float]:
    """Python heap high-water mark while reading N commits: flat if commits are streamed."""
    repo = open_repository(path)
    peaks = {}
    for limit in limits:
        tracemalloc.start()
        for _ in iter_commits(repo, ["HEAD"], extra=[f"-n{limit}"]):
            pass
        peaks[str(limit)] = round(tracemalloc.get_traced_memory()[1] / 2**20, 3)
        tracemalloc.stop()
    return peaks


def free_form_sample(own: Path | None, count: int) -> list[Any]:
    """Non-conventional, non-merge commits of the project's own history, newest first."""
    if own is None or count <= 0:
        return []
    repo = open_repository(own)
    sample = []
    for commit in iter_commits(repo, ["HEAD"], extra=["--no-merges"]):
        if conventional.parse(commit.message) is None:
            sample.append(commit)
            if len(sample) == count:
                break
    return sample


def model_speed(settings: Settings, sample: list[Any], batch_size: int = 20) -> dict[str, Any]:
    if not sample:
        return {"commits": 0}
    model = InstructionModel(settings)
    try:
        start = time.perf_counter()
        model.count_tokens("load")  # loading is not classifying
        load_seconds = time.perf_counter() - start
        classifier = ModelClassifier(model.ask)
        start = time.perf_counter()
        answers = []
        for offset in range(0, len(sample), batch_size):
            answers += classifier(sample[offset : offset + batch_size])
        seconds = time.perf_counter() - start
    finally:
        model.close()
    kinds: dict[str, int] = {}
    for answer in answers:
        kinds[answer.kind] = kinds.get(answer.kind, 0) + 1
    return {
        "model": settings.instruction.model,
        "commits": len(sample),
        "batch_size": batch_size,
        "load_seconds": round(load_seconds, 2),
        "seconds": round(seconds, 2),
        "commits_per_second": round(len(sample) / max(seconds, 1e-9), 3),
        "answers_used": classifier.answered,
        "answers_rejected": classifier.rejected,
        "kinds": kinds,
        "examples": [
            {"subject": c.subject, "kind": a.kind, "text": a.text, "source": a.source}
            for c, a in list(zip(sample, answers, strict=True))[:8]
        ],
        "peak_rss_mb": _peak_rss_mb(),
    }


def _git_cliff() -> str | None:
    beside = Path(sys.executable).parent / "git-cliff"
    return str(beside) if beside.exists() else shutil.which("git-cliff")


def cliff_agreement(path: Path) -> dict[str, Any]:
    """Same release and same group as git-cliff, commit by commit."""
    binary = _git_cliff()
    if binary is None:
        return {"error": "git-cliff is not installed (pip install git-cliff==2.14.2)"}
    config = path.parent / "cliff.toml"
    config.write_text(CLIFF_CONFIG)
    start = time.perf_counter()
    result = subprocess.run(
        [binary, "--config", str(config), "--context"],
        cwd=path,
        capture_output=True,
        text=True,
        check=True,
    )
    cliff_seconds = time.perf_counter() - start
    theirs: dict[str, tuple[str, str]] = {}
    for release in json.loads(result.stdout):
        version = release["version"] or UNRELEASED
        for commit in release["commits"]:
            group = "breaking" if commit.get("breaking") else commit["group"]
            theirs[commit["id"][:7]] = (version, group)
    ours: dict[str, tuple[str, str]] = {}
    changelog = build_changelog(open_repository(path), code_changes=False)
    for release in changelog.releases:
        for entry in release.entries:
            ours[entry.commits[0]] = (release.version, entry.kind)
    both = ours.keys() & theirs.keys()
    same = sum(ours[sha] == theirs[sha] for sha in both)
    disagreements = [
        {"commit": sha, "genls": ours[sha], "git_cliff": theirs[sha]}
        for sha in sorted(both)
        if ours[sha] != theirs[sha]
    ]
    return {
        "git_cliff_version": subprocess.run(
            [binary, "--version"], capture_output=True, text=True
        ).stdout.strip(),
        "commits_compared": len(both),
        "only_genls": len(ours.keys() - theirs.keys()),
        "only_git_cliff": len(theirs.keys() - ours.keys()),
        "same_release_and_group": same,
        "agreement": round(same / max(len(both), 1), 4),
        "disagreements": disagreements[:10],
        "git_cliff_seconds": round(cliff_seconds, 3),
    }


def run_history_bench(
    settings: Settings, commits: int, model_sample: int, own_repo: Path | None
) -> dict[str, Any]:
    own = own_repo or Path(__file__).resolve().parents[1]
    report: dict[str, Any] = report_header("history")
    with tempfile.TemporaryDirectory(prefix="genls-bench-history-") as scratch:
        synthetic = Path(scratch) / "synthetic"
        start = time.perf_counter()
        built = build_synthetic_repository(synthetic, commits)
        report["synthetic"] = {**built, "build_seconds": round(time.perf_counter() - start, 2)}
        report["synthetic"]["conventional_path"] = changelog_speed(synthetic, code_changes=False)
        report["synthetic"]["with_api_comparison"] = changelog_speed(synthetic, code_changes=True)
        limits = sorted({max(1, commits // 10), commits})
        report["synthetic"]["streaming_heap_peak_mb_by_commits"] = streaming_heap(synthetic, limits)
        report["git_cliff"] = cliff_agreement(synthetic)
    try:
        report["own_history"] = {
            "path": str(own),
            "conventional_path": changelog_speed(own, code_changes=False),
            "with_api_comparison": changelog_speed(own, code_changes=True),
        }
    except Exception as exc:  # not a repository: the report says so and goes on
        report["own_history"] = {"path": str(own), "error": str(exc)}
    sample = free_form_sample(own, model_sample)
    report["model_path"] = model_speed(settings, sample)
    report["peak_rss_mb"] = _peak_rss_mb()
    return report
