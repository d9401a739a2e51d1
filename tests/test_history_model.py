"""Symbol history, model classification and commit messages: exact commit lists, strict
parsing of model replies, and provenance (every cited hash exists) with the real tiny model."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from genls.config import Settings
from genls.history.changelog import build_changelog
from genls.history.classify import ModelClassifier, parse_reply
from genls.history.commit_message import (
    fallback_message,
    problem,
    wrap_body,
    write_commit_message,
)
from genls.history.commits import Commit, HistoryError, open_repository
from genls.history.symbol_history import cited_lines, symbol_history
from genls.llm.instruction import InstructionModel
from tests.conftest import TINY_MODEL
from tests.history_repos import build_project


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return build_project(tmp_path_factory.mktemp("history") / "project")


@pytest.fixture(scope="module")
def tiny_model():
    # One thread: the test machine is shared, and llama.cpp threads wait on each other.
    model = InstructionModel(Settings().merged({"instruction_model": TINY_MODEL, "threads": 1}))
    yield model
    model.close()


def commit(subject: str, body: str = "") -> Commit:
    return Commit("a" * 40, (), "2026-01-01T00:00:00+00:00", "A", f"{subject}\n\n{body}".strip())


# -- symbol history ---------------------------------------------------------------------------


def test_symbol_history_lists_exactly_the_commits_that_touched_it(project):
    repo = open_repository(project.root)
    area = symbol_history(repo, project.root / "pkg" / "shapes.py", "area")
    # Across the rename; not the commits that changed only other functions.
    assert [c.short for c in area.commits] == [
        project.short(label) for label in ("digits", "cache", "round", "add")
    ]
    assert area.lines == (4, 6)
    describe = symbol_history(repo, project.root / "pkg" / "shapes.py", "Shape.describe")
    assert [c.short for c in describe.commits] == [project.short("add")]
    whole = symbol_history(repo, project.root / "pkg" / "shapes.py")
    assert [c.short for c in whole.commits] == [
        project.short(label)
        for label in ("digits", "remove", "move", "cache", "speed", "round", "add")
    ]
    markdown = area.markdown()
    assert markdown.startswith("# History of `area` in `pkg/shapes.py` (lines 4–6)")
    assert f"appeared in `{project.short('add')}`" in markdown


def test_symbol_history_errors(project, tmp_path):
    repo = open_repository(project.root)
    with pytest.raises(HistoryError, match="no symbol 'volume'"):
        symbol_history(repo, project.root / "pkg" / "shapes.py", "volume")
    (project.root / "new.py").write_text("def x():\n    pass\n")
    with pytest.raises(HistoryError, match="commit it first"):
        symbol_history(repo, project.root / "new.py", "x")
    (project.root / "new.py").unlink()


def test_history_summary_from_the_model_cites_only_listed_commits(project, tiny_model):
    repo = open_repository(project.root)
    story = symbol_history(repo, project.root / "pkg" / "shapes.py", "area", tiny_model.ask)
    known = [c.sha for c in story.commits]
    for line in story.summary:
        cited = re.findall(r"\b[0-9a-f]{7,40}\b", line)
        assert cited and all(any(sha.startswith(c) for sha in known) for c in cited)
    assert story.summary or story.warnings


def test_cited_lines_drop_invented_hashes():
    commits = [commit("feat: a"), Commit("b" * 40, (), "d", "A", "fix: b")]
    reply = (
        "1. It appeared in aaaaaaa.\n"
        "- Then bbbbbbb and ccccccc fixed it.\n"  # ccccccc is not in the list
        "It was improved.\n"  # cites nothing
        "* Fixed again (bbbbbbbbbb)"
    )
    assert cited_lines(reply, commits) == ["It appeared in aaaaaaa.", "Fixed again (bbbbbbbbbb)"]


def test_history_cli_json(project):
    result = subprocess.run(
        [
            *(sys.executable, "-m", "genls", "history", "--no-model", "--json"),
            str(project.root / "pkg" / "shapes.py") + ":perimeter",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    story = json.loads(result.stdout)
    assert [c["short"] for c in story["commits"]] == [
        project.short(label) for label in ("speed", "add")
    ]


# -- classification ---------------------------------------------------------------------------


def test_parse_reply_accepts_grounded_lines_and_keeps_subjects_otherwise():
    batch = [
        commit("Improve speed of perimeter computation"),
        commit("tweak stuff"),
        commit("Removed the old login endpoint", "Clients must use /v2/login."),
        commit("update docs"),
        commit("misc"),
        commit("Benchmark figures"),
    ]
    reply = (
        "Here you go:\n"
        "1. [performance] Improve the speed of the perimeter computation\n"
        "2. [feature] Add a distributed cache with Redis support\n"  # invented
        "3. [breaking] Removed the old login endpoint; use /v2/login\n"
        "3. [fix] a second answer for 3 is ignored\n"
        "4. [breaking] Update the docs\n"  # nothing in the message says breaking
        "5. misc: not the format\n"
        "6. [performance] Add benchmark figures\n"  # says nothing got faster
        "9. [fix] no such message\n"
    )
    answers = parse_reply(reply, batch)
    assert [(a.kind, a.text, a.source) for a in answers] == [
        ("performance", "Improve the speed of the perimeter computation", "model"),
        ("other", "tweak stuff", "unclassified"),
        ("breaking", "Removed the old login endpoint; use /v2/login", "model"),
        ("other", "Update the docs", "model"),
        ("other", "misc", "unclassified"),
        ("other", "Add benchmark figures", "model"),
    ]
    assert [a.source for a in parse_reply("I cannot help with that.", batch)] == [
        "unclassified"
    ] * 6


def test_model_classification_in_the_changelog(project, tiny_model):
    classifier = ModelClassifier(tiny_model.ask)
    changelog = build_changelog(open_repository(project.root), classify=classifier, batch_size=2)
    free_form = {
        e.commits[0]: e
        for r in changelog.releases
        for e in r.entries
        if e.source in ("model", "unclassified")
    }
    assert free_form.keys() == {project.short("speed"), project.short("remove")}
    for entry in free_form.values():
        assert entry.subject in ("Improve speed of perimeter computation", "Remove legacy_distance")
        assert entry.text and "\n" not in entry.text
    assert classifier.answered + classifier.rejected == 2


def test_a_stopped_changelog_reads_nothing_more(project):
    changelog = build_changelog(open_repository(project.root), should_stop=lambda: True)
    assert changelog.releases == [] and changelog.commits == 0


# -- commit messages --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "error"),
    [
        ("feat(cli): add a --verbose flag\n\nBody.", None),
        ("Add a flag", "the first line must be"),
        ("feature: add a flag", "the type 'feature' is not one of"),
        ("fix: " + "x" * 70, "the first line has 75 characters"),
        ("", "the reply was empty"),
    ],
)
def test_commit_message_rules(message, error):
    found = problem(message)
    assert (found is None) if error is None else (found is not None and found.startswith(error))


def test_body_is_wrapped_at_72_and_lists_are_kept():
    body = ("word " * 40).strip() + "\n\n- first item " + "long " * 20 + "\n- second item"
    wrapped = wrap_body(body)
    assert all(len(line) <= 72 for line in wrapped.split("\n"))
    assert "\n\n- first item" in wrapped and "\n  long" in wrapped and "\n- second item" in wrapped


def test_fallback_message_is_valid_and_names_only_staged_files():
    message = fallback_message(["docs/guide.md", "README.md"], " 2 files changed")
    assert message.startswith("docs: update guide.md, README.md") and problem(message) is None
    many = fallback_message([f"src/module_{i}.py" for i in range(30)], "")
    assert problem(many) is None


def test_commit_message_for_the_staged_diff(project, tiny_model):
    repo = open_repository(project.root)
    with pytest.raises(HistoryError, match="nothing is staged"):
        write_commit_message(repo, tiny_model.ask)
    path = project.root / "pkg" / "shapes.py"
    original = path.read_text()
    path.write_text(
        original + "\n\ndef volume(width, height, depth):\n    return width * height * depth\n"
    )
    project.git("add", "pkg/shapes.py")
    try:
        message = write_commit_message(repo, tiny_model.ask)
    finally:
        project.git("reset", "-q", "--hard")
    assert problem(message.text) is None
    assert len(message.subject) < 72
    assert all(len(line) <= 72 for line in message.text.split("\n")[1:])
    assert message.source in ("model", "fallback") and 1 <= message.attempts <= 2
    if message.source == "fallback":
        assert message.subject == "chore: update shapes.py" and len(message.errors) == 2


@pytest.mark.slow
def test_the_default_model_writes_a_valid_message_first_or_second_time(project):
    model = InstructionModel(Settings())
    path = project.root / "pkg" / "shapes.py"
    text = path.read_text()
    path.write_text(text.replace("return (width + height) * 2", "return 2.0 * (width + height)"))
    project.git("add", "pkg/shapes.py")
    try:
        message = write_commit_message(open_repository(project.root), model.ask)
    finally:
        project.git("reset", "-q", "--hard")
        model.close()
    assert message.source == "model" and problem(message.text) is None
