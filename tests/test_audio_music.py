"""Music: prompts, the event encoding, the shipped model, accompaniment and rendering."""

from __future__ import annotations

import io
import json

import mido
import numpy as np
import pytest

from multimodal.audio.accompany import accompany
from multimodal.audio.checkpoint import WEIGHTS_PATH, WeightsError, load_model, recorded_sha256
from multimodal.audio.events import Note, Tune, Vocabulary, bar_sixteenths, decode, encode
from multimodal.audio.fluid import find_fluidsynth
from multimodal.audio.music import MusicGenerator, fold_tail, music_files, render_stems
from multimodal.audio.output import write_all
from multimodal.audio.prompt import PromptError, parse_prompt
from multimodal.audio.sample import Cancelled
from multimodal.audio.wav import PEAK, SAMPLE_RATE, read_wav


@pytest.fixture(scope="module")
def generator() -> MusicGenerator:
    return MusicGenerator()


# -- prompts ----------------------------------------------------------------------------------


def test_the_prompt_sets_style_key_mode_tempo_meter_length_and_loop():
    request = parse_prompt("calm folk tune in D minor, 90 bpm, loopable, 8 bars")
    assert (request.style, request.key_name, request.bpm, request.bars, request.loop) == (
        "folk", "D minor", 90, 8, True,
    )  # fmt: skip
    jig = parse_prompt("a lively jig in F# major")
    assert (jig.style, jig.key_name, jig.meter, jig.bpm) == ("jig", "F# major", "6/8", 144)
    assert parse_prompt("sad waltz").as_dict()["key"] == "C minor"
    assert parse_prompt("hymn in Bb, 3/4").meter == "3/4"


def test_flags_win_over_the_prompt():
    request = parse_prompt("reel in G, 100 bpm", bpm=132, bars=4, seed=9, mode="minor")
    assert (request.bpm, request.bars, request.seed, request.key_name) == (132, 4, 9, "G minor")


@pytest.mark.parametrize(
    ("prompt", "flags", "message"),
    [
        ("fast and slow", {}, "both 'slow' and 'fast'"),
        ("a jazz tune", {}, "known styles: folk, chorale, reel, jig, hornpipe, air"),
        ("reel in D", {"style": "polka"}, "unknown style 'polka'"),
        ("tune, 1000 bars", {}, "between 1 and 128"),
        ("tune", {"bpm": 900}, "between 30 and 300"),
        ("in C major and minor", {}, "both major and minor"),
        ("a reel and a jig", {}, "several styles"),
        ("tune in 5/4", {}, "meter 5/4 is not supported"),
        ("tune", {"seed": "3"}, "seed must be an integer"),
        ("tune", {"loop": "yes"}, "loop must be true or false"),
    ],
)
def test_bad_requests_say_what_is_wrong(prompt, flags, message):
    with pytest.raises(PromptError, match=message.replace("(", r"\(")):
        parse_prompt(prompt, **flags)


# -- events -----------------------------------------------------------------------------------


def test_events_round_trip():
    vocab = Vocabulary()
    tune = Tune(
        "jig", "minor", "6/8", "fast", [Note(0, 0, 60, 3), Note(0, 6, 67, 6), Note(2, 3, 72, 20)], 3
    )
    again = decode(encode(tune, vocab), vocab)
    assert (again.style, again.mode, again.meter, again.tempo, again.bars) == (
        "jig",
        "minor",
        "6/8",
        "fast",
        3,
    )
    assert again.notes == tune.notes
    assert bar_sixteenths("6/8") == 12 and bar_sixteenths("4/4") == 16


# -- the shipped model ------------------------------------------------------------------------


def test_the_shipped_weights_are_small_and_verified(tmp_path):
    assert WEIGHTS_PATH.stat().st_size < 8_000_000
    model, digest = load_model()
    assert digest == recorded_sha256(WEIGHTS_PATH)
    assert 300_000 < model.parameter_count() < 5_000_000
    damaged = tmp_path / "music.safetensors"
    data = bytearray(WEIGHTS_PATH.read_bytes())
    data[-1] ^= 0xFF
    damaged.write_bytes(bytes(data))
    (tmp_path / "music.safetensors.sha256").write_text(recorded_sha256(WEIGHTS_PATH))
    with pytest.raises(WeightsError, match="expected"):
        load_model(damaged)


@pytest.mark.parametrize("prompt", ["folk tune in D minor", "lively jig in G", "slow air in 3/4"])
def test_generated_bars_are_well_formed(generator, prompt):
    request = parse_prompt(prompt, bars=4, seed=1)
    tune = generator.sampler.generate(request)
    bar_length = bar_sixteenths(request.meter)
    assert tune.meter == request.meter and tune.bars == 4
    assert {note.bar for note in tune.notes} == {0, 1, 2, 3}  # every bar has a note
    assert tune.notes[0].bar == 0 and tune.notes[0].position == 0  # starts on the downbeat
    ends = [n.bar * bar_length + n.position + n.duration for n in tune.notes]
    starts = [n.bar * bar_length + n.position for n in tune.notes]
    assert all(end <= start for end, start in zip(ends, starts[1:], strict=False))  # monophonic
    assert ends[-1] == 4 * bar_length  # the final note is held to the end
    assert tune.notes[-1].pitch % 12 == 0  # a cadence on the tonic


def test_a_seed_reproduces_the_piece_and_another_seed_changes_it(generator):
    first = generator.sampler.generate(parse_prompt("reel in D", bars=3, seed=5))
    again = generator.sampler.generate(parse_prompt("reel in D", bars=3, seed=5))
    other = generator.sampler.generate(parse_prompt("reel in D", bars=3, seed=6))
    assert first.notes == again.notes and first.notes != other.notes


