"""The story of one function, class or file: the commits that touched its lines (`git log -L`
over the symbol's tree-sitter range, renames followed), and a summary by the model in which
every line cites commits of that list; a line citing anything else is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import git

from genls.history.commits import Commit, HistoryError, iter_commits, resolve, shallow_boundary
from genls.index.languages import language_for
from genls.index.symbols import Definition, extract_symbols

SYSTEM = (
    "You tell the story of a piece of code from the git commits that changed it. Write one "
    "sentence per line, 2 to 6 lines, oldest commit first: when it appeared, what each change "
    "did and why, in your own words. End every line with the short hashes of the commits it "
    "comes from in parentheses. Use only what the commits say; do not guess.\n"
    "Example:\n"
    "`load` appeared as a plain JSON reader (1a2b3c4).\n"
    "It learned to skip comments so that hand-edited files load (5d6e7f8).\n"
    "Reading now streams the file, to keep memory flat on large inputs (9a8b7c6)."
)
_HASH = re.compile(r"\b[0-9a-f]{7,40}\b")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")
# The prompt keeps the first commits (the origin) and the latest ones.
_PROMPT_FIRST = 3
_PROMPT_LATEST = 27
_BODY_CHARS = 240
_SUMMARY_TOKENS = 320


@dataclass(frozen=True)
class SymbolStory:
    path: str  # relative to the repository root
    symbol: str | None  # None: the whole file
    lines: tuple[int, int] | None  # 1-based, inclusive, at the revision read
    commits: list[Commit]  # newest first
    summary: list[str] = field(default_factory=list)  # model lines, each citing commits
    warnings: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        what = f"`{self.symbol}` in `{self.path}`" if self.symbol else f"`{self.path}`"
        where = f" (lines {self.lines[0]}–{self.lines[1]})" if self.lines else ""
        return f"History of {what}{where}"

    def markdown(self) -> str:
        out = [f"# {self.title}", ""]
        if not self.commits:
            out += ["No commit touched it.", ""]
        else:
            first, last = self.commits[-1], self.commits[0]
            out += [
                f"Changed in {len(self.commits)} commit{'s' if len(self.commits) > 1 else ''}: "
                f"appeared in `{first.short}` ({first.date[:10]}), last changed in "
                f"`{last.short}` ({last.date[:10]}): {last.subject}",
                "",
            ]
        if self.summary:
            out += ["## Summary", "", *(f"- {line}" for line in self.summary), ""]
        if self.commits:
            out += ["## Commits, oldest first", ""]
            for commit in reversed(self.commits):
                out.append(
                    f"- {commit.date[:10]} `{commit.short}` {commit.subject} — {commit.author}"
                )
        out += [f"> {warning}" for warning in self.warnings]
        return "\n".join(out).rstrip("\n") + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "symbol": self.symbol,
            "lines": list(self.lines) if self.lines else None,
            "commits": [
                {
                    "hash": c.sha,
                    "short": c.short,
                    "date": c.date,
                    "author": c.author,
                    "subject": c.subject,
                }
                for c in self.commits
            ],
            "summary": self.summary,
            "warnings": self.warnings,
        }


def relative_path(repo: git.Repo, path: Path) -> str:
    root = Path(repo.working_tree_dir or ".").resolve()
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError as exc:
        raise HistoryError(f"{path} is not inside the repository {root}") from exc


def file_text(repo: git.Repo, rev: str, path: str) -> str:
    try:
        data = repo.commit(rev).tree[path].data_stream.read()
    except KeyError as exc:
        raise HistoryError(f"{path} is not in {rev}: commit it first") from exc
    return data.decode("utf-8", "replace")


def _require_file(repo: git.Repo, rev: str, path: str) -> None:
    try:
        repo.commit(rev).tree[path]
    except KeyError as exc:
        raise HistoryError(f"{path} is not in {rev}: commit it first") from exc


def find_symbol(text: str, path: str, symbol: str) -> Definition:
    """`name` or `Parent.name`; with several matches, the first in the file."""
    definitions = extract_symbols(text, language_for(None, path)).definitions
    parent, _, name = symbol.rpartition(".")
    for definition in definitions:
        if definition.name == name and (not parent or definition.parent == parent):
            return definition
    raise HistoryError(f"no symbol {symbol!r} in {path}")


def touching_commits(
    repo: git.Repo,
    path: str,
    lines: tuple[int, int] | None,
    rev: str = "HEAD",
    should_stop: Callable[[], bool] | None = None,
) -> list[Commit]:
    """Commits that changed those lines (1-based, inclusive) or, without lines, the file."""
    if lines is None:
        return list(
            iter_commits(repo, [rev], paths=[path], extra=["--follow"], should_stop=should_stop)
        )
    line_range = f"-L{lines[0]},{lines[1]}:{path}"
    return list(iter_commits(repo, [rev], extra=[line_range, "-s"], should_stop=should_stop))


def symbol_history(
    repo: git.Repo,
    path: Path,
    symbol: str | None = None,
    ask: Callable[..., str] | None = None,
    should_stop: Callable[[], bool] | None = None,
    rev: str = "HEAD",
) -> SymbolStory:
    """The story of `symbol` in `path` (or of the whole file), summarised if `ask` is given."""
    relative = relative_path(repo, path)
    resolve(repo, rev)
    lines = None
    if symbol:
        definition = find_symbol(file_text(repo, rev, relative), relative, symbol)
        lines = (definition.start_line + 1, definition.end_line + 1)
    else:
        _require_file(repo, rev, relative)
    commits = touching_commits(repo, relative, lines, rev, should_stop)
    warnings = []
    if shallow_boundary(repo):
        warnings.append("This is a shallow clone: the history is cut, older commits are missing.")
    story = SymbolStory(relative, symbol, lines, commits, [], warnings)
    if ask is None or not commits or (should_stop and should_stop()):
        return story
    reply = ask(
        SYSTEM,
        summary_prompt(story),
        max_tokens=_SUMMARY_TOKENS,
        should_stop=should_stop or (lambda: False),
    )
    summary = cited_lines(reply, commits)
    if not summary:
        warnings.append("The model's summary cited no commit of this list; it is left out.")
    return SymbolStory(relative, symbol, lines, commits, summary, warnings)


def summary_prompt(story: SymbolStory) -> str:
    oldest_first = list(reversed(story.commits))
    if len(oldest_first) > _PROMPT_FIRST + _PROMPT_LATEST:
        oldest_first = oldest_first[:_PROMPT_FIRST] + oldest_first[-_PROMPT_LATEST:]
    lines = [f"{story.title}. Its commits, oldest first:"]
    for commit in oldest_first:
        lines.append(f"{commit.short} {commit.date[:10]} {commit.subject}")
        body = " ".join(commit.body.split())[:_BODY_CHARS]
        if body:
            lines.append(f"    {body}")
    return "\n".join(lines)


def cited_lines(reply: str, commits: list[Commit]) -> list[str]:
    """The reply's lines that cite at least one commit, and only commits of the list."""
    known = [commit.sha for commit in commits]
    kept = []
    for raw in reply.splitlines():
        line = _BULLET.sub("", raw).strip()
        cited = _HASH.findall(line)
        if not line or not cited:
            continue
        if all(any(sha.startswith(token) for sha in known) for token in cited):
            kept.append(line)
    return kept
