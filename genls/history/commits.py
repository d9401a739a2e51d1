"""Reading a repository's history: commits streamed from `git log`, tags as versions, shallow
clones, and messages in any encoding.

Commits are read from one `git log -z` process, record by record, so a 50,000-commit history
costs time, not memory. GitPython opens the repository and runs git; parsing stays here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import git

from genls.errors import GenlsError

log = logging.getLogger(__name__)

# One field per format placeholder; `-z` ends each record with NUL as well.
_FIELDS = ("%H", "%P", "%aI", "%an", "%e", "%B")
LOG_FORMAT = "%x00".join(_FIELDS)
_READ_BYTES = 1 << 16
SHORT = 7


class HistoryError(GenlsError):
    """Not a repository, an unknown ref, or git failed."""


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    date: str  # author date, ISO 8601
    author: str
    message: str  # the whole message, decoded

    @property
    def short(self) -> str:
        return self.sha[:SHORT]

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()

    @property
    def body(self) -> str:
        parts = self.message.split("\n", 1)
        return parts[1].strip() if len(parts) > 1 else ""

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class Version:
    """A release: a tag and the commit it points at; `None` tag is the unreleased work."""

    name: str
    sha: str | None
    date: str | None


def open_repository(path: Path) -> git.Repo:
    """The repository containing `path`; a clear error when there is none."""
    if not path.exists():
        raise HistoryError(f"{path} does not exist")
    try:
        return git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise HistoryError(f"{path} is not inside a git repository") from exc


def run_git(repo: git.Repo, *args: str) -> str:
    try:
        return repo.git.execute(["git", *args], stdout_as_string=True, strip_newline_in_stdout=True)
    except git.GitCommandError as exc:
        message = (exc.stderr or "").strip().removeprefix("stderr: ").strip("'\n ")
        raise HistoryError(f"git {args[0]} failed: {message or exc}") from exc


def resolve(repo: git.Repo, ref: str) -> str:
    """The commit sha `ref` names."""
    try:
        return repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
    except git.GitCommandError as exc:
        raise HistoryError(f"{ref!r} is not a commit in {repo.working_dir}") from exc


def shallow_boundary(repo: git.Repo) -> list[str]:
    """The commits where a shallow clone's history is cut (empty for a full clone)."""
    shallow = Path(repo.git_dir) / "shallow"
    if not shallow.is_file():
        return []
    return [line.strip() for line in shallow.read_text().splitlines() if line.strip()]


def decode_message(raw: bytes, declared: str = "") -> str:
    """git re-encodes messages that declare an encoding; others may be any bytes."""
    for encoding in ("utf-8", declared or "cp1252"):
        try:
            return raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1")  # never fails: every byte is a character


def iter_commits(
    repo: git.Repo,
    revisions: list[str],
    paths: list[str] | None = None,
    extra: list[str] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[Commit]:
    """Commits of `git log REVISIONS -- PATHS`, newest first (topological), one at a time."""
    args = ["log", "-z", f"--format={LOG_FORMAT}", "--topo-order", *(extra or []), *revisions]
    if paths:
        args += ["--", *paths]
    process = repo.git.execute(["git", *args], as_process=True)
    stream = process.proc.stdout  # type: ignore[union-attr]
    pending = b""
    fields: list[bytes] = []
    finished = False
    try:
        while True:
            if should_stop and should_stop():
                return
            chunk = stream.read(_READ_BYTES)
            pending += chunk
            *complete, pending = pending.split(b"\0")
            for field in complete:
                fields.append(field)
                if len(fields) == len(_FIELDS):
                    yield _commit(fields)
                    fields = []
            if not chunk:
                if len(fields) == len(_FIELDS) - 1:  # the last message has no trailing NUL
                    yield _commit([*fields, pending])
                finished = True
                return
    finally:
        if not finished:
            process.proc.kill()  # type: ignore[union-attr]
        stream.close()
        error = process.proc.stderr.read().decode("utf-8", "replace").strip()  # type: ignore[union-attr]
        code = process.proc.wait()  # type: ignore[union-attr]
        if finished and code != 0:
            raise HistoryError(f"git log failed: {error}")


def _commit(fields: list[bytes]) -> Commit:
    sha, parents, date, author, encoding, message = fields
    return Commit(
        sha=sha.decode("ascii").strip("\n"),
        parents=tuple(parents.decode("ascii").split()),
        date=date.decode("ascii"),
        author=decode_message(author),
        message=decode_message(message, encoding.decode("ascii", "replace")).strip("\n"),
    )


def count_commits(repo: git.Repo, revisions: list[str]) -> int:
    return int(run_git(repo, "rev-list", "--count", *revisions) or 0)


def tags_in(repo: git.Repo, until: str, since: str | None) -> list[Version]:
    """Tags on the history of `until` and not on the history of `since`, oldest first.

    A commit with two tags is one version, named by the later-created tag.
    """
    args = ["for-each-ref", "--merged", until, "--sort=creatordate"]
    if since:
        args += ["--no-merged", since]
    lines = run_git(
        repo, *args, "--format=%(refname:short)%00%(*objectname)%00%(objectname)", "refs/tags"
    )
    by_commit: dict[str, Version] = {}
    for line in lines.splitlines():
        name, peeled, target = line.split("\0")
        sha = peeled or target
        by_commit.pop(sha, None)
        by_commit[sha] = Version(name, sha, None)
    if not by_commit:
        return []
    shown = run_git(repo, "show", "-s", "--format=%H %ct %cs", "--no-walk", *by_commit)
    when = {sha: (int(stamp), day) for sha, stamp, day in (x.split() for x in shown.splitlines())}
    order = {sha: i for i, sha in enumerate(by_commit)}
    # Release order: by commit time, ties by tag creation (the dict keeps that order).
    ranked = sorted(by_commit, key=lambda sha: (when[sha][0], order[sha]))
    return [Version(by_commit[sha].name, sha, when[sha][1]) for sha in ranked]
