"""Writing a set of files all or nothing: a failure or a cancel never leaves half of them."""

from __future__ import annotations

from pathlib import Path

from genls.atomic_files import write_files
from multimodal.audio.errors import OutputError


def write_all(files: dict[Path, bytes]) -> list[Path]:
    """Every file, or none of them (genls.atomic_files)."""
    try:
        write_files(files)
    except OSError as exc:
        raise OutputError(f"cannot write {exc.filename or ''}: {exc.strerror or exc}") from exc
    return list(files)
