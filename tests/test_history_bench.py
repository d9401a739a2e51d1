"""The history benchmark runs end to end (small sizes, the tiny model) and reports its fields.

Nothing here checks a speed: the figures are for the README, measured with `make bench`.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import TINY_MODEL


def test_history_bench_reports_speed_memory_and_agreement_with_git_cliff(tmp_path):
    output = tmp_path / "history.json"
    result = subprocess.run(
        [
            *(sys.executable, "-m", "genls", "bench", "history", "--commits", "600"),
            *("--model-sample", "2", "--instruction-model", TINY_MODEL, "--threads", "1"),
            *("--output", str(output)),
        ],
        capture_output=True,
        text=True,
        timeout=500,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(output.read_text())
    synthetic = report["synthetic"]
    assert synthetic["commits"] == 600 and synthetic["tags"] == 1
    assert synthetic["conventional_path"]["commits"] == 600
    assert synthetic["conventional_path"]["releases"] == 2  # v0.1.0 and Unreleased
    assert synthetic["with_api_comparison"]["code_breaking_entries"] > 0
    cliff = report["git_cliff"]
    assert cliff["commits_compared"] == 600 and 0 <= cliff["agreement"] <= 1
    assert report["own_history"]["conventional_path"]["commits"] > 0
    model = report["model_path"]
    assert model["commits"] == 2 and model["answers_used"] + model["answers_rejected"] == 2
    assert report["peak_rss_mb"] > 0
