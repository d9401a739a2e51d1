"""Accompaniment by rules over the generated melody: chords, a bass line and a drum pattern.

The model writes only the melody. Each harmonic slot (a bar, or half a bar in long meters)
gets the diatonic triad that best covers the melody notes sounding in it, weighted by how
long they sound and whether they fall on the slot's downbeat, with a pull toward I, IV and V,
a dominant before the final bar and the tonic at the end (a loop ends on the dominant, which
leads back to the start). Bass and drums follow the meter's beats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from multimodal.audio.events import TONIC, Tune, bar_sixteenths
from multimodal.audio.prompt import NOTE_NAMES, MusicRequest

# (name, tonic-relative pitch classes of root, third, fifth), the tonic triad first.
CHORDS = {
    "major": (
        ("I", (0, 4, 7)), ("ii", (2, 5, 9)), ("iii", (4, 7, 11)),
        ("IV", (5, 9, 0)), ("V", (7, 11, 2)), ("vi", (9, 0, 4)),
    ),
    "minor": (
        ("i", (0, 3, 7)), ("III", (3, 7, 10)), ("iv", (5, 8, 0)),
        ("V", (7, 11, 2)), ("v", (7, 10, 2)), ("VI", (8, 0, 3)), ("VII", (10, 2, 5)),
    ),
}  # fmt: skip
_PREFERENCE = {"I": 0.6, "i": 0.6, "IV": 0.3, "iv": 0.3, "V": 0.4, "VI": 0.1, "vi": 0.1}
KICK, SNARE, CLOSED_HAT = 36, 38, 42  # General MIDI percussion keys
SUSTAINED_STYLES = ("chorale", "air")  # held chords; the dance styles get oom-pah


@dataclass(frozen=True)
class Event:
    start: int  # sixteenths from the start of the piece
    duration: int  # sixteenths
    pitch: int  # MIDI
    velocity: int = 90


@dataclass
class Arrangement:
    request: MusicRequest
    melody: list[Event] = field(default_factory=list)
    harmony: list[Event] = field(default_factory=list)
    bass: list[Event] = field(default_factory=list)
    drums: list[Event] = field(default_factory=list)
    chords: list[tuple[int, str]] = field(default_factory=list)  # (start, roman numeral)

    @property
    def bar_length(self) -> int:
        return bar_sixteenths(self.request.meter)

    @property
    def length(self) -> int:
        return self.request.bars * self.bar_length


def beats(meter: str) -> tuple[int, int]:
    """(beats per bar, sixteenths per beat): compound meters count dotted beats."""
    numerator, denominator = (int(part) for part in meter.split("/"))
    if denominator == 8 and numerator % 3 == 0 and numerator > 3:
        return numerator // 3, 6
    return numerator, 16 // denominator


def key_shift(tonic: int) -> int:
    """Semitones from C to the requested tonic, kept within a tritone so the range holds."""
    return tonic if tonic <= 6 else tonic - 12


def choose_chords(tune: Tune, slot: int, length: int, loop: bool) -> list[tuple[int, str]]:
    bar_length = bar_sixteenths(tune.meter)
    notes = [
        (n.bar * bar_length + n.position, n.duration, (n.pitch - TONIC) % 12) for n in tune.notes
    ]
    chosen: list[tuple[int, str]] = []
    slots = list(range(0, length, slot))
    for index, start in enumerate(slots):
        end = start + slot
        scores = {}
        for name, tones in CHORDS[tune.mode]:
            score = _PREFERENCE.get(name, 0.0)
            for onset, duration, pitch_class in notes:
                overlap = min(end, onset + duration) - max(start, onset)
                if overlap <= 0:
                    continue
                weight = overlap / 4 * (2.0 if onset == start else 1.0)
                score += weight * (1.0 if pitch_class in tones else -0.7)
                if onset == start and pitch_class == tones[0]:
                    score += 0.5
            scores[name] = score
        if index == len(slots) - 1:
            wanted = "V" if loop else CHORDS[tune.mode][0][0]
            scores[wanted] += 100
        elif index == len(slots) - 2 and not loop:
            scores["V"] += 1.5
        chosen.append((start, max(scores, key=lambda name: scores[name])))
    return chosen


def accompany(tune: Tune, request: MusicRequest) -> Arrangement:
    """The melody in the requested key plus rule-based harmony, bass and drums."""
    arrangement = Arrangement(request=request)
    shift = key_shift(request.tonic)
    bar_length = bar_sixteenths(request.meter)
    length = request.bars * bar_length
    arrangement.melody = [
        Event(n.bar * bar_length + n.position, n.duration, n.pitch + shift, 96)
        for n in tune.notes
        if n.bar < request.bars
    ]
    count, beat = beats(request.meter)
    slot = bar_length // 2 if count >= 4 and count % 2 == 0 else bar_length
    arrangement.chords = choose_chords(tune, slot, length, request.loop)
    tones = dict(CHORDS[tune.mode])
    sustained = request.style in SUSTAINED_STYLES
    for start, name in arrangement.chords:
        root, third, fifth = (TONIC + shift + pc for pc in tones[name])
        voicing = sorted(_into_range(p, 53, 65) for p in (root, third, fifth))
        bass_root = _into_range(root, 36, 47)
        slot_beats = range(start, min(start + slot, length), beat)
        for i, onset in enumerate(slot_beats):
            if i == 0:
                arrangement.bass.append(Event(onset, beat, bass_root, 92))
            elif not sustained and i == len(slot_beats) // 2 and len(slot_beats) >= 2:
                arrangement.bass.append(Event(onset, beat, _into_range(fifth, 36, 47), 80))
            if sustained and i == 0:
                duration = min(slot, length - start)
                arrangement.harmony += [Event(onset, duration, p, 60) for p in voicing]
            elif not sustained and (i > 0 or len(slot_beats) == 1):
                arrangement.harmony += [Event(onset, max(1, beat * 3 // 4), p, 66) for p in voicing]
    arrangement.drums = drum_pattern(request, length, bar_length, count, beat)
    return arrangement


def drum_pattern(
    request: MusicRequest, length: int, bar_length: int, count: int, beat: int
) -> list[Event]:
    """Kick on the downbeat (and mid-bar in 4), snare on the backbeats, hats on the pulse;
    the sustained styles keep only a soft kick and hats."""
    soft = request.style in SUSTAINED_STYLES
    hat_step = beat // 3 if beat == 6 else max(1, beat // 2)
    events = []
    for bar_start in range(0, length, bar_length):
        for i in range(count):
            onset = bar_start + i * beat
            if i == 0 or (count == 4 and i == 2 and not soft):
                events.append(Event(onset, 1, KICK, 70 if soft else 100))
            elif not soft and count in (2, 4) and i % 2 == 1:
                events.append(Event(onset, 1, SNARE, 90))
        for onset in range(bar_start, bar_start + bar_length, hat_step):
            accent = (onset - bar_start) % beat == 0
            events.append(Event(onset, 1, CLOSED_HAT, (55 if accent else 40) - (15 if soft else 0)))
    return events


def _into_range(pitch: int, low: int, high: int) -> int:
    while pitch < low:
        pitch += 12
    while pitch > high:
        pitch -= 12
    return pitch


def chord_symbol(tonic: int, mode: str, numeral: str) -> str:
    """A roman numeral as a chord name in the key: ("V" in D major) -> "A"."""
    tones = dict(CHORDS[mode])[numeral]
    root = NOTE_NAMES[(tonic + tones[0]) % 12]
    return root + ("m" if tones[1] - tones[0] in (3, -9) else "")
