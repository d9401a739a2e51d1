"""16-bit PCM WAV bytes from float samples, normalised to a fixed peak without clipping."""

from __future__ import annotations

import io
import wave

import numpy as np

SAMPLE_RATE = 44_100
PEAK = 10 ** (-1 / 20)  # -1 dBFS: headroom for players' resampling filters


def normalise(samples: np.ndarray, peak: float = PEAK) -> np.ndarray:
    """Scale so the loudest sample sits at `peak`; silence stays silence."""
    loudest = float(np.max(np.abs(samples))) if samples.size else 0.0
    if loudest == 0.0:
        return samples.astype(np.float64)
    return samples.astype(np.float64) * (peak / loudest)


def wav_bytes(samples: np.ndarray, rate: int = SAMPLE_RATE) -> bytes:
    """Mono (n,) or stereo (n, 2) floats in [-1, 1] as a 16-bit WAV file."""
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    pcm = np.clip(np.round(samples * 32767.0), -32767, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(pcm.tobytes())
    return buffer.getvalue()


def read_wav(data: bytes) -> tuple[np.ndarray, int]:
    """(samples in [-1, 1] shaped (n,) or (n, channels), rate) from 16-bit WAV bytes."""
    with wave.open(io.BytesIO(data), "rb") as reader:
        if reader.getsampwidth() != 2:
            raise ValueError("only 16-bit WAV is supported")
        frames = reader.readframes(reader.getnframes())
        channels, rate = reader.getnchannels(), reader.getframerate()
    samples = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32767.0
    return (samples if channels == 1 else samples.reshape(-1, channels)), rate
