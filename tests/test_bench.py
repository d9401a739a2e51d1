"""The benchmarks run end to end (tiny sizes, the tiny model) and report what they promise.

Nothing here checks a speed: the figures are for the README, measured with `make bench`.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import TINY_MODEL


def bench(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-m", "genls", "bench", *args],
        capture_output=True,
        text=True,
        timeout=500,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_index_bench_reports_speed_stages_and_retrieval_quality():
    report = bench("index", "--files", "4", "--questions", "6")
    assert report["benchmark"] == "index" and report["machine"]["physical_cores"] >= 1
    full = report["full_index"]
    assert full["files"] == 4 and full["chunks"] > 4
    assert {"parse", "embed", "store"} <= full["stage_seconds"].keys()
    assert report["unchanged_reindex"]["stage_seconds"].keys() == {"list", "read"}  # no parsing
    assert {"embed", "store"} <= report["saved_file"]["stage_seconds"].keys()
    retrieval = report["retrieval"]
    assert retrieval["questions"] == 6
    for ranking in ("vector", "bm25", "fused"):
        assert 0 <= retrieval[ranking]["recall@1"] <= retrieval[ranking]["recall@10"] <= 1


def test_completion_bench_measures_and_compares_with_and_without_index():
    report = bench(
        "completion",
        "--model",
        TINY_MODEL,
        "--contexts",
        "512",
        "--points",
        "1",
        "--cross-file-points",
        "2",
    )
    context = report["contexts"]["512"]
    assert context["cold_full_seconds"]["n"] == 1
    assert context["warm_typed_one_more_character_seconds"]["n"] == 3
    assert context["server_overhead_ratio_p50"] > 0 and context["server_peak_rss_mb"] > 0
    for workspace in ("asyncio", "genls"):
        cross = report["cross_file"][workspace]
        assert cross["points"] == 2 and len(cross["examples"]) == 2
        for side in ("without_index", "with_index"):
            assert 0 <= cross[side]["edit_similarity_mean"] <= 1
