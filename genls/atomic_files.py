"""Writing files so that nothing is ever half-written: each file goes to a temporary name beside
it and is renamed into place (atomic within a folder); for a set of files, all are staged first,
so a failure or a cancel replaces none of them."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path


def write_files(files: Mapping[Path, bytes]) -> None:
    """All or nothing; an existing file keeps its permissions, a new one gets 0o644.
    Raises OSError (naming the file) when one cannot be written."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
            handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            staged.append((Path(temporary), path))
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, mode)
        for temporary, path in staged:
            os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()


def write_all(files: Mapping[Path, bytes], error: type[Exception]) -> list[Path]:
    """write_files, with a failure raised as `error` in one line naming the file and why;
    the paths written, in order."""
    try:
        write_files(files)
    except OSError as exc:
        raise error(f"cannot write {exc.filename or ''}: {exc.strerror or exc}") from exc
    return list(files)


def write_text(path: Path, text: str) -> None:
    write_files({path: text.encode("utf-8")})
