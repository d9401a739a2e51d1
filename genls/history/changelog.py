"""Release notes: commits grouped by version (tags) and kind, rendered as markdown or JSON, and
merged into an existing CHANGELOG.md without losing a hand-written line.

Conventional commits are grouped by their type; other messages go to a classifier (the model,
see classify.py) in batches; breaking changes are also read from the code (api_changes.py).
Every line cites the short hashes of the commits it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import git

from genls.history import conventional
from genls.history.api_changes import api_changes
from genls.history.commits import (
    Commit,
    Version,
    count_commits,
    iter_commits,
    resolve,
    shallow_boundary,
    tags_in,
)
from genls.history.conventional import KIND_TITLES, KINDS

UNRELEASED = "Unreleased"


@dataclass(frozen=True)
class Entry:
    kind: str  # one of conventional.KINDS
    text: str  # the line shown to readers
    commits: tuple[str, ...]  # short hashes of the commits it came from
    source: str  # "conventional" | "model" | "unclassified" | "code"
    subject: str | None = None  # the commit's original subject
    scope: str | None = None
    refs: tuple[int, ...] = ()  # issue / pull request numbers the message mentions


@dataclass(frozen=True)
class Classification:
    """What the classifier says of one free-form commit."""

    kind: str
    text: str
    source: str  # "model" when the model's answer was used, "unclassified" otherwise


# A batch of free-form commits -> one classification each, in order.
Classifier = Callable[[list[Commit]], list[Classification]]
Progress = Callable[[int, int, str], None]


@dataclass
class Release:
    version: str
    date: str | None
    entries: list[Entry] = field(default_factory=list)

    def grouped(self) -> dict[str, list[Entry]]:
        groups: dict[str, list[Entry]] = {kind: [] for kind in KINDS}
        for entry in self.entries:
            groups[entry.kind].append(entry)
        return {kind: entries for kind, entries in groups.items() if entries}


@dataclass
class Changelog:
    releases: list[Release]  # newest first
    commits: int  # commits read
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "releases": [
                {
                    "version": release.version,
                    "date": release.date,
                    "groups": {
                        kind: [asdict(entry) for entry in entries]
                        for kind, entries in release.grouped().items()
                    },
                }
                for release in self.releases
            ],
            "commits": self.commits,
            "warnings": self.warnings,
        }


def _stopped(should_stop: Callable[[], bool] | None) -> bool:
    return bool(should_stop and should_stop())


def build_changelog(
    repo: git.Repo,
    since: str | None = None,
    until: str = "HEAD",
    classify: Classifier | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    batch_size: int = 20,
    code_changes: bool = True,
) -> Changelog:
    """The changelog of `since..until` (all history without `since`), newest release first.

    Free-form messages are classified in batches of `batch_size` by `classify`; without one
    they are listed under "other" with their subject.
    """
    until_sha = resolve(repo, until)
    since_sha = resolve(repo, since) if since else None
    excluded = [f"^{since_sha}"] if since_sha else []
    warnings = []
    if shallow_boundary(repo):
        warnings.append(
            "this is a shallow clone: the history is cut, and older changes are missing"
            " (git fetch --unshallow for all of it)"
        )
    tags = tags_in(repo, until_sha, since_sha)
    if not tags:
        where = f"between {since} and {until}" if since else "on this history"
        warnings.append(f"no tags {where}: every change is listed as Unreleased")
    total = count_commits(repo, [until_sha, *excluded])
    # (release, its commits' revisions, the ref its API is compared with)
    plan: list[tuple[Release, list[str], str | None]] = []
    previous: str | None = since_sha
    for index, tag in enumerate(tags):
        earlier = [f"^{t.sha}" for t in tags[:index]]
        plan.append((Release(tag.name, tag.date), [str(tag.sha), *earlier, *excluded], previous))
        previous = tag.sha
    if not tags or tags[-1].sha != until_sha:
        earlier = [f"^{t.sha}" for t in tags]
        plan.append((Release(UNRELEASED, None), [until_sha, *earlier, *excluded], previous))

    done = 0
    releases: list[Release] = []
    for release, revisions, base in reversed(plan):
        free_form: list[Commit] = []
        order: dict[str, int] = {}  # entries are listed in history order, newest first
        for commit in iter_commits(repo, revisions, should_stop=should_stop):
            done += 1
            order[commit.short] = len(order)
            parsed = conventional.parse(commit.message)
            if parsed is not None:
                release.entries.append(_conventional_entry(commit, parsed))
            elif not commit.is_merge:  # a merge's changes are its merged commits' entries
                free_form.append(commit)
            if progress and done % 100 == 0:
                progress(done, total, f"reading {release.version}")
        if _stopped(should_stop):
            break
        release.entries.extend(_classified(free_form, classify, batch_size, progress, should_stop))
        release.entries.sort(key=lambda entry: order[entry.commits[0]])
        if code_changes and base is not None and not _stopped(should_stop):
            if progress:
                progress(done, total, f"comparing the API of {release.version}")
            target = release_end(release, until_sha, tags)
            for change in api_changes(repo, base, target, should_stop):
                release.entries.append(
                    Entry("breaking", change.describe(), change.commits, "code", None)
                )
        releases.append(release)
    if progress:
        progress(done, total, "done")
    return Changelog([r for r in releases if r.entries], done, warnings)


def release_end(release: Release, until_sha: str, tags: list[Version]) -> str:
    for tag in tags:
        if tag.name == release.version and tag.sha:
            return tag.sha
    return until_sha


_TRAILING_REFS = re.compile(r"(\s*\(#\d+\))+$")


def _conventional_entry(commit: Commit, parsed: conventional.ConventionalCommit) -> Entry:
    # "(#12)" that a squash merge appends is listed with the refs instead.
    text = _TRAILING_REFS.sub("", parsed.description) or parsed.description
    if parsed.breaking_description:
        text = f"{text} — {parsed.breaking_description.splitlines()[0].strip()}"
    return Entry(
        kind=parsed.kind,
        text=text,
        commits=(commit.short,),
        source="conventional",
        subject=commit.subject,
        scope=parsed.scope,
        refs=conventional.references(commit.message),
    )


def _classified(
    commits: list[Commit],
    classify: Classifier | None,
    batch_size: int,
    progress: Progress | None,
    should_stop: Callable[[], bool] | None,
) -> list[Entry]:
    entries: list[Entry] = []
    for start in range(0, len(commits), batch_size):
        batch = commits[start : start + batch_size]
        if classify is None or _stopped(should_stop):
            answers = [Classification("other", c.subject, "unclassified") for c in batch]
        else:
            if progress:
                progress(start, len(commits), f"classifying {len(commits)} free-form messages")
            answers = classify(batch)
        for commit, answer in zip(batch, answers, strict=True):
            entries.append(
                Entry(
                    kind=answer.kind,
                    text=answer.text,
                    commits=(commit.short,),
                    source=answer.source,
                    subject=commit.subject,
                    refs=conventional.references(commit.message),
                )
            )
    return entries


# -- markdown ---------------------------------------------------------------------------------


def render_entry(entry: Entry) -> str:
    scope = f"**{entry.scope}:** " if entry.scope else ""
    cited = [*entry.commits, *(f"#{number}" for number in entry.refs)]
    suffix = f" ({', '.join(cited)})" if cited else ""
    return f"- {scope}{entry.text}{suffix}"


def release_heading(release: Release) -> str:
    if release.version == UNRELEASED:
        return f"## [{UNRELEASED}]"
    return f"## [{release.version}]" + (f" - {release.date}" if release.date else "")


def render_release(release: Release, render: Callable[[Entry], str] = render_entry) -> list[str]:
    lines = [release_heading(release)]
    for kind, entries in release.grouped().items():
        lines += ["", f"### {KIND_TITLES[kind]}", ""]
        lines += [render(entry) for entry in entries]
    return lines


def render_markdown(changelog: Changelog, title: bool = True) -> str:
    lines = ["# Changelog", ""] if title else []
    for release in changelog.releases:
        lines += [*render_release(release), ""]
    if not changelog.releases:
        lines += ["No changes.", ""]
    return "\n".join(lines)


# -- merging into an existing CHANGELOG.md ----------------------------------------------------

_VERSION_HEADING = re.compile(r"^##\s+\[?(?P<version>[^\]\s]+)\]?")
_KIND_HEADING = re.compile(r"^###\s+(?P<title>.+?)\s*$")


def merge_into(existing: str, changelog: Changelog) -> str:
    """`existing` with the new releases' sections and entries added; nothing is removed.

    A release whose heading is already there gets only the entries it lacks (by their
    commit, so a line the user reworded is not added again); a new release's section goes
    above the older ones, below an Unreleased section. Lines of the Unreleased section whose
    commits a tag now releases move, as written, to that release's section.
    """
    if not existing.strip():
        return render_markdown(changelog)
    lines = existing.rstrip("\n").split("\n")
    code_lines = {
        render_entry(e) for r in changelog.releases for e in r.entries if e.source == "code"
    }
    released = [e for r in changelog.releases if r.version != UNRELEASED for e in r.entries]
    moved = _take_from_unreleased(lines, released)

    def render(entry: Entry) -> str:
        return moved.get(entry) or render_entry(entry)

    for release in reversed(changelog.releases):  # oldest first: each new one lands on top
        missing = [e for e in release.entries if e in moved or not _present(e, lines, code_lines)]
        if not missing:
            continue
        if _find_section(lines, release.version) is None:
            at = _insertion_point(lines, release.version)
            block = render_release(Release(release.version, release.date, missing), render)
            lines[at:at] = [*block, ""] if at < len(lines) else ["", *block]
        else:
            _add_to_section(lines, release.version, missing, render)
    return "\n".join(lines) + "\n"


def _take_from_unreleased(lines: list[str], released: list[Entry]) -> dict[Entry, str]:
    """Remove from the Unreleased section the lines of entries a release now holds; their
    text, as the user left it, by entry. Kind headings left empty go too."""
    section = _find_section(lines, UNRELEASED)
    if section is None:
        return {}
    start, end = section
    moved: dict[Entry, str] = {}
    for entry in released:
        rendered = render_entry(entry)
        cites = re.compile(rf"\b{re.escape(entry.commits[0])}\b") if entry.commits else None
        for index in range(start + 1, end):
            line = lines[index]
            if line == rendered or (
                cites and entry.source != "code" and line.startswith("- ") and cites.search(line)
            ):
                moved[entry] = lines.pop(index)
                end -= 1
                break
    if moved:
        _drop_empty_kind_headings(lines, start, end)
    return moved


def _drop_empty_kind_headings(lines: list[str], start: int, end: int) -> None:
    for index in range(end - 1, start, -1):
        if not _KIND_HEADING.match(lines[index]):
            continue
        following = index + 1
        while following < len(lines) and not lines[following].strip():
            following += 1
        at_next_heading = following >= len(lines) or lines[following].startswith("#")
        if at_next_heading:
            del lines[index:following]


def _present(entry: Entry, lines: list[str], code_lines: set[str]) -> bool:
    rendered = render_entry(entry)
    if rendered in lines:
        return True
    if entry.source == "code":
        return False
    cites = re.compile(rf"\b{re.escape(entry.commits[0])}\b") if entry.commits else None
    return bool(cites) and any(
        cites.search(line)
        for line in lines
        if line not in code_lines  # type: ignore[union-attr]
    )


def _headings(lines: list[str]) -> list[tuple[int, str]]:
    return [
        (index, match["version"])
        for index, line in enumerate(lines)
        if (match := _VERSION_HEADING.match(line))
    ]


def _find_section(lines: list[str], version: str) -> tuple[int, int] | None:
    headings = _headings(lines)
    for position, (index, name) in enumerate(headings):
        if name.lower() == version.lower():
            end = headings[position + 1][0] if position + 1 < len(headings) else len(lines)
            return index, end
    return None


def _insertion_point(lines: list[str], version: str) -> int:
    for index, name in _headings(lines):
        if version == UNRELEASED or name.lower() != UNRELEASED.lower():
            return index
    return len(lines)


def _add_to_section(
    lines: list[str], version: str, entries: list[Entry], render: Callable[[Entry], str]
) -> None:
    for kind in KINDS:
        new = [render(e) for e in entries if e.kind == kind]
        section = _find_section(lines, version)
        if not new or section is None:
            continue
        start, end = section
        title = KIND_TITLES[kind].lower()
        heading = next(
            (
                i
                for i in range(start + 1, end)
                if (m := _KIND_HEADING.match(lines[i])) and m["title"].lower() == title
            ),
            None,
        )
        # After the last non-blank line of the kind's list, or of the section.
        at = end
        if heading is not None:
            at = heading + 1
            while at < end and not _KIND_HEADING.match(lines[at]):
                at += 1
        floor = heading if heading is not None else start
        while at - 1 > floor and not lines[at - 1].strip():
            at -= 1
        lines[at:at] = new if heading is not None else ["", f"### {KIND_TITLES[kind]}", "", *new]
