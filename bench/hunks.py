"""Code a person really typed: added-only hunks of a repository's recent commits.

A hunk is a run of 1-6 added lines (nothing removed) in a file that existed before, in a
language genls completes, with 20-240 typed characters (indentation is the editor's, Enter
is a keystroke). At most two are drawn per commit, then a fixed number overall, both with a
fixed seed, so a given repository, date range and seed always give the same hunks.

The commits' -U0 diffs are read here once for every benchmark (`file_changes`); the
next-edit benchmark pairs their hunks (bench.edit_pairs).
"""

from __future__ import annotations

import random
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from genls.index.languages import PLAIN_TEXT, language_for

MAX_ADDED_LINES = 6
TYPED_CHARACTERS = (20, 240)
PER_COMMIT = 2
_OTHER_BREAKS = "\v\f\x1c\x1d\x1e\x85\u2028\u2029"  # str.splitlines breaks lines there too
_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Hunk:
    commit: str
    parent: str
    date: str  # the commit's committer date (what --since selects by), ISO 8601
    path: str  # relative to the repository root
    line: int  # 0-based line of the parent's file before which the lines are added
    lines: tuple[str, ...]  # the added lines, without their line endings

    @property
    def typed_characters(self) -> int:
        return typed_characters(self.lines)

    def as_json(self) -> dict:
        return {
            "commit": self.commit,
            "date": self.date,
            "path": self.path,
            "line": self.line + 1,
            "added_lines": len(self.lines),
            "typed_characters": self.typed_characters,
        }


def typed_characters(lines: tuple[str, ...]) -> int:
    """Keystrokes to type the lines: all but the indentation, plus Enter between lines."""
    return sum(len(line.lstrip(" \t")) for line in lines) + len(lines) - 1


def git_output(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, errors="replace"
    ).stdout


def commits_since(repo: Path, since: str, until: str) -> list[tuple[str, str, str]]:
    """(commit, parent, date) of the non-merge commits in the range, oldest first."""
    out = git_output(
        repo, "log", "--no-merges", "--reverse", f"--since={since}", "--format=%H %P %cI", until
    )
    commits = []
    for row in out.splitlines():
        parts = row.split()
        if len(parts) == 3:  # one parent: not a root commit, not a merge
            commits.append((parts[0], parts[1], parts[2]))
    return commits


def commit_diff(repo: Path, commit: str, parent: str) -> str:
    """The commit's changes to files that existed before, as -U0 hunks."""
    return git_output(
        repo,
        "diff",
        "-U0",
        "--no-renames",
        "--diff-filter=M",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        "--diff-algorithm=myers",  # whatever the user's configuration says: the same hunks
        parent,
        commit,
    )


@dataclass(frozen=True)
class Change:
    """One -U0 hunk of a commit's diff of a file."""

    line: int  # 0-based line of the parent's file where the removed lines start (or before
    # which the added lines go, when nothing is removed)
    removed: tuple[str, ...]
    added: tuple[str, ...]

    def applied(self, lines: list[str], shift: int = 0) -> list[str]:
        """`lines` (with their endings) after this change, `shift` lines further down."""
        start = self.line + shift
        return [
            *lines[:start],
            *(f"{line}\n" for line in self.added),
            *lines[start + len(self.removed) :],
        ]


def file_changes(repo: Path, commit: str, parent: str) -> dict[str, list[Change]]:
    """The commit's hunks per file that existed before and that genls parses, in diff order.

    A hunk whose file has no final newline is left out ("\\ No newline at end of file": an
    edge not worth replaying), as is one whose lines do not add up to its header's counts.
    """
    changes: dict[str, list[Change]] = {}
    path: str | None = None
    header: tuple[int, int, int] | None = None  # (old start, old count, new count)
    removed: list[str] = []
    added: list[str] = []

    def close() -> None:
        if header is None or path is None:
            return
        old_start, old_count, new_count = header
        if len(removed) != old_count or len(added) != new_count:
            return
        # A pure addition "-a,0" inserts after old line a: before 0-based line a.
        line = old_start if old_count == 0 else old_start - 1
        changes.setdefault(path, []).append(Change(line, tuple(removed), tuple(added)))

    in_header = False  # between "diff --git" and the first "@@": "+++ " names the file
    for row in commit_diff(repo, commit, parent).split("\n"):
        if row.startswith("diff --git "):
            close()
            header, path, in_header = None, None, True
        elif in_header and row.startswith("+++ "):
            name = row[4:]
            path = name[2:] if name.startswith("b/") else None
            if path is not None and language_for(None, path) is PLAIN_TEXT:
                path = None
        elif match := _HUNK_HEADER.match(row):
            close()
            in_header = False
            header = (int(match[1]), int(match[2] or 1), int(match[4] or 1))
            removed, added = [], []
        elif header is not None and not in_header and row.startswith("-"):
            removed.append(row[1:])
        elif header is not None and not in_header and row.startswith("+"):
            added.append(row[1:])
        elif row.startswith("\\"):
            header = None
    close()
    return changes


def added_hunks(repo: Path, commit: str, parent: str, date: str) -> list[Hunk]:
    """The hunks of one commit that qualify, in diff order."""
    low, high = TYPED_CHARACTERS
    return [
        Hunk(commit, parent, date, path, change.line, change.added)
        for path, changes in file_changes(repo, commit, parent).items()
        for change in changes
        if not change.removed
        and 1 <= len(change.added) <= MAX_ADDED_LINES
        and low <= typed_characters(change.added) <= high
        and all("\r" not in line for line in change.added)
    ]


def select_hunks(repo: Path, since: str, until: str, count: int, seed: int) -> list[Hunk]:
    """`count` hunks from the commits in the range, at most PER_COMMIT from one commit."""
    rng = random.Random(seed)
    pool: list[Hunk] = []
    for commit, parent, date in commits_since(repo, since, until):
        found = [h for h in added_hunks(repo, commit, parent, date) if _typeable(repo, h)]
        pool.extend(rng.sample(found, min(PER_COMMIT, len(found))))
    chosen = rng.sample(pool, min(count, len(pool)))
    return sorted(chosen, key=lambda h: (h.date, h.commit, h.path, h.line))


def _typeable(repo: Path, hunk: Hunk) -> bool:
    """The parent's file is UTF-8 text with LF endings and has the line the hunk goes before.

    A character that other line-splitters take for a line break (form feed, U+2028, ...)
    would make an editor's line numbers differ from git's: such files are left out.
    """
    text = file_at(repo, hunk.parent, hunk.path)
    if text is None or any(ch in text or ch in "".join(hunk.lines) for ch in _OTHER_BREAKS):
        return False
    return hunk.line <= text.count("\n")


def file_at(repo: Path, commit: str, path: str) -> str | None:
    """The file's text at that commit; None when it is not UTF-8 or has CRLF line endings."""
    data = subprocess.run(
        ["git", "show", f"{commit}:{path}"], cwd=repo, capture_output=True, check=True
    ).stdout
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\r" in text else text
