"""The music benchmark runs end to end on a small corpus sample and reports its fields.

Nothing here checks a speed; the figures for the README come from `genls bench music`.
"""

from __future__ import annotations

import json
import subprocess
import sys


def test_music_bench_reports_perplexity_baselines_and_music_sanity(tmp_path):
    output = tmp_path / "music.json"
    result = subprocess.run(
        [sys.executable, "-m", "genls", "bench", "music", "--prompts", "2", "--bars", "2",
         "--corpus-limit", "150", "--output", str(output)],
        capture_output=True, text=True, timeout=500,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(output.read_text())
    assert report["benchmark"] == "music" and len(report["model"]) == 64
    perplexity = report["perplexity"]
    assert perplexity["test_tokens"] > 100
    # held-out tunes: the model must beat the unigram baseline it is compared with
    assert 1 < perplexity["model"] < perplexity["unigram"]
    assert perplexity["3gram"] > 1 and perplexity["5gram"] > 1
    summary = report["summary"]
    assert summary["pieces"] == 2 and summary["clipped_samples"] == 0
    assert summary["meter_recovered"] == 1.0  # music21 reads back the meter it was given
    for piece in report["pieces"]:
        assert piece["melody_key"] and 0 <= piece["out_of_key_share"] <= 1
        assert piece["notes_per_bar"] > 0 and piece["peak"] <= 0.9
