"""The music model measured: one JSON report.

1. Perplexity per token on the held-out test split (corpus.is_held_out), every body token
   scored once, against a unigram and add-k 3- and 5-gram baselines counted on the same
   training split (k chosen on the validation split).
2. A fixed prompt set, each rendered at `bars` bars with seed 0: the key that music21's
   Krumhansl-Schmuckler analysis finds in the written MIDI (melody track, and all tracks)
   against the requested one; the meter music21 reads back; the share of melody notes outside
   the requested scale (harmonic minor counts as in key); notes per bar; peak, RMS and
   clipped samples of the mix; seconds to compose and render.
Nothing here passes or fails.
"""

from __future__ import annotations

import io
import math
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import torch

from bench.machine import report_header
from multimodal.audio.checkpoint import WEIGHTS_PATH
from multimodal.audio.corpus import load_corpus
from multimodal.audio.dataset import IGNORE, TokenWindows, split_tunes
from multimodal.audio.events import PREFIX_LENGTH, Tune, Vocabulary, encode
from multimodal.audio.midi import midi_bytes
from multimodal.audio.music import MusicGenerator, render_stems
from multimodal.audio.prompt import NOTE_NAMES, parse_prompt
from multimodal.audio.wav import SAMPLE_RATE

PROMPTS = (
    "calm folk tune in D minor, 90 bpm",
    "cheerful folk song in F major, 2/4",
    "lively jig in G major",
    "reel in D major",
    "hornpipe in A minor",
    "slow air in E minor",
    "waltz in Bb major",
    "chorale in C major",
    "folk tune in G minor, 3/4",
    "jig in E minor",
)
SCALES = {"major": {0, 2, 4, 5, 7, 9, 11}, "minor": {0, 2, 3, 5, 7, 8, 10, 11}}


# -- perplexity ---------------------------------------------------------------------------------


def scored_tokens(tunes: list[Tune], vocab: Vocabulary) -> list[tuple[list[int], int]]:
    """(sequence, first scored index) per tune: every token after the prefix is scored."""
    return [(encode(tune, vocab), PREFIX_LENGTH) for tune in tunes]


class AddKNgram:
    """P(w | previous n-1 tokens) = (count(context, w) + k) / (count(context) + k V)."""

    def __init__(self, n: int, vocab_size: int, k: float) -> None:
        self.n, self.vocab_size, self.k = n, vocab_size, k
        self.counts: Counter[tuple[int, ...]] = Counter()
        self.context_counts: Counter[tuple[int, ...]] = Counter()

    def fit(self, sequences: list[tuple[list[int], int]]) -> AddKNgram:
        for sequence, first in sequences:
            for i in range(first, len(sequence)):
                context = tuple(sequence[max(0, i - self.n + 1) : i])
                self.counts[(*context, sequence[i])] += 1
                self.context_counts[context] += 1
        return self

    def nll(self, sequences: list[tuple[list[int], int]]) -> tuple[float, int]:
        total, count = 0.0, 0
        for sequence, first in sequences:
            for i in range(first, len(sequence)):
                context = tuple(sequence[max(0, i - self.n + 1) : i])
                numerator = self.counts[(*context, sequence[i])] + self.k
                denominator = self.context_counts[context] + self.k * self.vocab_size
                total -= math.log(numerator / denominator)
                count += 1
        return total, count


def best_ngram(n: int, train, val, vocab_size: int) -> tuple[AddKNgram, float]:
    models = [AddKNgram(n, vocab_size, k).fit(train) for k in (1.0, 0.1, 0.01, 0.001)]
    losses = [total / count for total, count in (m.nll(val) for m in models)]
    best = int(np.argmin(losses))
    return models[best], models[best].k


@torch.no_grad()
def model_nll(generator: MusicGenerator, tunes: list[Tune], vocab: Vocabulary) -> tuple[float, int]:
    windows = TokenWindows(tunes, vocab, generator.model.config.block_size).covering_windows()
    total, count = 0.0, 0
    for i in range(0, len(windows), 32):
        x = torch.from_numpy(np.stack([w[0] for w in windows[i : i + 32]]))
        y = torch.from_numpy(np.stack([w[1] for w in windows[i : i + 32]]))
        logits, _ = generator.model(x)
        total += float(
            torch.nn.functional.cross_entropy(
                logits.view(-1, logits.shape[-1]), y.view(-1), ignore_index=IGNORE, reduction="sum"
            )
        )
        count += int((y != IGNORE).sum())
    return total, count


def perplexities(generator: MusicGenerator, tunes: list[Tune]) -> dict[str, Any]:
    vocab = Vocabulary()
    parts = split_tunes(tunes)
    train, val, test = (scored_tokens(parts[name], vocab) for name in ("train", "val", "test"))
    report: dict[str, Any] = {
        "split_tunes": {name: len(part) for name, part in parts.items()},
        "test_tokens": sum(len(s) - f for s, f in test),
    }
    if not test:
        return report  # a corpus sample too small to hold out any tune
    started = time.perf_counter()
    total, count = model_nll(generator, parts["test"], vocab)
    report["model"] = round(math.exp(total / count), 3)
    report["model_seconds"] = round(time.perf_counter() - started, 1)
    unigram = AddKNgram(1, len(vocab), 1.0).fit(train)
    total, count = unigram.nll(test)
    report["unigram"] = round(math.exp(total / count), 3)
    for n in (3, 5):
        model, k = best_ngram(n, train, val, len(vocab))
        total, count = model.nll(test)
        report[f"{n}gram"] = round(math.exp(total / count), 3)
        report[f"{n}gram_k"] = k
    return report


