"""A commit message for the staged diff: Conventional Commits style, subject under 72
characters, body wrapped at 72. The model writes it; the rules are checked here, and a reply
that breaks them is sent back once with the reason. If the second reply fails too, the message
is built from the staged file list alone, so nothing in it is invented.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import git

from genls.history.commits import HistoryError, run_git
from genls.history.conventional import parse

TYPES = ("feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore")
MAX_SUBJECT = 71  # "under 72 characters"
WRAP = 72
_DIFF_CHARS = 9000  # about 3,000 tokens of the instruction model's 4,096
_FILE_DIFF_CHARS = 2500  # so one big file does not crowd out the others
_MESSAGE_TOKENS = 200
SYSTEM = (
    "You write git commit messages in the Conventional Commits style. The first line is "
    "`type(scope): summary` or `type: summary`, where type is one of: " + ", ".join(TYPES) + ". "
    "The first line is under 72 characters, imperative mood, no final period. Then a blank "
    "line and a short body saying what changed and why, only from the diff. Reply with the "
    "commit message only."
)
_FENCE = re.compile(r"^```[\w-]*\s*$")
_PREAMBLE = re.compile(r"^(?:here is|here's|commit message)[^\n]*:\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class CommitMessage:
    text: str
    source: str  # "model" | "fallback"
    attempts: int
    errors: tuple[str, ...]  # why earlier replies were rejected

    @property
    def subject(self) -> str:
        return self.text.split("\n", 1)[0]


def staged_diff(repo: git.Repo) -> tuple[str, str, list[str]]:
    """The staged changes: `git diff --cached --stat`, the patch (trimmed), the paths."""
    # Before the first commit, --cached compares with the empty tree: all of it is new.
    names = run_git(repo, "diff", "--cached", "--name-only", "-z").strip("\0")
    paths = [name for name in names.split("\0") if name]
    if not paths:
        raise HistoryError("nothing is staged: `git add` the changes to describe first")
    stat = run_git(repo, "diff", "--cached", "--stat=72")
    patch = run_git(repo, "diff", "--cached", "--no-color", "--no-ext-diff", "-U2")
    return stat, trim_patch(patch), paths


def trim_patch(patch: str) -> str:
    """Each file's diff cut to a share of the budget; binary files stay one line."""
    files = re.split(r"(?m)^(?=diff --git )", patch)
    kept = []
    for part in files:
        if len(part) > _FILE_DIFF_CHARS:
            part = part[:_FILE_DIFF_CHARS] + "\n[... diff cut ...]\n"
        kept.append(part)
    text = "".join(kept)
    return text if len(text) <= _DIFF_CHARS else text[:_DIFF_CHARS] + "\n[... diff cut ...]\n"


def clean_reply(reply: str) -> str:
    lines = [line for line in reply.strip().split("\n") if not _FENCE.match(line.strip())]
    while lines and (_PREAMBLE.match(lines[0].strip()) or not lines[0].strip()):
        lines.pop(0)
    if lines:
        lines[0] = lines[0].strip().strip("`\"'").rstrip(".")
    return "\n".join(lines).strip()


def problem(message: str) -> str | None:
    """What is wrong with a message, or None."""
    if not message:
        return "the reply was empty"
    subject = message.split("\n", 1)[0]
    parsed = parse(subject)
    if parsed is None:
        return "the first line must be `type(scope): summary` or `type: summary`"
    if parsed.type not in TYPES:
        return f"the type {parsed.type!r} is not one of {', '.join(TYPES)}"
    if len(subject) > MAX_SUBJECT:
        return f"the first line has {len(subject)} characters; it must be under 72"
    return None


def wrap_body(body: str) -> str:
    """Paragraphs and list items re-wrapped at 72 columns; blank lines kept."""
    out: list[str] = []
    for paragraph in re.split(r"\n\s*\n", body.strip()):
        items = re.split(r"\n(?=\s*[-*] )", paragraph)
        for item in items:
            bullet = re.match(r"\s*([-*] )", item)
            words = " ".join(item.split())
            if bullet:
                out += textwrap.wrap(words, WRAP, subsequent_indent="  ", break_long_words=False)
            else:
                out += textwrap.wrap(words, WRAP, break_long_words=False)
        out.append("")
    return "\n".join(out).strip("\n")


def normalised(message: str) -> str:
    subject, _, body = message.partition("\n")
    body = wrap_body(body)
    return f"{subject.strip()}\n\n{body}" if body else subject.strip()


def write_commit_message(
    repo: git.Repo,
    ask: Callable[..., str],
    should_stop: Callable[[], bool] | None = None,
) -> CommitMessage:
    stat, patch, paths = staged_diff(repo)
    request = f"Files:\n{stat}\n\nDiff:\n{patch}"
    errors: list[str] = []
    user = request
    for attempt in (1, 2):
        reply = ask(
            SYSTEM,
            user,
            max_tokens=_MESSAGE_TOKENS,
            should_stop=should_stop or (lambda: False),
        )
        message = normalised(clean_reply(reply))
        error = problem(message)
        if error is None:
            return CommitMessage(message, "model", attempt, tuple(errors))
        errors.append(error)
        user = (
            f"{request}\n\nYour previous answer was:\n{reply.strip()[:600]}\n\n"
            f"It was rejected: {error}. Write the commit message again."
        )
    return CommitMessage(fallback_message(paths, stat), "fallback", 2, tuple(errors))


def fallback_message(paths: list[str], stat: str) -> str:
    """`chore: update a.py, b.py` (or docs/test when only those changed) and the stat."""
    if all(p.endswith((".md", ".rst", ".txt")) or p.startswith("docs/") for p in paths):
        kind = "docs"
    elif all(p.startswith(("tests/", "test/")) or "/test_" in f"/{p}" for p in paths):
        kind = "test"
    else:
        kind = "chore"
    names = [p.rsplit("/", 1)[-1] for p in paths]
    subject = f"{kind}: update {', '.join(names)}"
    if len(subject) > MAX_SUBJECT:
        subject = f"{kind}: update {names[0]} and {len(names) - 1} more files"
    if len(subject) > MAX_SUBJECT:
        subject = f"{kind}: update {len(names)} files"
    return f"{subject}\n\n{stat.strip()}"
