"""Conventional Commits 1.0, parsed exactly: `type(scope)!: description`, a body, footers
(`Token: value` or `Token #value`), breaking changes from `!` or a BREAKING CHANGE footer, and
the issue and pull request numbers a message mentions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# What a changelog groups by, in the order sections are printed.
KINDS = ("breaking", "features", "fixes", "performance", "documentation", "other")
KIND_TITLES = {
    "breaking": "Breaking changes",
    "features": "Features",
    "fixes": "Fixes",
    "performance": "Performance",
    "documentation": "Documentation",
    "other": "Other",
}
# Types are case-insensitive (spec item 15); unknown types are valid and group as "other".
_TYPE_KINDS = {
    "feat": "features",
    "feature": "features",
    "fix": "fixes",
    "perf": "performance",
    "docs": "documentation",
    "doc": "documentation",
}
_HEADER = re.compile(
    r"^(?P<type>[A-Za-z][A-Za-z0-9_-]*)(?:\((?P<scope>[^()\r\n]*)\))?(?P<bang>!)?: (?P<desc>\S.*)$"
)
# Footer tokens use - for spaces, except BREAKING CHANGE (spec items 8-12, 16).
_FOOTER = re.compile(r"^(?P<token>BREAKING CHANGE|BREAKING-CHANGE|[\w-]+)(?:: | #)(?P<value>.*)$")
_BREAKING_TOKENS = ("BREAKING CHANGE", "BREAKING-CHANGE")
_REFS = (
    re.compile(r"(?<![\w/&])#(\d+)\b"),
    re.compile(r"\bGH-(\d+)\b"),
    re.compile(r"/(?:pull|issues|merge_requests)/(\d+)\b"),
)


@dataclass(frozen=True)
class Footer:
    token: str
    value: str


@dataclass(frozen=True)
class ConventionalCommit:
    type: str
    scope: str | None
    description: str
    body: str
    footers: tuple[Footer, ...]
    breaking: bool
    breaking_description: str | None  # the BREAKING CHANGE footer's text, if any

    @property
    def kind(self) -> str:
        return "breaking" if self.breaking else _TYPE_KINDS.get(self.type.lower(), "other")


def parse(message: str) -> ConventionalCommit | None:
    """The parsed message, or None when its header is not a Conventional Commits header."""
    lines = message.replace("\r\n", "\n").strip("\n").split("\n")
    header = _HEADER.match(lines[0].strip()) if lines else None
    if header is None:
        return None
    rest = lines[1:]
    if rest and rest[0].strip():  # the body must be separated by a blank line (item 6)
        return None
    body_lines, footers = _split_footers(rest)
    breaking_footer = next((f for f in footers if f.token in _BREAKING_TOKENS), None)
    return ConventionalCommit(
        type=header["type"],
        scope=(header["scope"] or "").strip() or None,
        description=header["desc"].strip(),
        body="\n".join(body_lines).strip("\n"),
        footers=footers,
        breaking=bool(header["bang"]) or breaking_footer is not None,
        breaking_description=breaking_footer.value.strip() if breaking_footer else None,
    )


def _split_footers(lines: list[str]) -> tuple[list[str], tuple[Footer, ...]]:
    """The body and the footers: the footer block is the last run of paragraphs that each
    start with a footer token; a footer's value continues until the next token."""
    starts = [i for i, line in enumerate(lines) if line.strip() and (i == 0 or not lines[i - 1])]
    footer_start = len(lines)
    for start in reversed(starts):
        if not _FOOTER.match(lines[start]):
            break
        footer_start = start
    footers: list[Footer] = []
    for line in lines[footer_start:]:
        match = _FOOTER.match(line)
        if match:
            footers.append(Footer(match["token"], match["value"]))
        elif footers and line.strip():
            footers[-1] = Footer(footers[-1].token, f"{footers[-1].value}\n{line}")
    return lines[:footer_start], tuple(footers)


def references(message: str) -> tuple[int, ...]:
    """Issue and pull request numbers mentioned anywhere in the message, in order, once."""
    found = sorted(
        (match.start(), int(match.group(1)))
        for pattern in _REFS
        for match in pattern.finditer(message)
    )
    return tuple(dict.fromkeys(number for _, number in found))
