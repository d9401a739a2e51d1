"""The model path: free-form commit messages -> a kind and one clear line, in batches.

The reply is parsed strictly (`<n>. <kind>: <line>`, one per message) and each line is
checked against its message: a line whose words are mostly not in the message, a missing or
malformed line, keeps the original subject under "other". The model may reword; it may not
invent.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from genls.history.changelog import Classification
from genls.history.commits import Commit

SYSTEM = (
    "You sort git commit messages for release notes. For each numbered message, write one "
    "line: the same number, the kind in square brackets, then one short, clear sentence "
    "saying what changed, using only facts from that message.\n"
    "Kinds: [feature] [fix] [performance] [documentation] [breaking] [other].\n"
    "Messages:\n"
    "1. parser: empty files crashed it\n"
    "2. README: install steps for macOS\n"
    "3. cli: --verbose flag; tidy logging\n"
    "Reply:\n"
    "1. [fix] The parser no longer crashes on empty files\n"
    "2. [documentation] Add install steps for macOS to the README\n"
    "3. [feature] Add a --verbose flag to the command line and tidy the logging\n"
    "Reply with the numbered lines only, one per message."
)
_KIND_WORDS = {
    "feature": "features",
    "features": "features",
    "feat": "features",
    "fix": "fixes",
    "fixes": "fixes",
    "bugfix": "fixes",
    "bug": "fixes",
    "performance": "performance",
    "perf": "performance",
    "documentation": "documentation",
    "docs": "documentation",
    "doc": "documentation",
    "breaking": "breaking",
    "other": "other",
    "chore": "other",
    "refactor": "other",
}
_LINE = re.compile(r"^\s*(\d+)\s*[.):]\s*\[([A-Za-z]+)\]\s*[:\-–]?\s*(.+?)\s*$")
# Kinds that claim something of the change need the message itself to say so: "breaking"
# decides what users must read first, "performance" says something got faster (the 1.5B
# model files benchmarks there).
_EVIDENCE = {
    "breaking": re.compile(r"break|incompatib|remov|drop|renam|delet", re.IGNORECASE),
    "performance": re.compile(
        r"fast|speed|slow|perf|latenc|memory|cache|optimi|quick|throughput|lighter|smaller",
        re.IGNORECASE,
    ),
}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]{2,}")
_STEM = 5  # "improves" and "improved" share "impro"
_STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "into",
        "when",
        "then",
        "than",
        "now",
        "are",
        "was",
        "use",
    ]
)
_MAX_LINE = 200
_TOKENS_PER_MESSAGE = 40
_BODY_CHARS = 200


@dataclass
class ModelClassifier:
    """Classifies batches with the instruction model; counts what it used and rejected."""

    ask: Callable[..., str]  # InstructionModel.ask
    should_stop: Callable[[], bool] | None = None
    answered: int = 0
    rejected: int = 0

    def __call__(self, batch: list[Commit]) -> list[Classification]:
        if not batch:
            return []
        reply = self.ask(
            SYSTEM,
            prompt(batch),
            max_tokens=_TOKENS_PER_MESSAGE * len(batch) + 16,
            should_stop=self.should_stop or (lambda: False),
        )
        answers = parse_reply(reply, batch)
        used = sum(answer.source == "model" for answer in answers)
        self.answered += used
        self.rejected += len(batch) - used
        return answers


def prompt(batch: list[Commit]) -> str:
    lines = []
    for number, commit in enumerate(batch, 1):
        lines.append(f"{number}. {commit.subject}")
        body = " ".join(commit.body.split())[:_BODY_CHARS]
        if body:
            lines.append(f"   ({body})")
    return "\n".join(lines)


def parse_reply(reply: str, batch: list[Commit]) -> list[Classification]:
    """One classification per commit; anything not answered properly keeps its subject."""
    found: dict[int, tuple[str, str]] = {}
    for line in reply.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        number, word, text = int(match[1]), match[2].lower(), match[3].strip().strip("`\"'")
        if 1 <= number <= len(batch) and number not in found and word in _KIND_WORDS:
            found[number] = (_KIND_WORDS[word], text)
    answers = []
    for number, commit in enumerate(batch, 1):
        answer = found.get(number)
        if answer is None or not _grounded(answer[1], commit.message):
            answers.append(Classification("other", commit.subject, "unclassified"))
            continue
        kind, text = answer
        evidence = _EVIDENCE.get(kind)
        if evidence is not None and not evidence.search(commit.message):
            kind = "other"
        answers.append(Classification(kind, text.rstrip("."), "model"))
    return answers


def _stems(text: str) -> set[str]:
    return {w.lower()[:_STEM] for w in _WORD.findall(text) if w.lower() not in _STOP}


def _grounded(line: str, message: str) -> bool:
    """One line, not too long, and most of its words come from the message."""
    if not line or "\n" in line or len(line) > _MAX_LINE:
        return False
    words = _stems(line)
    if not words:
        return False
    return len(words & _stems(message)) * 2 >= len(words)
