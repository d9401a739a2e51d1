"""Symbolic music as event tokens: the model's vocabulary, and tunes to and from tokens.

A tune is one melody line, transposed so that its tonic is C (MIDI 60 = tonic), on a grid
of sixteenth notes. Its token sequence is

    BOS STYLE_x MODE_x METER_x TEMPO_x  BAR (POS_p PITCH_m DUR_d)*  BAR ...  EOS

Rests are the gaps between one note's end and the next note's position. Keeping the key out
of the tokens (tonic-relative pitches) lets a small model share everything it learns across
keys; the requested key is a transposition at render time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STYLES = ("folk", "chorale", "reel", "jig", "hornpipe", "air")
MODES = ("major", "minor")
# Meters whose bar fits the position grid (at most 32 sixteenths).
METERS = ("2/4", "3/4", "4/4", "2/2", "3/8", "6/8", "9/8", "12/8", "6/4", "3/2", "4/2")
TEMPOS = ("slow", "moderate", "fast")
TEMPO_EDGES = (80, 120)  # bpm (quarter notes): below 80 slow, 120 and above fast
MAX_POSITION = 32  # sixteenths in the longest bar (4/2)
MAX_DURATION = 32
LOWEST_PITCH, HIGHEST_PITCH = 48, 96  # MIDI, with the tonic at 60
TONIC = 60


def bar_sixteenths(meter: str) -> int:
    numerator, denominator = (int(part) for part in meter.split("/"))
    return numerator * 16 // denominator


def tempo_bucket(bpm: float) -> str:
    if bpm < TEMPO_EDGES[0]:
        return "slow"
    return "moderate" if bpm < TEMPO_EDGES[1] else "fast"


@dataclass(frozen=True)
class Note:
    bar: int
    position: int  # sixteenths from the bar's start
    pitch: int  # MIDI number, tonic-relative (60 = tonic)
    duration: int  # sixteenths; may run past the barline


@dataclass
class Tune:
    style: str
    mode: str
    meter: str
    tempo: str
    notes: list[Note] = field(default_factory=list)
    bars: int = 0
    source: str = ""  # where it came from, e.g. "essenFolksong/ballad10.abc#6"


class Vocabulary:
    """Token names <-> ids; the order is fixed, so ids are stable across runs."""

    def __init__(self) -> None:
        names = ["PAD", "BOS", "EOS", "BAR"]
        names += [f"STYLE_{s}" for s in STYLES]
        names += [f"MODE_{m}" for m in MODES]
        names += [f"METER_{m}" for m in METERS]
        names += [f"TEMPO_{t}" for t in TEMPOS]
        names += [f"POS_{p}" for p in range(MAX_POSITION)]
        names += [f"PITCH_{p}" for p in range(LOWEST_PITCH, HIGHEST_PITCH + 1)]
        names += [f"DUR_{d}" for d in range(1, MAX_DURATION + 1)]
        self.names: tuple[str, ...] = tuple(names)
        self.ids: dict[str, int] = {name: i for i, name in enumerate(names)}

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, name: str) -> int:
        return self.ids[name]

    def ids_with_prefix(self, prefix: str) -> list[int]:
        return [i for i, name in enumerate(self.names) if name.startswith(prefix)]

    def kind(self, token: int) -> str:
        """BAR, POS, PITCH, DUR, ... (the part of the name before the underscore)."""
        return self.names[token].split("_", 1)[0]

    def value(self, token: int) -> int:
        return int(self.names[token].split("_", 1)[1])

    def prefix(self, style: str, mode: str, meter: str, tempo: str) -> list[int]:
        return [
            self["BOS"],
            self[f"STYLE_{style}"],
            self[f"MODE_{mode}"],
            self[f"METER_{meter}"],
            self[f"TEMPO_{tempo}"],
        ]


PREFIX_LENGTH = 5


def encode(tune: Tune, vocab: Vocabulary, end: bool = True) -> list[int]:
    tokens = vocab.prefix(tune.style, tune.mode, tune.meter, tune.tempo)
    by_bar: dict[int, list[Note]] = {}
    for note in tune.notes:
        by_bar.setdefault(note.bar, []).append(note)
    for bar in range(tune.bars):
        tokens.append(vocab["BAR"])
        for note in sorted(by_bar.get(bar, []), key=lambda n: n.position):
            tokens += [
                vocab[f"POS_{note.position}"],
                vocab[f"PITCH_{note.pitch}"],
                vocab[f"DUR_{note.duration}"],
            ]
    if end:
        tokens.append(vocab["EOS"])
    return tokens


def decode(tokens: list[int], vocab: Vocabulary) -> Tune:
    """The inverse of encode; tolerant of a sequence cut anywhere."""
    conditioning = {"STYLE": "folk", "MODE": "major", "METER": "4/4", "TEMPO": "moderate"}
    notes: list[Note] = []
    bar, position, pitch = -1, 0, None
    for token in tokens:
        name = vocab.names[token]
        kind, _, value = name.partition("_")
        if kind in conditioning:
            conditioning[kind] = value
        elif kind == "BAR":
            bar += 1
        elif kind == "POS":
            position = int(value)
        elif kind == "PITCH":
            pitch = int(value)
        elif kind == "DUR" and pitch is not None and bar >= 0:
            notes.append(Note(bar, position, pitch, int(value)))
            pitch = None
        elif kind == "EOS":
            break
    return Tune(
        style=conditioning["STYLE"],
        mode=conditioning["MODE"],
        meter=conditioning["METER"],
        tempo=conditioning["TEMPO"],
        notes=notes,
        bars=bar + 1,
    )
