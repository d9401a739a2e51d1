"""Rendering MIDI with FluidSynth and a General MIDI soundfont, when both are installed
(Debian: fluidsynth, timgm6mb-soundfont). Never required: the built-in synth is the fallback."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from multimodal.audio.wav import SAMPLE_RATE, read_wav

SOUNDFONTS = (
    "/usr/share/sounds/sf2/TimGM6mb.sf2",
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/default.sf2",
)


def find_fluidsynth() -> tuple[str, str] | None:
    """(fluidsynth binary, soundfont path), or None when either is missing."""
    binary = shutil.which("fluidsynth")
    soundfont = next((path for path in SOUNDFONTS if Path(path).is_file()), None)
    return (binary, soundfont) if binary and soundfont else None


def render_midi(midi: bytes, tools: tuple[str, str], seconds: float) -> np.ndarray:
    """Mono samples of the MIDI file, cut or padded to `seconds` (plus what rings on)."""
    binary, soundfont = tools
    with tempfile.TemporaryDirectory(prefix="genls-fluid-") as folder:
        source, target = Path(folder) / "in.mid", Path(folder) / "out.wav"
        source.write_bytes(midi)
        subprocess.run(
            [binary, "-ni", "-q", "-g", "0.6", "-r", str(SAMPLE_RATE), "-F", str(target),
             soundfont, str(source)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        samples, _ = read_wav(target.read_bytes())
    mono = samples.mean(axis=1) if samples.ndim == 2 else samples
    return mono[: int((seconds + 2.0) * SAMPLE_RATE)]
