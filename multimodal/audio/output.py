"""Writing a set of files all or nothing: a failure or a cancel never leaves half of them."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

from multimodal.audio.errors import OutputError


def write_all(files: dict[Path, bytes]) -> list[Path]:
    """Write every file to a temporary name beside it, then rename each into place.

    Renames within one folder are atomic, so a reader sees either the old file or the new
    one; if any write fails, the temporary files are removed and nothing is replaced.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
                with os.fdopen(handle, "wb") as stream:
                    stream.write(data)
                os.chmod(temporary, 0o644)  # mkstemp makes it private; assets are shared
            except OSError as exc:
                raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from exc
            staged.append((Path(temporary), path))
        for temporary, path in staged:
            os.replace(temporary, path)
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
    return list(files)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