def test_cancelling_stops_between_bars(generator):
    seen = []
    with pytest.raises(Cancelled):
        generator.sampler.generate(
            parse_prompt("folk tune", bars=8),
            progress=lambda done, total: seen.append(done),
            cancelled=lambda: len(seen) >= 2,
        )
    assert seen == [1, 2]


# -- accompaniment and rendering ----------------------------------------------------------------


def test_accompaniment_follows_the_key_and_ends_on_the_tonic(generator):
    request = parse_prompt("folk tune in A minor", bars=4, seed=2)
    arrangement = accompany(generator.sampler.generate(request), request)
    assert arrangement.chords[-1][1] == "i"
    assert {e.pitch % 12 for e in arrangement.melody[-1:]} == {9}  # ends on A
    assert all(36 <= e.pitch <= 47 for e in arrangement.bass)
    assert arrangement.drums and arrangement.harmony


def test_music_files_are_valid_wav_midi_stems_and_provenance(generator, tmp_path):
    request = parse_prompt("jig in G", bars=2, seed=4)
    path = tmp_path / "jig.wav"
    files = music_files(generator, request, path, stems=True, extra={"prompt": "jig in G"})
    written = write_all(files)
    assert sorted(p.name for p in written) == sorted(
        [
            "jig.wav",
            "jig.mid",
            "jig.melody.wav",
            "jig.harmony.wav",
            "jig.drums.wav",
            "jig.provenance.json",
        ]
    )
    mix, rate = read_wav(path.read_bytes())
    assert rate == SAMPLE_RATE
    bar_seconds = 12 * 60 / request.bpm / 4
    assert 2 * bar_seconds < len(mix) / rate < 2 * bar_seconds + 2.5  # plus the ring-out
    assert 0.5 < np.max(np.abs(mix)) <= PEAK + 1e-4
    stems = [
        read_wav((tmp_path / f"jig.{s}.wav").read_bytes())[0]
        for s in ("melody", "harmony", "drums")
    ]
    assert all(np.sqrt(np.mean(s**2)) > 0.005 for s in stems)  # none silent
    assert np.max(np.abs(sum(stems) - mix)) < 0.002  # the stems add up to the mix
    midi = mido.MidiFile(file=io.BytesIO((tmp_path / "jig.mid").read_bytes()))
    assert [t.name for t in midi.tracks][1:] == ["melody", "harmony", "bass", "drums"]
    meta = {m.type: m for m in midi.tracks[0] if m.is_meta}
    assert (meta["time_signature"].numerator, meta["time_signature"].denominator) == (6, 8)
    assert (
        meta["key_signature"].key == "G"
        and round(mido.tempo2bpm(meta["set_tempo"].tempo)) == request.bpm
    )
    sidecar = json.loads((tmp_path / "jig.provenance.json").read_text())
    assert sidecar["weights_sha256"] == recorded_sha256(WEIGHTS_PATH)
    assert sidecar["prompt"] == "jig in G" and sidecar["seed"] == 4
    assert sidecar["settings"]["meter"] == "6/8" and "rule-based" in sidecar["accompaniment"]
    assert set(sidecar["files"]) == {p.name for p in written} - {"jig.provenance.json"}


def test_a_loop_is_exactly_its_bars_long_and_wraps_its_tail(generator):
    request = parse_prompt("folk tune in C, loopable, 120 bpm", bars=2, seed=1)
    arrangement = accompany(generator.sampler.generate(request), request)
    audio, renderer = render_stems(arrangement, "builtin")
    assert renderer == "builtin"
    assert len(audio["mix"]) == round(2 * 4 * 0.5 * SAMPLE_RATE)  # 2 bars of 4 beats at 120
    # what rings past the end is heard at the start, where the loop comes round
    assert fold_tail(np.arange(1.0, 8.0), 3).tolist() == [1 + 4 + 7, 2 + 5, 3 + 6]


def test_chords_fit_a_known_melody_and_cadence():
    # C E G | F A C' | G B D' | C: the chords should be I, IV, V, I
    notes = [
        Note(bar, pos, pitch, 4)
        for bar, pitches in enumerate(
            [(60, 64, 67, 72), (65, 69, 72, 69), (67, 71, 74, 71), (72, 67, 64, 60)]
        )
        for pos, pitch in zip((0, 4, 8, 12), pitches, strict=True)
    ]
    request = parse_prompt("folk tune in D, 2/4", meter="4/4", bars=4)
    arrangement = accompany(Tune("folk", "major", "4/4", "moderate", notes, 4), request)
    assert [name for _, name in arrangement.chords] == ["I", "I", "IV", "IV", "V", "V", "I", "I"]
    assert arrangement.melody[0].pitch == 62  # transposed to D
    assert [e.pitch for e in arrangement.bass if e.start % 16 == 0] == [38, 43, 45, 38]


@pytest.mark.skipif(find_fluidsynth() is None, reason="fluidsynth or a GM soundfont not installed")
def test_fluidsynth_renders_when_installed():
    request = parse_prompt("folk tune in G, 120 bpm", bars=2)
    tune = Tune(
        "folk",
        "major",
        "4/4",
        "moderate",
        [Note(0, 0, 60, 8), Note(0, 8, 64, 8), Note(1, 0, 67, 16)],
        2,
    )
    audio, renderer = render_stems(accompany(tune, request), "auto")
    assert renderer == "fluidsynth"
    assert 0.5 < np.max(np.abs(audio["mix"])) <= PEAK + 1e-4
    assert all(
        np.sqrt(np.mean(audio[stem] ** 2)) > 0.001 for stem in ("melody", "harmony", "drums")
    )
