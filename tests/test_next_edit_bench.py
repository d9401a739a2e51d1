"""`genls bench next-edit`: pairs of nearby hunks from a real git history, replayed through
the real server."""

from __future__ import annotations

import json
import subprocess
import sys

from bench.edit_pairs import select_pairs
from tests.conftest import TINY_MODEL
from tests.history_repos import GitRepo

SOURCE = 'def tally(items):\n    count = len(items)\n    print("counting")\n    return count\n'


def _history(root) -> GitRepo:
    repo = GitRepo.init(root)
    repo.commit("start", "start", {"tally.py": SOURCE, "notes.txt": "one\n"})
    # A rename by hand: the definition first, then the uses (hunks apart: unchanged lines
    # between them).
    renamed = SOURCE.replace("    count = len", "    total = len").replace(
        "    return count", "    return total"
    )
    repo.commit("rename", "rename count", {"tally.py": renamed, "notes.txt": "one\ntwo\n"})
    return repo


def test_pairs_are_consecutive_nearby_hunks_of_one_file(tmp_path):
    repo = _history(tmp_path / "repo")
    [pair] = select_pairs(repo.root, "2000-01-01", "HEAD", count=10, seed=1)
    assert pair.path == "tally.py" and pair.commit == repo.shas["rename"]
    assert pair.first.removed == ("    count = len(items)",)
    assert pair.middle == SOURCE.replace("    count = len", "    total = len")
    assert pair.after.endswith("    return total\n")
    assert pair.second_lines_in_middle() == (3, 3)


def test_the_bench_replays_the_pair_and_scores_it_beside_the_baselines(tmp_path):
    repo = _history(tmp_path / "repo")
    command = [sys.executable, "-m", "genls", "bench", "next-edit", "--repo", str(repo.root)]
    command += ["--since", "2000-01-01", "--model", TINY_MODEL, "--threads", "1"]
    command += ["--next-edit-model", TINY_MODEL]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["benchmark"] == "next-edit" and len(report["cases"]) == 1
    [case] = report["per_case"]
    assert case["inside"]
    # The rename by hand is finished at the next use with no model: the file after the commit.
    assert case["source"] == "rename" and case["exact"] and not case["reversal"]
    assert report["genls"]["exact_inside"]["count"] == 1
    assert report["nothing"]["exact_inside"]["count"] == 0
    assert report["nothing"]["similarity_inside"] < 1
    assert report["genls"]["latency_seconds"]["n"] == 1
    assert report["prompt_lookup"]["prompts"] == 1
