"""Asset files as bytes, ready for output.write_all: the WAV (and MIDI, stems) plus a
provenance sidecar that says how they were made (generator, weights sha256, prompt, seed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from multimodal.audio.sfx import generate_sfx
from multimodal.audio.wav import SAMPLE_RATE, wav_bytes
from multimodal.provenance import with_provenance


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
    return with_provenance({wav_path: wav_bytes(samples)}, wav_path, record)
