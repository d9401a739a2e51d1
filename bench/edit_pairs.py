"""Pairs of nearby hunks of real commits: an edit a person made, and the one they made next.

From `git diff -U0` of each commit: in a file that existed before and that genls parses,
two consecutive hunks at most NEARBY_LINES apart, each changing at most MAX_HUNK_LINES lines
on either side, neither only whitespace. The first is what the person just did; the second,
what a next-edit suggestion should offer. At most PER_COMMIT pairs per commit, then a fixed
number overall, both drawn with a fixed seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from bench.hunks import Change, commits_since, file_at, file_changes

NEARBY_LINES = 30
MAX_HUNK_LINES = 6
PER_COMMIT = 2


@dataclass(frozen=True)
class EditPair:
    commit: str
    parent: str
    date: str
    path: str
    before: str  # the parent's file
    first: Change
    second: Change

    @property
    def shift(self) -> int:
        """How far the first change moves the lines after it."""
        return len(self.first.added) - len(self.first.removed)

    @property
    def middle(self) -> str:
        """The file after the first change: what the person has now."""
        return "".join(self.first.applied(self.before.splitlines(keepends=True)))

    @property
    def after(self) -> str:
        """The file after both changes."""
        return "".join(self.second.applied(self.middle.splitlines(keepends=True), self.shift))

    def first_range_in_before(self) -> tuple[int, int]:
        """The lines the first change replaces: [start, end) in the parent's file."""
        return self.first.line, self.first.line + len(self.first.removed)

    def first_text(self) -> str:
        return "".join(f"{line}\n" for line in self.first.added)

    def cursor_in_middle(self) -> int:
        """The end of the first change's last added line (its start, for a deletion)."""
        lines = self.middle.splitlines(keepends=True)
        start = sum(len(line) for line in lines[: self.first.line])
        if not self.first.added:
            return start
        return start + len(self.first_text()) - 1

    def second_lines_in_middle(self) -> tuple[int, int]:
        """The lines (first, last) of the middle text that the second change touches."""
        start = self.second.line + self.shift
        return start, start + max(len(self.second.removed), 1) - 1

    def as_json(self) -> dict:
        return {
            "commit": self.commit,
            "date": self.date,
            "path": self.path,
            "first": {
                "line": self.first.line + 1,
                "removed": len(self.first.removed),
                "added": len(self.first.added),
            },
            "second": {
                "line": self.second.line + 1,
                "removed": len(self.second.removed),
                "added": len(self.second.added),
            },
        }


def _worth_it(change: Change) -> bool:
    if len(change.removed) > MAX_HUNK_LINES or len(change.added) > MAX_HUNK_LINES:
        return False
    removed = "".join(change.removed).split()
    added = "".join(change.added).split()
    return removed != added  # not a whitespace-only change


def commit_pairs(repo: Path, commit: str, parent: str, date: str) -> list[EditPair]:
    pairs = []
    for path, changes in file_changes(repo, commit, parent).items():
        before = None
        for first, second in pairwise(changes):
            gap = second.line - (first.line + len(first.removed))
            if not (0 <= gap <= NEARBY_LINES and _worth_it(first) and _worth_it(second)):
                continue
            if before is None:
                before = file_at(repo, parent, path)
            if before is None or not before.endswith("\n"):
                break
            pairs.append(EditPair(commit, parent, date, path, before, first, second))
    return pairs


def select_pairs(repo: Path, since: str, until: str, count: int, seed: int) -> list[EditPair]:
    rng = random.Random(seed)
    pool: list[EditPair] = []
    for commit, parent, date in commits_since(repo, since, until):
        found = commit_pairs(repo, commit, parent, date)
        pool.extend(rng.sample(found, min(PER_COMMIT, len(found))))
    chosen = rng.sample(pool, min(count, len(pool)))
    return sorted(chosen, key=lambda p: (p.date, p.commit, p.path, p.first.line))
