"""Sound effects: valid WAVs, seeded, and each kind sounds like what its name promises."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from multimodal.audio.assets import sfx_files
from multimodal.audio.output import OutputError, write_all
from multimodal.audio.sfx import KINDS, generate_sfx
from multimodal.audio.wav import PEAK, SAMPLE_RATE, read_wav, wav_bytes

SEEDS = (0, 1, 7)


def dominant_hz(samples: np.ndarray) -> float:
    """The strongest frequency above 50 Hz: the fundamental of these bright waves."""
    size = max(16384, len(samples))
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples)), size))
    frequencies = np.fft.rfftfreq(size, 1 / SAMPLE_RATE)
    spectrum[frequencies < 50] = 0
    return float(frequencies[np.argmax(spectrum)])


def periodicity(samples: np.ndarray) -> float:
    """Highest normalised autocorrelation at lags of 1-20 ms: ~1 for a tone, low for noise."""
    window = samples[:8192] - np.mean(samples[:8192])
    correlation = np.correlate(window, window, mode="full")[len(window) - 1 :]
    lags = slice(int(0.001 * SAMPLE_RATE), int(0.02 * SAMPLE_RATE))
    return float(np.max(correlation[lags]) / correlation[0])


def pitch_at(samples: np.ndarray, start: float, end: float) -> float:
    return dominant_hz(samples[int(len(samples) * start) : int(len(samples) * end)])


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_is_a_valid_short_unclipped_wav(kind):
    samples, _ = generate_sfx(kind, seed=3)
    data = wav_bytes(samples)
    assert data[:4] == b"RIFF" and data[8:16] == b"WAVEfmt "
    decoded, rate = read_wav(data)
    assert rate == 44_100 and decoded.ndim == 1
    assert 0.05 <= len(decoded) / rate <= 2.0
    peak = np.max(np.abs(decoded))
    assert 0.5 < peak <= PEAK + 1e-4  # loud, with headroom below full scale
    assert np.sqrt(np.mean(decoded**2)) > 0.05  # not a click in silence


@pytest.mark.parametrize("kind", KINDS)
def test_a_seed_reproduces_exactly_and_other_seeds_differ(kind):
    first, params = generate_sfx(kind, seed=5)
    again, params_again = generate_sfx(kind, seed=5)
    assert params == params_again and np.array_equal(first, again)
    other, other_params = generate_sfx(kind, seed=6)
    assert other_params != params
    assert len(other) != len(first) or not np.allclose(other, first, atol=0.01)


def test_kinds_differ_from_each_other():
    sounds = {kind: generate_sfx(kind, seed=0)[0] for kind in KINDS}
    for a in KINDS:
        for b in KINDS:
            if a < b:
                length = min(len(sounds[a]), len(sounds[b]))
                assert not np.allclose(sounds[a][:length], sounds[b][:length], atol=0.05)


@pytest.mark.parametrize("seed", SEEDS)
def test_laser_and_hit_fall_while_jump_and_powerup_rise(seed):
    for kind in ("laser", "hit"):
        samples, params = generate_sfx(kind, seed)
        if params.wave != "noise":
            assert pitch_at(samples, 0.0, 0.2) > 1.2 * pitch_at(samples, 0.6, 0.9), kind
    jump, _ = generate_sfx("jump", seed)
    assert pitch_at(jump, 0.6, 0.9) > 1.2 * pitch_at(jump, 0.0, 0.2)
    powerup, params = generate_sfx("powerup", seed)
    step = int(params.repeat_s * SAMPLE_RATE)  # rises within each repeated step
    assert pitch_at(powerup[:step], 0.6, 1.0) > pitch_at(powerup[:step], 0.0, 0.4)


@pytest.mark.parametrize("seed", SEEDS)
def test_explosion_is_noise_and_blip_is_a_tone(seed):
    explosion, _ = generate_sfx("explosion", seed)
    blip, _ = generate_sfx("blip", seed)
    assert periodicity(explosion) < 0.6 < 0.9 < periodicity(blip)
    assert len(explosion) > 2 * len(blip)  # a boom lasts, a blip does not


@pytest.mark.parametrize("seed", SEEDS)
def test_coin_jumps_up_to_a_second_note(seed):
    samples, params = generate_sfx("coin", seed)
    cut = int(params.arp_s * SAMPLE_RATE)
    first, second = dominant_hz(samples[:cut]), dominant_hz(samples[cut : cut + 2048])
    assert second == pytest.approx(first * params.arp_ratio, rel=0.15)


def test_files_come_with_a_provenance_sidecar(tmp_path):
    path = tmp_path / "sfx" / "coin.wav"
    written = write_all(sfx_files("coin", 4, path, {"genls_version": "test"}))
    sidecar = json.loads((tmp_path / "sfx" / "coin.provenance.json").read_text())
    assert written == [path, tmp_path / "sfx" / "coin.provenance.json"]
    assert sidecar["kind"] == "coin" and sidecar["seed"] == 4
    assert sidecar["genls_version"] == "test" and sidecar["parameters"]["wave"] in ("square", "saw")
    import hashlib

    assert sidecar["files"]["coin.wav"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sorted(p.name for p in path.parent.iterdir()) == ["coin.provenance.json", "coin.wav"]


def test_an_unwritable_folder_is_a_clear_error_and_writes_nothing(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("a file, not a folder")
    with pytest.raises(OutputError, match="cannot write"):
        write_all(sfx_files("blip", 0, blocker / "blip.wav"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_the_cli_writes_the_wav_and_sidecar(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "genls", "sfx", "jump", "--seed", "2", "-o", "jump.wav"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["jump.wav", "jump.provenance.json"]
    decoded, rate = read_wav((tmp_path / "jump.wav").read_bytes())
    assert rate == 44_100 and len(decoded) > 0.1 * rate


def test_written_assets_are_readable_by_others(tmp_path):
    (path,) = write_all({tmp_path / "a.wav": b"RIFF"})
    assert path.stat().st_mode & 0o777 == 0o644
