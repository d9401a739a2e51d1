"""Which commit a workspace is on, for the shared index (genls.index.shared_store)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import git

from genls.errors import GenlsError

# A branch this many commits past the last one the store holds indexes the difference here.
RECENT_COMMITS = 200


def recent_commits(root: Path, limit: int = RECENT_COMMITS) -> list[str]:
    """HEAD and its ancestors, newest first; [] outside a git repository or before the
    first commit."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
        return repo.git.rev_list(f"--max-count={limit}", "HEAD").split()
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, git.GitCommandError):
        return []


def committed_head(root: Path, paths: Iterable[str]) -> str:
    """HEAD's sha, when the files at `paths` (relative to root) are exactly as committed
    there: a shared index is stored per commit, so it must hold nothing else."""
    try:
        repo = git.Repo(root, search_parent_directories=True)
        head = repo.head.commit.hexsha
    except (git.InvalidGitRepositoryError, git.NoSuchPathError, ValueError) as exc:
        raise GenlsError(f"{root} has no git commit to store in the shared index") from exc
    prefix = Path(root).resolve().relative_to(Path(repo.working_tree_dir).resolve())
    wanted = {(prefix / path).as_posix() for path in paths}
    changed = {diff.a_path for diff in repo.index.diff(None)} | {
        diff.a_path for diff in repo.index.diff("HEAD")
    }
    differing = sorted(wanted & (changed | set(repo.untracked_files)))
    if differing:
        shown = ", ".join(differing[:3]) + (" ..." if len(differing) > 3 else "")
        raise GenlsError(
            f"{len(differing)} files differ from commit {head[:12]} ({shown}): the shared index "
            "stores commits; commit them or index a clean checkout"
        )
    return head
