"""genls bench replay: which hunks it types, how the person types them, and a run end to end.

The run goes through the real server and the tiny model; no figure is checked against a
speed, only that what is reported adds up.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.hunks import Hunk, select_hunks
from bench.typist import Typist, taken_part
from tests.conftest import TINY_MODEL
from tests.history_repos import GitRepo

SHAPES = '''"""Shapes."""


def area(width, height):
    return width * height


class Square:
    def __init__(self, side):
        self.side = side

    def area(self):
        return self.side**2
'''


def _history(root: Path) -> GitRepo:
    repo = GitRepo.init(root)
    repo.commit("start", "start", {"shapes.py": SHAPES, "notes.txt": "one\n"})
    added = SHAPES.replace(
        "    def area(self):",
        "    def perimeter(self):\n        return 4 * self.side\n\n    def area(self):",
    )
    repo.commit("perimeter", "add perimeter", {"shapes.py": added})
    edited = added.replace("return width * height", "return float(width * height)")
    repo.commit("edited", "an edit removes a line: not a hunk", {"shapes.py": edited})
    repo.commit("new file", "a new file: not a hunk", {"circle.py": "def circle_area(r):\n"})
    repo.commit("prose", "prose: not a language genls completes", {"notes.txt": "one\ntwo\n" * 9})
    short = edited.replace('"""Shapes."""\n', '"""Shapes."""\nimport math\n')
    repo.commit("short", "fewer than 20 typed characters: not a hunk", {"shapes.py": short})
    many = short.replace(
        "\n\nclass Square:",
        "\n\ndef cube(side):\n    return side**3\n\n\nclass Square:",
    ).replace(
        "        self.side = side\n", "        self.side = side\n        self.name = 'square'\n"
    )
    many = many + "\n\ndef describe(shape):\n    return type(shape).__name__.lower()\n"
    repo.commit("three", "three hunks in one commit: two are drawn", {"shapes.py": many})
    return repo


def test_hunks_are_runs_of_added_lines_in_files_that_existed(tmp_path):
    repo = _history(tmp_path / "repo")
    hunks = select_hunks(repo.root, "2000-01-01", "HEAD", count=50, seed=1)
    commits = [h.commit for h in hunks]
    assert commits.count(repo.shas["perimeter"]) == 1
    assert commits.count(repo.shas["three"]) == 2  # at most two per commit
    assert set(commits) == {repo.shas["perimeter"], repo.shas["three"]}
    perimeter = next(h for h in hunks if h.commit == repo.shas["perimeter"])
    assert perimeter.path == "shapes.py" and perimeter.parent == repo.shas["start"]
    assert sorted(line.strip() for line in perimeter.lines) == sorted(
        ["def perimeter(self):", "return 4 * self.side", ""]
    )
    # The lines go just before the hunk's line of the parent: that gives the commit's file.
    parent = SHAPES.splitlines(keepends=True)
    rebuilt = (
        parent[: perimeter.line] + [x + "\n" for x in perimeter.lines] + parent[perimeter.line :]
    )
    assert "".join(rebuilt) == repo.git("show", f"{repo.shas['perimeter']}:shapes.py") + "\n"
    assert perimeter.typed_characters == len("def perimeter(self):return 4 * self.side") + 2


def test_the_same_seed_draws_the_same_hunks_and_the_range_limits_them(tmp_path):
    repo = _history(tmp_path / "repo")
    first = select_hunks(repo.root, "2000-01-01", "HEAD", count=2, seed=7)
    assert first == select_hunks(repo.root, "2000-01-01", "HEAD", count=2, seed=7)
    assert len(first) == 2
    assert select_hunks(repo.root, "2100-01-01", "HEAD", count=2, seed=7) == []
    upto = select_hunks(repo.root, "2000-01-01", repo.shas["prose"], count=9, seed=7)
    assert [h.commit for h in upto] == [repo.shas["perimeter"]]


def _typist(hunk: Hunk, parent: str) -> Typist:
    lines = parent.splitlines(keepends=True)
    return Typist("".join(lines[: hunk.line]), hunk.lines, "".join(lines[hunk.line :]))


def _hunk(line: int, *lines: str) -> Hunk:
    return Hunk("c", "p", "2025-01-01", "shapes.py", line, lines)


def test_typing_every_key_writes_the_commit_and_counts_each_key_once():
    hunk = _hunk(11, "    def perimeter(self):", "        return 4 * self.side", "")
    typist = _typist(hunk, SHAPES)
    assert typist.cursor() == (11, 4)  # the opened line is indented by the editor
    presses = 0
    while not typist.done:
        typist.press_key()
        presses += 1
    assert presses == typist.keystrokes == hunk.typed_characters
    expected = SHAPES.replace(
        "    def area(self):", "\n".join(hunk.lines) + "\n    def area(self):"
    )
    assert typist.document() == expected and typist.spared == 0


def test_a_right_suggestion_spares_its_keys_but_not_the_editors_indentation():
    hunk = _hunk(11, "    def perimeter(self):", "        return 4 * self.side")
    typist = _typist(hunk, SHAPES)
    for _ in "def ":
        typist.press_key()
    suggestion = "perimeter(self):\n        return 4"
    assert taken_part(suggestion, typist.rest) == suggestion
    edit = typist.take(suggestion)
    assert edit.text == suggestion and typist.rest == " * self.side"
    assert typist.spared == len("perimeter(self):") + 1 + len("return 4")  # Enter counts


def test_only_an_exact_suggestion_or_an_exact_rest_of_line_is_taken():
    rest = "total = area(w, h)\n    return total"
    assert taken_part("total = area(w, h)", rest) == "total = area(w, h)"
    assert taken_part("total = area(w, h)\n    return total * 2", rest) == "total = area(w, h)"
    assert taken_part("total = area(h, w)", rest) == ""
    assert taken_part("total = area(w, h) ", rest) == ""  # a trailing space is not what comes
    assert taken_part("   ", rest) == ""
    assert taken_part("\n    return total", rest) == ""  # first line empty: not the line's rest


def test_replay_bench_types_hunks_through_the_server_beside_the_raw_baseline(tmp_path):
    repo = _history(tmp_path / "repo")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "genls",
            "bench",
            "replay",
            "--repo",
            str(repo.root),
            "--since",
            "2000-01-01",
            "--hunks",
            "2",
            "--model",
            TINY_MODEL,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["benchmark"] == "replay" and report["until"] == repo.git("rev-parse", "HEAD")
    typed = sum(h["typed_characters"] for h in report["hunks"])
    assert len(report["hunks"]) == 2
    for side in ("genls", "raw"):
        figures = report[side]
        assert figures["keystrokes"] == typed
        assert 0 <= figures["keystrokes_spared"] <= typed
        assert figures["suggestions_taken"] <= figures["suggestions_shown"] <= figures["requests"]
        assert figures["latency_seconds"]["arrival"]["n"] == 2
        assert len(figures["per_hunk"]) == 2
    sources = report["genls"]["latency_seconds"]["continuing_by_source"]
    assert set(sources) <= {"model", "cache", "speculation"} and "model" in sources
    assert report["genls"]["peak_rss_mb"] > 0
    assert report["genls_over_raw"]["latency_p50"] > 0


def test_a_bare_repository_is_refused_with_what_to_do(tmp_path):
    repo = _history(tmp_path / "repo")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo.root), str(bare)], check=True)
    result = subprocess.run(
        [sys.executable, "-m", "genls", "bench", "replay", "--repo", str(bare), "--no-raw"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "bare repository: clone it" in result.stderr and "Traceback" not in result.stderr
