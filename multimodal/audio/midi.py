"""A Standard MIDI File (type 1) of an arrangement, written with mido."""

from __future__ import annotations

import io

import mido

from multimodal.audio.accompany import Arrangement, Event
from multimodal.audio.prompt import NOTE_NAMES

TICKS_PER_SIXTEENTH = 120  # 480 ticks per quarter note
DRUM_CHANNEL = 9
# General MIDI programs (0-based) per style: melody, harmony, bass.
PROGRAMS = {
    "folk": (73, 24, 32),  # flute, nylon guitar, acoustic bass
    "chorale": (19, 19, 32),  # church organ
    "reel": (40, 24, 32),  # violin
    "jig": (40, 24, 32),
    "hornpipe": (40, 24, 32),
    "air": (73, 48, 32),  # flute over strings
}


def key_signature_name(tonic: int, mode: str) -> str:
    """mido's name for the key: 'D', 'Bbm', 'F#m' (every NOTE_NAMES spelling is valid)."""
    return NOTE_NAMES[tonic] + ("m" if mode == "minor" else "")


def _track(name: str, channel: int, program: int | None, events: list[Event]) -> mido.MidiTrack:
    track = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
    if program is not None:
        track.append(mido.Message("program_change", channel=channel, program=program, time=0))
    timeline: list[tuple[int, int, mido.Message]] = []
    for event in events:
        on = event.start * TICKS_PER_SIXTEENTH
        off = on + max(1, event.duration) * TICKS_PER_SIXTEENTH - 1
        # offs sort before ons at the same tick, so a repeated pitch is re-struck cleanly
        timeline.append(
            (
                on,
                1,
                mido.Message("note_on", channel=channel, note=event.pitch, velocity=event.velocity),
            )
        )
        timeline.append(
            (off, 0, mido.Message("note_off", channel=channel, note=event.pitch, velocity=0))
        )
    now = 0
    for tick, _, message in sorted(timeline, key=lambda item: (item[0], item[1])):
        track.append(message.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def midi_file(
    arrangement: Arrangement, parts: tuple[str, ...] = ("melody", "harmony", "bass", "drums")
) -> mido.MidiFile:
    request = arrangement.request
    numerator, denominator = (int(x) for x in request.meter.split("/"))
    conductor = mido.MidiTrack(
        [
            mido.MetaMessage(
                "track_name", name=f"genls {request.style} in {request.key_name}", time=0
            ),
            mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(request.bpm), time=0),
            mido.MetaMessage(
                "time_signature", numerator=numerator, denominator=denominator, time=0
            ),
            mido.MetaMessage(
                "key_signature", key=key_signature_name(request.tonic, request.mode), time=0
            ),
            mido.MetaMessage("end_of_track", time=arrangement.length * TICKS_PER_SIXTEENTH),
        ]
    )
    melody, harmony, bass = PROGRAMS[request.style]
    channels = {
        "melody": (0, melody),
        "harmony": (1, harmony),
        "bass": (2, bass),
        "drums": (DRUM_CHANNEL, None),
    }
    midi = mido.MidiFile(type=1, ticks_per_beat=4 * TICKS_PER_SIXTEENTH)
    midi.tracks.append(conductor)
    for part in parts:
        channel, program = channels[part]
        midi.tracks.append(_track(part, channel, program, getattr(arrangement, part)))
    return midi


def midi_bytes(
    arrangement: Arrangement, parts: tuple[str, ...] = ("melody", "harmony", "bass", "drums")
) -> bytes:
    buffer = io.BytesIO()
    midi_file(arrangement, parts).save(file=buffer)
    return buffer.getvalue()