# -- music sanity ----------------------------------------------------------------------------


def analyse_midi(data: bytes) -> dict[str, Any]:
    """What music21 reads from the MIDI file: key of the melody and of the whole, meter."""
    from music21 import converter, meter

    score = converter.parse(io.BytesIO(data).getvalue(), format="midi", forceSource=True)
    melody = score.parts[0]
    signatures = score.recurse().getElementsByClass(meter.TimeSignature)
    pitched = [
        p
        for p in score.parts
        if not any(getattr(i, "midiChannel", None) == 9 for i in p.getInstruments())
    ]
    whole = pitched[0].flatten().notes.stream()
    for part in pitched[1:]:
        for note in part.flatten().notes:
            whole.insert(note.offset, note)
    melody_key, whole_key = melody.analyze("key"), whole.analyze("key")
    return {
        "melody_key": f"{NOTE_NAMES[melody_key.tonic.pitchClass]} {melody_key.mode}",
        "arrangement_key": f"{NOTE_NAMES[whole_key.tonic.pitchClass]} {whole_key.mode}",
        "meter": signatures[0].ratioString if signatures else None,
    }


def piece_report(generator: MusicGenerator, prompt: str, bars: int) -> dict[str, Any]:
    request = parse_prompt(prompt, bars=bars, seed=0)
    started = time.perf_counter()
    piece = generator.compose(request)
    compose_seconds = time.perf_counter() - started
    started = time.perf_counter()
    audio, renderer = render_stems(piece.arrangement, "builtin")
    render_seconds = time.perf_counter() - started
    mix = audio["mix"]
    found = analyse_midi(midi_bytes(piece.arrangement))
    scale = {(request.tonic + degree) % 12 for degree in SCALES[request.mode]}
    melody = piece.arrangement.melody
    pcm = np.round(mix * 32767)
    window = SAMPLE_RATE // 2
    quiet = [
        float(np.sqrt(np.mean(mix[i : i + window] ** 2))) < 1e-3
        for i in range(0, len(mix) - window, window)
    ]
    return {
        "prompt": prompt,
        "requested": {
            "key": request.key_name,
            "meter": request.meter,
            "bpm": request.bpm,
            "style": request.style,
        },
        **found,
        "melody_key_recovered": found["melody_key"] == request.key_name,
        "arrangement_key_recovered": found["arrangement_key"] == request.key_name,
        "meter_recovered": found["meter"] == request.meter,
        "out_of_key_share": round(
            sum(e.pitch % 12 not in scale for e in melody) / max(len(melody), 1), 4
        ),
        "notes_per_bar": round(len(melody) / bars, 2),
        "peak": round(float(np.max(np.abs(mix))), 4),
        "rms": round(float(np.sqrt(np.mean(mix**2))), 4),
        "clipped_samples": int(np.sum(np.abs(pcm) >= 32767)),
        "silent_half_seconds": int(sum(quiet)),
        "seconds_audio": round(len(mix) / SAMPLE_RATE, 2),
        "compose_seconds": round(compose_seconds, 3),
        "render_seconds": round(render_seconds, 3),
        "renderer": renderer,
    }


def corpus_density(tunes: list[Tune]) -> dict[str, float]:
    """Melody notes per bar in the training corpus, per style: what the model imitates."""
    per_style: dict[str, list[float]] = {}
    for tune in tunes:
        per_style.setdefault(tune.style, []).append(len(tune.notes) / max(tune.bars, 1))
    return {style: round(float(np.mean(values)), 2) for style, values in sorted(per_style.items())}


def run_music_bench(
    prompts: int = len(PROMPTS),
    bars: int = 16,
    corpus_limit: int | None = None,
    weights: Path = WEIGHTS_PATH,
) -> dict[str, Any]:
    torch.manual_seed(0)
    generator = MusicGenerator(weights)
    tunes = load_corpus(limit=corpus_limit)
    pieces = [piece_report(generator, prompt, bars) for prompt in PROMPTS[:prompts]]
    count = max(len(pieces), 1)
    summary = {
        "pieces": len(pieces),
        "bars": bars,
        "melody_key_recovered": round(sum(p["melody_key_recovered"] for p in pieces) / count, 3),
        "arrangement_key_recovered": round(
            sum(p["arrangement_key_recovered"] for p in pieces) / count, 3
        ),
        "meter_recovered": round(sum(p["meter_recovered"] for p in pieces) / count, 3),
        "out_of_key_share_mean": round(float(np.mean([p["out_of_key_share"] for p in pieces])), 4),
        "notes_per_bar_mean": round(float(np.mean([p["notes_per_bar"] for p in pieces])), 2),
        "max_peak": max(p["peak"] for p in pieces),
        "clipped_samples": sum(p["clipped_samples"] for p in pieces),
        "silent_half_seconds": sum(p["silent_half_seconds"] for p in pieces),
        f"compose_seconds_per_{bars}_bars_mean": round(
            float(np.mean([p["compose_seconds"] for p in pieces])), 3
        ),
        "render_seconds_mean": round(float(np.mean([p["render_seconds"] for p in pieces])), 3),
    }
    return {
        **report_header("music"),
        "model": generator.sha256,
        "torch_threads": torch.get_num_threads(),
        "perplexity": perplexities(generator, tunes),
        "corpus_notes_per_bar": corpus_density(tunes),
        "summary": summary,
        "pieces": pieces,
    }
