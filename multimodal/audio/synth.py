"""A small built-in synthesiser (numpy only): additive instruments with envelopes, and
synthetic drums. Renders accompany.Event lists to mono float samples at 44.1 kHz."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from multimodal.audio.accompany import CLOSED_HAT, KICK, SNARE, Event
from multimodal.audio.wav import SAMPLE_RATE


@dataclass(frozen=True)
class Instrument:
    harmonics: tuple[float, ...]  # amplitude of partials 1, 2, 3, ...
    attack_s: float
    decay_s: float
    sustain: float  # level after the decay, 0..1
    release_s: float
    vibrato: float = 0.0  # fraction of the frequency, after the attack
    pluck: float = 0.0  # exponential fade rate while held (1/s): plucked strings fade


INSTRUMENTS = {
    "lead": Instrument((1.0, 0.5, 0.32, 0.18, 0.1, 0.06), 0.02, 0.12, 0.75, 0.09, vibrato=0.004),
    "pad": Instrument((1.0, 0.0, 0.11, 0.0, 0.04), 0.06, 0.2, 0.8, 0.25),
    "pluck": Instrument((1.0, 0.6, 0.3, 0.15, 0.08), 0.005, 0.08, 0.6, 0.12, pluck=4.0),
    "bass": Instrument((1.0, 0.45, 0.15), 0.01, 0.1, 0.8, 0.07),
}


def midi_hz(pitch: int) -> float:
    return 440.0 * 2 ** ((pitch - 69) / 12)


def note_samples(instrument: Instrument, pitch: int, seconds: float, velocity: int) -> np.ndarray:
    """One note including its release, so it may be longer than `seconds`."""
    t = np.arange(int((seconds + instrument.release_s) * SAMPLE_RATE)) / SAMPLE_RATE
    hz = midi_hz(pitch)
    phase = 2 * np.pi * hz * t
    if instrument.vibrato:
        depth = instrument.vibrato * np.clip((t - 0.15) / 0.2, 0, 1)  # vibrato grows in
        phase = phase + depth * hz / 5.5 * np.sin(2 * np.pi * 5.5 * t)
    wave = np.zeros_like(t)
    for number, amplitude in enumerate(instrument.harmonics, start=1):
        if amplitude and hz * number < SAMPLE_RATE / 2:
            wave += amplitude * np.sin(number * phase)
    return wave * envelope(instrument, t, seconds) * (velocity / 127)


def envelope(instrument: Instrument, t: np.ndarray, held_s: float) -> np.ndarray:
    attack = np.clip(t / instrument.attack_s, 0, 1)
    decay = 1 - (1 - instrument.sustain) * np.clip(
        (t - instrument.attack_s) / instrument.decay_s, 0, 1
    )
    level = attack * decay * np.exp(-instrument.pluck * t)
    release = np.clip(1 - (t - held_s) / instrument.release_s, 0, 1)
    return level * release


def drum_samples(key: int, velocity: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.4 * SAMPLE_RATE)) / SAMPLE_RATE
    if key == KICK:  # a sine falling from 120 to 45 Hz
        hz = 45 + 75 * np.exp(-t / 0.03)
        sound = np.sin(2 * np.pi * np.cumsum(hz) / SAMPLE_RATE) * np.exp(-t / 0.12)
    elif key == SNARE:  # noise plus a short body tone
        noise = np.diff(rng.uniform(-1, 1, len(t) + 1))  # differenced: brighter
        sound = 0.7 * noise * np.exp(-t / 0.06) + 0.5 * np.sin(2 * np.pi * 185 * t) * np.exp(
            -t / 0.04
        )
    elif key == CLOSED_HAT:
        noise = np.diff(rng.uniform(-1, 1, len(t) + 2), n=2)
        sound = 0.35 * noise * np.exp(-t / 0.015)
    else:
        return np.zeros(0)
    return sound * (velocity / 127)


def render(events: list[Event], instrument: str, bpm: int, seed: int = 0) -> np.ndarray:
    """The events as samples; the buffer extends past the last note by its release tail."""
    sixteenth_s = 60.0 / bpm / 4
    rng = np.random.default_rng(seed)
    pieces: list[tuple[int, np.ndarray]] = []
    for event in events:
        start = round(event.start * sixteenth_s * SAMPLE_RATE)
        if instrument == "drums":
            sound = drum_samples(event.pitch, event.velocity, rng)
        else:
            seconds = event.duration * sixteenth_s
            sound = note_samples(INSTRUMENTS[instrument], event.pitch, seconds, event.velocity)
        pieces.append((start, sound))
    length = max((start + len(sound) for start, sound in pieces), default=0)
    out = np.zeros(length)
    for start, sound in pieces:
        out[start : start + len(sound)] += sound
    return out
