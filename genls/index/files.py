"""Which files of a workspace get indexed.

In a git repository: what `git ls-files` lists (tracked, and untracked but not ignored);
elsewhere a walk that honours .gitignore files (pathspec). Either way: no vendored or generated
folders, no binaries, nothing over the size limit, and no symlink that leads out of the
workspace.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pathspec

log = logging.getLogger(__name__)

SKIPPED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".genls",
        ".venv",
        "venv",
        "env",
        "node_modules",
        "vendor",
        "third_party",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
        "dist",
        "build",
        "target",
        "out",
        ".next",
        ".cache",
        "site-packages",
    }
)
_BINARY_PROBE_BYTES = 8_192
# Files whose contents never go into a prompt, whatever .gitignore says.
SECRET_NAMES = (
    ".env",
    ".env.*",
    "*.env",
    "*.pem",
    "*.key",
    "id_rsa*",
    "id_ed25519*",
    ".netrc",
    ".npmrc",
    ".pypirc",
    "credentials*",
    "*secret*",
)


def is_private(root: Path | None, path: Path) -> bool:
    """A secret by its name, or a file git ignores: its edits are never remembered."""
    if any(fnmatch.fnmatch(path.name.lower(), pattern) for pattern in SECRET_NAMES):
        return True
    if root is None or not path.is_relative_to(root):
        return False
    try:
        checked = subprocess.run(
            ["git", "-C", str(root), "check-ignore", "-q", "--", str(path)],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return checked.returncode == 0  # 1: not ignored; 128: not a git repository


def workspace_files(root: Path, max_bytes: int) -> list[Path]:
    """Indexable files under `root`, as paths relative to it, sorted."""
    root = root.resolve()
    candidates = _git_files(root)
    if candidates is None:
        candidates = list(_walk(root))
    kept = [path for path in candidates if _indexable(root, path, max_bytes)]
    return sorted(kept)


def indexable_among(root: Path, paths: list[Path], max_bytes: int) -> set[Path]:
    """Which of these relative paths `workspace_files` would list (for a batch of changes)."""
    root = root.resolve()
    listed = _git_files(root)
    candidates = set(listed) if listed is not None else set(_walk(root))
    return {path for path in paths if path in candidates and _indexable(root, path, max_bytes)}


def _git_files(root: Path) -> list[Path] | None:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            stdin=subprocess.DEVNULL,  # stdin is the LSP stream
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None  # not a repository, or no git: walk instead
    return [Path(name) for name in listed.decode("utf-8", "surrogateescape").split("\0") if name]


def _walk(root: Path) -> Iterator[Path]:
    specs: list[tuple[Path, pathspec.PathSpec]] = []
    for folder, subfolders, names in os.walk(root):
        here = Path(folder)
        ignore_file = here / ".gitignore"
        if ignore_file.is_file():
            lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
            specs.append((here, pathspec.PathSpec.from_lines("gitignore", lines)))
        subfolders[:] = sorted(
            name
            for name in subfolders
            if name not in SKIPPED_FOLDERS and not _ignored(here / name, specs, folder=True)
        )
        for name in sorted(names):
            path = here / name
            if not _ignored(path, specs, folder=False):
                yield path.relative_to(root)


def _ignored(path: Path, specs: list[tuple[Path, pathspec.PathSpec]], folder: bool) -> bool:
    for base, spec in specs:
        try:
            relative = path.relative_to(base).as_posix()
        except ValueError:
            continue
        if spec.match_file(relative + ("/" if folder else "")):
            return True
    return False


def _indexable(root: Path, relative: Path, max_bytes: int) -> bool:
    if any(part in SKIPPED_FOLDERS for part in relative.parts[:-1]):
        return False
    path = root / relative
    try:
        resolved = path.resolve()
        if not resolved.is_relative_to(root) or not resolved.is_file():
            return False  # a symlink out of the workspace, or not a regular file
        if resolved.stat().st_size > max_bytes:
            return False
        with resolved.open("rb") as stream:
            return b"\0" not in stream.read(_BINARY_PROBE_BYTES)
    except OSError:
        return False
