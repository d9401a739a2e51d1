"""Changelogs on repositories built with real git commands (conventional path, no model)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from genls.history.changelog import build_changelog, merge_into, render_markdown
from genls.history.commit_message import staged_diff
from genls.history.commits import HistoryError, iter_commits, open_repository
from tests.history_repos import GitRepo, build_project


@pytest.fixture
def project(tmp_path):
    return build_project(tmp_path / "project")


def groups(changelog, version):
    release = next(r for r in changelog.releases if r.version == version)
    return {
        kind: [(e.text, e.commits, e.scope, e.refs, e.source) for e in entries]
        for kind, entries in release.grouped().items()
    }


def genls(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "genls", *args], capture_output=True, text=True, cwd=cwd
    )


def test_conventional_commits_are_grouped_by_version_and_kind(project):
    changelog = build_changelog(open_repository(project.root))
    assert [r.version for r in changelog.releases] == ["Unreleased", "v0.2.0", "v0.1.0"]
    s = project.short
    assert groups(changelog, "v0.1.0") == {
        "features": [("add the geometry module", (s("add"),), None, (), "conventional")]
    }
    # The merge commit adds no line of its own; its merged commit is listed.
    assert groups(changelog, "v0.2.0") == {
        "features": [("add --verbose flag", (s("verbose"),), "cli", (), "conventional")],
        "fixes": [("round the area", (s("round"),), "geometry", (12,), "conventional")],
        "performance": [("cache the area", (s("cache"),), None, (20,), "conventional")],
        "documentation": [("explain the units", (s("docs"),), None, (), "conventional")],
        "other": [
            ("Improve speed of perimeter computation", (s("speed"),), None, (), "unclassified")
        ],
    }
    unreleased = groups(changelog, "Unreleased")
    assert unreleased["fixes"] == [("café names", (s("latin1"),), None, (), "conventional")]
    assert unreleased["other"] == [
        ("empty release marker", (s("empty"),), None, (), "conventional"),
        ("Remove legacy_distance", (s("remove"),), None, (), "unclassified"),
        ("move geometry to shapes", (s("move"),), None, (), "conventional"),
    ]
    assert changelog.commits == 12 and changelog.warnings == []


def test_breaking_changes_are_found_in_the_code(project):
    changelog = build_changelog(open_repository(project.root))
    breaking = groups(changelog, "Unreleased")["breaking"]
    s = project.short
    assert breaking == [
        (
            "area takes the number of digits — area has a third parameter",
            (s("digits"),),
            None,
            (),
            "conventional",
        ),
        (
            "`area` changed its signature in `pkg/shapes.py`: `def area(width, height):` -> "
            "`def area(width, height, digits=2):`",
            (s("digits"),),
            None,
            (),
            "code",
        ),
        # No commit message says so: the code does.
        (
            "`legacy_distance` (function) was removed from `pkg/shapes.py`",
            (s("remove"),),
            None,
            (),
            "code",
        ),
    ]
    # The moved file is followed: nothing else counts as removed; private names never do.
    assert "breaking" not in groups(changelog, "v0.2.0")


def test_a_renamed_public_function_is_reported_as_renamed(tmp_path):
    repo = GitRepo.init(tmp_path / "r")
    repo.commit("one", "feat: one", {"m.py": "def fetch(url, timeout):\n    return url\n"})
    repo.tag("v1")
    repo.commit("two", "tidy up", {"m.py": "def download(url, timeout):\n    return url\n"})
    changelog = build_changelog(open_repository(repo.root))
    assert groups(changelog, "Unreleased")["breaking"] == [
        ("`fetch` was renamed to `download` in `m.py`", (repo.short("two"),), None, (), "code")
    ]


def test_since_and_until_pick_one_release(project):
    changelog = build_changelog(open_repository(project.root), since="v0.1.0", until="v0.2.0")
    assert [r.version for r in changelog.releases] == ["v0.2.0"]
    assert changelog.commits == 6  # five commits and the merge


def test_no_tags_is_one_unreleased_section(tmp_path):
    repo = GitRepo.init(tmp_path / "r")
    repo.commit("a", "feat: a")
    repo.commit("b", "fix: b")
    changelog = build_changelog(open_repository(repo.root))
    assert [r.version for r in changelog.releases] == ["Unreleased"]
    assert "no tags" in changelog.warnings[0]
    assert render_markdown(changelog).startswith("# Changelog\n\n## [Unreleased]\n\n### Features")


def test_detached_head_and_a_shallow_clone(project, tmp_path):
    project.git("checkout", "-q", "--detach", "v0.2.0")
    changelog = build_changelog(open_repository(project.root))
    assert [r.version for r in changelog.releases] == ["v0.2.0", "v0.1.0"]

    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "3", "--branch", "main", project.root.as_uri(), clone],
        check=True,
    )
    changelog = build_changelog(open_repository(clone))
    assert any("shallow clone" in w and "cut" in w for w in changelog.warnings)
    assert changelog.commits == 3


def test_non_utf8_messages_are_decoded(project):
    messages = [c.subject for c in iter_commits(open_repository(project.root), ["HEAD"])]
    assert "fix: café names" in messages


def test_a_path_outside_any_repository_is_a_clear_error(tmp_path):
    with pytest.raises(HistoryError, match="not inside a git repository"):
        open_repository(tmp_path)
    result = genls("changelog", "--repo", str(tmp_path), "--no-model")
    assert result.returncode == 2
    assert result.stderr.strip().endswith("is not inside a git repository")
    assert "Traceback" not in result.stderr


def test_write_keeps_every_hand_written_line(project):
    path = project.root / "CHANGELOG.md"
    hand_written = (
        "# Changelog\n\n"
        "All notable changes, by hand and by genls.\n\n"
        "## [v0.2.0] - 2025-12-29\n\n"
        "### Fixes\n\n"
        "- Rounded areas: a hand-written line (see the docs)\n\n"
        "## [v0.1.0]\n\n"
        "Our first release, with love.\n"
    )
    path.write_text(hand_written)
    result = genls("changelog", "--repo", str(project.root), "--no-model", "--write", str(path))
    assert result.returncode == 0, result.stderr
    written = path.read_text()
    lines = written.split("\n")
    # Every hand-written line survives, in its order.
    remaining = iter(lines)
    assert all(line in remaining for line in hand_written.split("\n"))
    s = project.short
    assert lines.index("## [Unreleased]") < lines.index("## [v0.2.0] - 2025-12-29")
    v2 = lines.index("## [v0.2.0] - 2025-12-29")
    v1 = lines.index("## [v0.1.0]")
    v2_lines = lines[v2:v1]
    assert f"- **geometry:** round the area ({s('round')}, #12)" in v2_lines
    assert f"- **cli:** add --verbose flag ({s('verbose')})" in v2_lines
    assert v2_lines.count("### Fixes") == 1
    assert f"- add the geometry module ({s('add')})" in lines[v1:]
    # A second run adds nothing.
    again = genls("changelog", "--repo", str(project.root), "--no-model", "--write", str(path))
    assert again.returncode == 0 and path.read_text() == written


def test_a_tag_moves_unreleased_lines_to_its_release_as_the_user_left_them(tmp_path):
    repo = GitRepo.init(tmp_path / "r")
    repo.commit("first", "feat: first feature")
    repo.tag("v1.0.0")
    repo.commit("search", "feat: add search")
    repo.commit("crash", "fix: crash on empty input")
    path = tmp_path / "CHANGELOG.md"
    path.write_text(merge_into("", build_changelog(open_repository(repo.root))))
    reworded = f"- Search, with ranking ({repo.short('search')})"
    path.write_text(path.read_text().replace(f"- add search ({repo.short('search')})", reworded))

    repo.tag("v1.1.0")
    repo.commit("docs", "docs: explain search")
    path.write_text(merge_into(path.read_text(), build_changelog(open_repository(repo.root))))
    lines = path.read_text().split("\n")
    unreleased, v11, v10 = (
        lines.index("## [Unreleased]"),
        next(i for i, line in enumerate(lines) if line.startswith("## [v1.1.0]")),
        next(i for i, line in enumerate(lines) if line.startswith("## [v1.0.0]")),
    )
    assert unreleased < v11 < v10
    assert lines[unreleased:v11] == [
        "## [Unreleased]",
        "",
        "### Documentation",
        "",
        f"- explain search ({repo.short('docs')})",
        "",
    ]
    assert lines[v11:v10] == [
        lines[v11],
        "",
        "### Features",
        "",
        reworded,
        "",
        "### Fixes",
        "",
        f"- crash on empty input ({repo.short('crash')})",
        "",
    ]
    assert path.read_text().count(repo.short("search")) == 1


def test_merge_into_an_empty_file_is_the_rendered_changelog(project):
    changelog = build_changelog(open_repository(project.root))
    assert merge_into("", changelog) == render_markdown(changelog)


def test_json_keeps_the_original_subjects(project):
    result = genls("changelog", "--repo", str(project.root), "--no-model", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    fixes = report["releases"][1]["groups"]["fixes"]
    assert fixes[0]["subject"] == "fix(geometry): round the area (#12)"
    assert fixes[0]["text"] == "round the area" and fixes[0]["refs"] == [12]


def test_binary_files_and_undecodable_source_do_not_break_anything(tmp_path):
    repo = GitRepo.init(tmp_path / "r")
    (repo.root / "logo.png").write_bytes(bytes(range(256)) * 4)
    repo.git("add", "logo.png")
    repo.commit("one", "feat: logo", {"api.py": "def keep(a):\n    return a\n"})
    repo.tag("v1")
    (repo.root / "logo.png").write_bytes(bytes(reversed(range(256))) * 4)
    (repo.root / "api.py").write_bytes(b"def keep(a, b):\n    return '\xff\xfe'\n")
    repo.git("add", "logo.png", "api.py")
    repo.commit("two", "fix: new logo")
    changelog = build_changelog(open_repository(repo.root))
    assert groups(changelog, "Unreleased") == {
        "breaking": [
            (
                "`keep` changed its signature in `api.py`: `def keep(a):` -> `def keep(a, b):`",
                (repo.short("two"),),
                None,
                (),
                "code",
            )
        ],
        "fixes": [("new logo", (repo.short("two"),), None, (), "conventional")],
    }
    (repo.root / "logo.png").write_bytes(b"\x00\x01")
    repo.git("add", "logo.png")
    stat, patch, paths = staged_diff(open_repository(repo.root))
    assert paths == ["logo.png"] and "Binary files" in patch and "logo.png" in stat
