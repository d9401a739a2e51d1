"""Asset files as bytes, ready for output.write_all: the WAV (and MIDI, stems) plus a
provenance sidecar that says how they were made (generator, weights sha256, prompt, seed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from multimodal.audio.sfx import generate_sfx
from multimodal.audio.wav import SAMPLE_RATE, wav_bytes


def sidecar_path(main_file: Path) -> Path:
    """theme.wav -> theme.provenance.json, beside it."""
    return main_file.with_name(f"{main_file.stem}.provenance.json")


def provenance(
    files: dict[Path, bytes], main_file: Path, record: dict[str, Any]
) -> dict[Path, bytes]:
    """`files` plus their sidecar: `record` and each file's name and sha256."""
    listed = {
        path.name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for path, data in files.items()
    }
    document = {**record, "files": listed}
    text = json.dumps(document, indent=2, sort_keys=False) + "\n"
    return {**files, sidecar_path(main_file): text.encode()}


def sfx_files(
    kind: str, seed: int, wav_path: Path, extra: dict[str, Any] | None = None
) -> dict[Path, bytes]:
    samples, params = generate_sfx(kind, seed)
    record = {
        "generator": "genls sfxr-style synthesiser (procedural, no model)",
        "kind": kind,
        "seed": seed,
        "sample_rate": SAMPLE_RATE,
        "seconds": round(len(samples) / SAMPLE_RATE, 3),
        "parameters": params.as_dict(),
        **(extra or {}),
    }
    return provenance({wav_path: wav_bytes(samples)}, wav_path, record)
