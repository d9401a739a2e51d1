"""Which commit a workspace is on, for the shared index (genls.index.shared_store).

A stored commit is keyed by its sha and by the workspace's folder inside the repository
(`sha` for the repository's root, `sha:sub/folder` otherwise), since the index's paths are
relative to that folder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import git

from genls.errors import GenlsError

# A branch this many commits past the last one the store holds still finds it.
RECENT_COMMITS = 200


@dataclass(frozen=True)
class WorkspaceCommits:
    folder: str  # the workspace inside its repository: "." for the root
    recent: list[str]  # keys of HEAD and its ancestors, newest first


def recent_commits(root: Path, limit: int = RECENT_COMMITS) -> WorkspaceCommits:
    """HEAD and its ancestors; none outside a git repository or before the first commit."""
    try:
        repo, folder = _repository(root)
        shas = repo.git.rev_list(f"--max-count={limit}", "HEAD").split()
    except (GenlsError, git.GitCommandError):
        return WorkspaceCommits(".", [])
    return WorkspaceCommits(folder, [_key(sha, folder) for sha in shas])


def committed_head(root: Path, paths: Iterable[str]) -> tuple[str, str]:
    """(HEAD's key, the workspace's folder), when the files at `paths` (relative to root) are
    exactly as committed there and no committed file is missing: a shared index is stored per
    commit, so it must hold nothing else."""
    repo, folder = _repository(root)
    try:
        head = repo.head.commit.hexsha
    except ValueError as exc:
        raise GenlsError(f"{root} has no git commit to store in the shared index") from exc
    prefix = Path(folder)
    wanted = {(prefix / path).as_posix() for path in paths}
    differing = []
    for line in repo.git.status("--porcelain=v1", "--untracked-files=all").splitlines():
        state, names = line[:2], line[3:].split(" -> ")
        # An indexed file that differs, or a committed file deleted or renamed away.
        if any(name.strip('"') in wanted for name in names) or "D" in state or "R" in state:
            differing.append(names[-1].strip('"'))
    differing = [path for path in differing if folder == "." or path.startswith(f"{folder}/")]
    if differing:
        shown = ", ".join(differing[:3]) + (" ..." if len(differing) > 3 else "")
        raise GenlsError(
            f"{len(differing)} files differ from commit {head[:12]} ({shown}): the shared index "
            "stores commits; commit them or index a clean checkout"
        )
    return _key(head, folder), folder


def _repository(root: Path) -> tuple[git.Repo, str]:
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError) as exc:
        raise GenlsError(f"{root} is not in a git repository") from exc
    top = Path(repo.working_tree_dir or root).resolve()
    return repo, Path(root).resolve().relative_to(top).as_posix()


def _key(sha: str, folder: str) -> str:
    return sha if folder == "." else f"{sha}:{folder}"
