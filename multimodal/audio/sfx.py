"""Classic game sound effects, synthesised the sfxr way: one oscillator whose pitch slides,
wobbles and jumps, shaped by an attack-sustain-decay envelope and simple filters.

Each kind is a recipe that draws its parameters from a seeded generator, so a seed names one
exact sound and another seed gives a sibling of it (after DrPetter's sfxr presets).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from multimodal.audio.wav import SAMPLE_RATE, normalise

WAVES = ("square", "saw", "sine", "triangle", "noise")


@dataclass(frozen=True)
class SfxParams:
    wave: str
    start_hz: float
    slide: float = 0.0  # octaves per second (negative: falling)
    slide_accel: float = 0.0  # octaves per second squared
    min_hz: float = 20.0  # a falling sound ends here
    vibrato_depth: float = 0.0  # fraction of the frequency
    vibrato_hz: float = 0.0
    arp_ratio: float = 1.0  # frequency multiplier after arp_s (a coin's second note)
    arp_s: float = 0.0
    repeat_s: float = 0.0  # restart the pitch slide every repeat_s (a power-up's steps)
    duty: float = 0.5  # square wave
    duty_sweep: float = 0.0  # per second
    attack_s: float = 0.0
    sustain_s: float = 0.1
    punch: float = 0.0  # extra loudness at the start of the sustain
    decay_s: float = 0.1
    lowpass_hz: float = 0.0  # 0: off
    highpass_hz: float = 0.0  # 0: off

    def as_dict(self) -> dict[str, float | str]:
        return {key: round(v, 5) if isinstance(v, float) else v for key, v in asdict(self).items()}


def _coin(rng: np.random.Generator) -> SfxParams:
    return SfxParams(
        wave=str(rng.choice(["square", "saw"])),
        start_hz=float(rng.uniform(800, 1600)),
        arp_ratio=float(rng.uniform(1.3, 1.7)),
        arp_s=float(rng.uniform(0.04, 0.1)),
        duty=float(rng.uniform(0.2, 0.5)),
        sustain_s=float(rng.uniform(0.06, 0.15)),
        punch=float(rng.uniform(0.3, 0.6)),
        decay_s=float(rng.uniform(0.1, 0.3)),
    )


def _laser(rng: np.random.Generator) -> SfxParams:
    start = float(rng.uniform(900, 2500))
    return SfxParams(
        wave=str(rng.choice(["square", "saw", "sine"])),
        start_hz=start,
        slide=float(rng.uniform(-9, -4)),
        min_hz=float(rng.uniform(80, 250)),
        duty=float(rng.uniform(0.2, 0.5)),
        duty_sweep=float(rng.uniform(-0.5, 0.5)),
        sustain_s=float(rng.uniform(0.05, 0.15)),
        punch=float(rng.uniform(0.0, 0.4)),
        decay_s=float(rng.uniform(0.08, 0.2)),
        highpass_hz=float(rng.uniform(0, 200)),
    )


def _explosion(rng: np.random.Generator) -> SfxParams:
    return SfxParams(
        wave="noise",
        start_hz=float(rng.uniform(300, 1200)),
        slide=float(rng.uniform(-1.5, -0.3)),
        vibrato_depth=float(rng.uniform(0, 0.3)),
        vibrato_hz=float(rng.uniform(5, 20)),
        sustain_s=float(rng.uniform(0.1, 0.3)),
        punch=float(rng.uniform(0.3, 0.8)),
        decay_s=float(rng.uniform(0.3, 0.8)),
        lowpass_hz=float(rng.uniform(1500, 5000)),
    )


def _powerup(rng: np.random.Generator) -> SfxParams:
    return SfxParams(
        wave=str(rng.choice(["square", "saw"])),
        start_hz=float(rng.uniform(250, 600)),
        slide=float(rng.uniform(2, 5)),
        repeat_s=float(rng.uniform(0.08, 0.16)),
        vibrato_depth=float(rng.uniform(0, 0.05)),
        vibrato_hz=float(rng.uniform(8, 15)),
        duty=float(rng.uniform(0.3, 0.5)),
        sustain_s=float(rng.uniform(0.25, 0.45)),
        decay_s=float(rng.uniform(0.1, 0.3)),
    )


def _hit(rng: np.random.Generator) -> SfxParams:
    return SfxParams(
        wave=str(rng.choice(["square", "saw", "noise"])),
        start_hz=float(rng.uniform(300, 900)),
        slide=float(rng.uniform(-8, -3.5)),
        min_hz=float(rng.uniform(40, 100)),
        duty=float(rng.uniform(0.3, 0.5)),
        sustain_s=float(rng.uniform(0.02, 0.07)),
        punch=float(rng.uniform(0.2, 0.6)),
        decay_s=float(rng.uniform(0.08, 0.2)),
        highpass_hz=float(rng.uniform(0, 300)),
    )


def _jump(rng: np.random.Generator) -> SfxParams:
    return SfxParams(
        wave="square",
        start_hz=float(rng.uniform(200, 450)),
        slide=float(rng.uniform(2.5, 5.0)),
        duty=float(rng.uniform(0.2, 0.5)),
        sustain_s=float(rng.uniform(0.1, 0.2)),
        decay_s=float(rng.uniform(0.08, 0.2)),
        highpass_hz=float(rng.uniform(0, 150)),
    )


def _blip(rng: np.random.Generator) -> SfxParams:
    return SfxParams(
        wave=str(rng.choice(["square", "sine", "triangle"])),
        start_hz=float(rng.uniform(500, 1400)),
        duty=float(rng.uniform(0.3, 0.5)),
        sustain_s=float(rng.uniform(0.03, 0.08)),
        decay_s=float(rng.uniform(0.02, 0.06)),
    )


RECIPES: dict[str, Callable[[np.random.Generator], SfxParams]] = {
    "coin": _coin,
    "jump": _jump,
    "laser": _laser,
    "explosion": _explosion,
    "hit": _hit,
    "powerup": _powerup,
    "blip": _blip,
}
KINDS = tuple(RECIPES)


def params_for(kind: str, seed: int) -> SfxParams:
    if kind not in RECIPES:
        raise ValueError(f"unknown sound effect {kind!r}; choose one of: {', '.join(KINDS)}")
    return RECIPES[kind](np.random.default_rng(seed))


def frequency_curve(params: SfxParams, t: np.ndarray) -> np.ndarray:
    """Hz at each sample time: slide (restarted every repeat_s), arpeggio, vibrato."""
    slide_t = np.mod(t, params.repeat_s) if params.repeat_s > 0 else t
    octaves = params.slide * slide_t + 0.5 * params.slide_accel * slide_t**2
    hz = params.start_hz * np.exp2(octaves)
    if params.arp_s > 0:
        hz = np.where(t >= params.arp_s, hz * params.arp_ratio, hz)
    if params.vibrato_depth > 0:
        hz = hz * (1 + params.vibrato_depth * np.sin(2 * np.pi * params.vibrato_hz * t))
    return hz


def envelope(params: SfxParams, t: np.ndarray) -> np.ndarray:
    attack, sustain, decay = params.attack_s, params.sustain_s, params.decay_s
    rise = np.clip(t / attack, 0, 1) if attack > 0 else np.ones_like(t)
    in_sustain = (t >= attack) & (t < attack + sustain)
    punch = 1 + params.punch * (1 - (t - attack) / max(sustain, 1e-9))
    fall = np.clip(1 - (t - attack - sustain) / max(decay, 1e-9), 0, 1)
    return np.where(t < attack, rise, np.where(in_sustain, punch, fall))


def oscillator(
    params: SfxParams, hz: np.ndarray, t: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    phase = np.cumsum(hz) / SAMPLE_RATE
    cycle = np.mod(phase, 1.0)
    if params.wave == "square":
        duty = np.clip(params.duty + params.duty_sweep * t, 0.05, 0.95)
        return np.where(cycle < duty, 1.0, -1.0)
    if params.wave == "saw":
        return 2 * cycle - 1
    if params.wave == "sine":
        return np.sin(2 * np.pi * phase)
    if params.wave == "triangle":
        return 1 - 4 * np.abs(cycle - 0.5)
    # noise: a new random value 8 times per cycle, so the "pitch" sets its colour
    steps = np.floor(phase * 8).astype(np.int64)
    values = rng.uniform(-1, 1, size=int(steps[-1]) + 1)
    return values[steps]


def one_pole(samples: np.ndarray, cutoff_hz: float, highpass: bool) -> np.ndarray:
    from scipy.signal import lfilter  # imported here: `genls --help` need not load scipy

    alpha = 1 - np.exp(-2 * np.pi * cutoff_hz / SAMPLE_RATE)
    low = lfilter([alpha], [1, alpha - 1], samples)
    return samples - low if highpass else low


def synthesise(params: SfxParams, seed: int) -> np.ndarray:
    """Mono samples at 44.1 kHz, normalised to -1 dBFS."""
    length = params.attack_s + params.sustain_s + params.decay_s
    t = np.arange(int(length * SAMPLE_RATE)) / SAMPLE_RATE
    hz = frequency_curve(params, t)
    if params.slide < 0 and (below := np.flatnonzero(hz < params.min_hz)).size:
        t, hz = t[: below[0]], hz[: below[0]]  # sfxr ends a falling sound at its floor
    samples = oscillator(params, hz, t, np.random.default_rng(seed)) * envelope(params, t)
    if params.lowpass_hz > 0:
        samples = one_pole(samples, params.lowpass_hz, highpass=False)
    if params.highpass_hz > 0:
        samples = one_pole(samples, params.highpass_hz, highpass=True)
    fade = min(len(samples), int(0.004 * SAMPLE_RATE))  # no click at the cut
    samples[len(samples) - fade :] *= np.linspace(1, 0, fade)
    return normalise(samples)


def generate_sfx(kind: str, seed: int = 0) -> tuple[np.ndarray, SfxParams]:
    params = params_for(kind, seed)
    return synthesise(params, seed), params
