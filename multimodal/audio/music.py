"""From a MusicRequest to finished audio: melody by the model, accompaniment by rules,
MIDI by mido, audio by the built-in synth (or FluidSynth when installed).

    generator = MusicGenerator()            # loads and verifies the shipped weights
    files = music_files(generator, parse_prompt("calm folk tune in D minor"), Path("theme.wav"))
    output.write_all(files)                 # theme.wav, theme.mid, theme.provenance.json
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from multimodal.audio.accompany import Arrangement, accompany, chord_symbol
from multimodal.audio.checkpoint import MODEL_NAME, WEIGHTS_PATH, load_model
from multimodal.audio.events import Tune
from multimodal.audio.fluid import find_fluidsynth, render_midi
from multimodal.audio.midi import midi_bytes
from multimodal.audio.prompt import MusicRequest
from multimodal.audio.sample import Cancelled, ConstrainedSampler
from multimodal.audio.synth import render
from multimodal.audio.wav import PEAK, SAMPLE_RATE, wav_bytes
from multimodal.provenance import with_provenance

STEMS = {"melody": ("melody",), "harmony": ("harmony", "bass"), "drums": ("drums",)}
_GAIN = {"melody": 1.0, "harmony": 0.33, "bass": 0.55, "drums": 0.6}
RENDERERS = ("auto", "builtin", "fluidsynth")
ACCOMPANIMENT = (
    "rule-based: chords from the melody per slot, bass on roots, a drum pattern per meter"
)
ProgressFn = Callable[[float, str], None]  # (fraction done, what is happening)


@dataclass
class Piece:
    request: MusicRequest
    tune: Tune  # tonic-relative melody as the model wrote it
    arrangement: Arrangement
    compose_seconds: float


class MusicGenerator:
    """The loaded model; one per process is enough (pieces are composed one at a time)."""

    def __init__(self, weights: Path = WEIGHTS_PATH) -> None:
        self.model, self.sha256 = load_model(weights)
        self.sampler = ConstrainedSampler(self.model)
        self.weights = weights
        self._sampling = threading.Lock()  # the sampler keeps one generation's cache

    def compose(
        self,
        request: MusicRequest,
        progress: ProgressFn | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> Piece:
        started = time.perf_counter()

        def bar_done(done: int, total: int) -> None:
            if progress:
                progress(0.9 * done / total, f"bar {done}/{total}")

        with self._sampling:
            tune = self.sampler.generate(request, bar_done, cancelled)
        return Piece(request, tune, accompany(tune, request), time.perf_counter() - started)


def _instrument(part: str, style: str) -> str:
    if part == "harmony":
        return "pad" if style in ("chorale", "air") else "pluck"
    return {"melody": "lead", "bass": "bass", "drums": "drums"}[part]


def render_stems(
    arrangement: Arrangement, renderer: str = "auto"
) -> tuple[dict[str, np.ndarray], str]:
    """Mix and stems at one shared gain (the stems add up to the mix), peak at -1 dBFS.

    A loop is exactly its bars long, with the ringing tail folded back onto its start so it
    repeats without a gap or a click; otherwise the last notes ring out.
    """
    request = arrangement.request
    seconds = arrangement.length * 60.0 / request.bpm / 4
    tools = find_fluidsynth() if renderer in ("auto", "fluidsynth") else None
    if renderer == "fluidsynth" and tools is None:
        raise RuntimeError("fluidsynth or a General MIDI soundfont is not installed")
    parts: dict[str, np.ndarray] = {}
    for stem, members in STEMS.items():
        if tools:
            parts[stem] = render_midi(midi_bytes(arrangement, members), tools, seconds)
        else:
            rendered = [
                _GAIN[m]
                * render(
                    getattr(arrangement, m),
                    _instrument(m, request.style),
                    request.bpm,
                    request.seed,
                )
                for m in members
            ]
            parts[stem] = _sum(rendered)
    length = round(seconds * SAMPLE_RATE)
    total = max(len(p) for p in parts.values())
    for stem, samples in parts.items():
        samples = np.pad(samples, (0, max(length, total) - len(samples)))
        if request.loop:
            samples = fold_tail(samples, length)
        else:
            samples[-int(0.05 * SAMPLE_RATE) :] *= np.linspace(1, 0, int(0.05 * SAMPLE_RATE))
        parts[stem] = samples
    mix = _sum(list(parts.values()))
    loudest = max(float(np.max(np.abs(s))) for s in [mix, *parts.values()])
    gain = PEAK / loudest if loudest > 0 else 1.0
    out = {"mix": mix * gain, **{stem: s * gain for stem, s in parts.items()}}
    return out, "fluidsynth" if tools else "builtin"


def fold_tail(samples: np.ndarray, length: int) -> np.ndarray:
    """Exactly `length` samples, with everything after them added back from the start."""
    folded = samples[:length].copy()
    for start in range(length, len(samples), length):
        tail = samples[start : start + length]
        folded[: len(tail)] += tail
    return folded


def _sum(arrays: list[np.ndarray]) -> np.ndarray:
    out = np.zeros(max(len(a) for a in arrays))
    for array in arrays:
        out[: len(array)] += array
    return out


def music_files(
    generator: MusicGenerator,
    request: MusicRequest,
    wav_path: Path,
    stems: bool = False,
    extra: dict[str, Any] | None = None,
    progress: ProgressFn | None = None,
    cancelled: Callable[[], bool] | None = None,
    renderer: str = "auto",
) -> dict[Path, bytes]:
    """theme.wav, theme.mid, (theme.melody.wav, theme.harmony.wav, theme.drums.wav,) and
    theme.provenance.json, as bytes: nothing is written here."""
    piece = generator.compose(request, progress, cancelled)
    if cancelled and cancelled():
        raise Cancelled
    if progress:
        progress(0.9, "rendering")
    started = time.perf_counter()
    audio, used = render_stems(piece.arrangement, renderer)
    files = {
        wav_path: wav_bytes(audio["mix"]),
        wav_path.with_suffix(".mid"): midi_bytes(piece.arrangement),
    }
    if stems:
        for stem in STEMS:
            files[wav_path.with_name(f"{wav_path.stem}.{stem}.wav")] = wav_bytes(audio[stem])
    record = {
        "generator": "genls music: melody by the model, harmony/bass/drums by rules",
        "model": MODEL_NAME,
        "weights": generator.weights.name,
        "weights_sha256": generator.sha256,
        "prompt": (extra or {}).get("prompt"),
        "seed": request.seed,
        "settings": request.as_dict(),
        "accompaniment": ACCOMPANIMENT,
        "renderer": used,
        "chords": [
            chord_symbol(request.tonic, request.mode, name) for _, name in piece.arrangement.chords
        ],
        "seconds": round(len(audio["mix"]) / SAMPLE_RATE, 3),
        "compose_seconds": round(piece.compose_seconds, 3),
        "render_seconds": round(time.perf_counter() - started, 3),
        **(extra or {}),
    }
    if progress:
        progress(1.0, "done")
    return with_provenance(files, wav_path, record)
