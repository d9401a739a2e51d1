"""The provenance sidecar every generated asset gets (images, music, sound effects): how it
was made (the caller's record: generator, weights sha256, prompt, seed, ...) and each file's
name, sha256 and size, in `<main file's stem>.provenance.json` beside the files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any


def sidecar_path(main_file: Path) -> Path:
    """theme.wav -> theme.provenance.json, beside it."""
    return main_file.with_name(f"{main_file.stem}.provenance.json")


def with_provenance(
    files: dict[Path, bytes], main_file: Path, record: dict[str, Any]
) -> dict[Path, bytes]:
    """`files` plus their sidecar."""
    listed = {
        path.name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for path, data in files.items()
    }
    text = json.dumps({**record, "files": listed}, indent=2) + "\n"
    return {**files, sidecar_path(main_file): text.encode()}
