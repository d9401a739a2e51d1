"""Training melodies from the public-domain scores inside music21's corpus, parsed once.

Sources (all ship in the music21 wheel; see MODEL_CARD.md for their licences):
- essenFolksong: the Essen folk song collection (ABC by Seymour Schlien) -> style "folk"
- oneills1850: O'Neill's Music of Ireland (1850 tunes) -> reel, jig, hornpipe, air
- ryansMammoth: Ryan's Mammoth Collection (1883) -> reel, jig, hornpipe
- bach: the Bach chorales, soprano line -> "chorale"

Each tune becomes a tonic-relative events.Tune (key and mode by music21's Krumhansl-Schmuckler
analysis, which is also what the benchmark uses to check generated pieces). Parsing takes
minutes, so the result is cached as gzipped JSON keyed by the music21 version.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from multimodal.audio.events import (
    HIGHEST_PITCH,
    LOWEST_PITCH,
    MAX_DURATION,
    METERS,
    TONIC,
    Note,
    Tune,
    bar_sixteenths,
    tempo_bucket,
)

CACHE_VERSION = 1
MIN_NOTES = 12
# Tempo (bpm) when the score has no metronome mark: the usual pace of the style.
STYLE_TEMPO = {"folk": 100, "chorale": 72, "reel": 130, "jig": 125, "hornpipe": 100, "air": 70}
_RHYTHMS = {
    "reel": "reel",
    "hornpipe": "hornpipe",
    "clog": "hornpipe",
    "jig": "jig",
    "double jig": "jig",
    "slip jig": "jig",
    "slipjig": "jig",
    "air": "air",
    "waltz": "air",
}
_SLOW_WORDS = re.compile(r"\b(slow|very slow|moderate|plaintive|tenderly|with expression)\b", re.I)


def corpus_root() -> Path:
    import music21

    return Path(music21.__file__).parent / "corpus"


def default_cache_path() -> Path:
    import music21

    home = Path(os.environ.get("GENLS_HOME", Path.home() / ".cache" / "genls"))
    return home / "audio" / f"music21-{music21.__version__}-corpus-v{CACHE_VERSION}.json.gz"


def is_held_out(source: str) -> str:
    """'test' (5%), 'val' (5%) or 'train', fixed by the tune's source name."""
    bucket = zlib.crc32(source.encode()) % 20
    return "test" if bucket == 0 else "val" if bucket == 1 else "train"


# -- reading the corpus -----------------------------------------------------------------------


def _abc_tunes(path: Path) -> Iterator[tuple[str, str]]:
    """(index, text) for each tune in an ABC file; tunes start at an X: line."""
    text = path.read_text(encoding="latin-1")
    header_end = text.find("X:")
    for index, chunk in enumerate(re.split(r"(?m)^(?=X:)", text[header_end:])):
        if chunk.strip():
            yield str(index), chunk


def _abc_style(collection: str, text: str) -> str | None:
    if collection == "essenFolksong":
        return "folk"
    rhythm = re.search(r"(?m)^R:\s*(.+?)\s*$", text)
    if rhythm:
        return _RHYTHMS.get(rhythm.group(1).lower())
    notes = " ".join(re.findall(r"(?m)^N:(.*)$", text))
    return "air" if collection == "oneills1850" and _SLOW_WORDS.search(notes) else None


def _abc_tempo(text: str, style: str) -> int:
    mark = re.search(r"(?m)^Q:.*?(\d+)\s*$", text)
    return int(mark.group(1)) if mark else STYLE_TEMPO[style]


def iter_sources(root: Path) -> Iterator[tuple[str, str, str, int]]:
    """(source, "abc" text or "mxl" path, style, tempo) in a fixed order."""
    for collection in ("essenFolksong", "oneills1850", "ryansMammoth"):
        for path in sorted((root / collection).glob("*.abc")):
            if path.name.startswith("test"):
                continue
            for index, text in _abc_tunes(path):
                style = _abc_style(collection, text)
                if style:
                    source = f"{collection}/{path.name}#{index}"
                    yield source, text, style, _abc_tempo(text, style)
    for path in sorted((root / "bach").glob("bwv*.mxl")):
        yield f"bach/{path.name}", str(path), "chorale", STYLE_TEMPO["chorale"]


def tune_from_score(score, source: str, style: str, bpm: int) -> Tune | None:
    """The first part's melody as a tonic-relative Tune, or None if it does not fit."""
    from music21 import meter as m21meter

    part = score.parts[0] if score.parts else score
    signatures = {
        ts.ratioString for ts in part.recurse().getElementsByClass(m21meter.TimeSignature)
    }
    if len(signatures) != 1 or (meter := signatures.pop()) not in METERS:
        return None
    key = part.analyze("key")
    shift = (-key.tonic.pitchClass) % 12
    bar_length = bar_sixteenths(meter)
    raw: list[list[int]] = []  # [bar, position, midi, duration]
    for bar, measure in enumerate(part.getElementsByClass("Measure")):
        padding = measure.paddingLeft or 0.0
        for element in measure.recurse().notes:
            if element.duration.quarterLength == 0:
                continue  # grace note
            pitch = max(p.midi for p in element.pitches) + shift
            position = round((element.getOffsetInHierarchy(measure) + padding) * 4)
            duration = max(1, round(element.duration.quarterLength * 4))
            tie = element.tie.type if element.tie else None
            if tie in ("stop", "continue") and raw and raw[-1][2] == pitch:
                start = raw[-1][0] * bar_length + raw[-1][1]
                raw[-1][3] = bar * bar_length + position + duration - start
                continue
            if position >= bar_length or (raw and raw[-1][:2] == [bar, position]):
                continue
            raw.append([bar, position, pitch, duration])
    if len(raw) < MIN_NOTES:
        return None
    pitches = sorted(note[2] for note in raw)
    octave = 12 * round((TONIC + 6 - pitches[len(pitches) // 2]) / 12)
    notes = [
        Note(bar, position, pitch + octave, min(duration, MAX_DURATION))
        for bar, position, pitch, duration in raw
    ]
    if any(not LOWEST_PITCH <= n.pitch <= HIGHEST_PITCH for n in notes):
        return None
    return Tune(
        style=style,
        mode="minor" if key.mode == "minor" else "major",
        meter=meter,
        tempo=tempo_bucket(bpm),
        notes=notes,
        bars=notes[-1].bar + 1,
        source=source,
    )


def build_corpus(limit: int | None = None, show_progress: bool = True) -> list[Tune]:
    from music21 import converter
    from tqdm import tqdm

    tunes: list[Tune] = []
    sources = list(iter_sources(corpus_root()))[:limit]
    for source, data, style, bpm in tqdm(
        sources,
        desc="parsing music21 corpus",
        unit="tune",
        file=sys.stderr,
        disable=not show_progress,
    ):
        try:
            if data.endswith(".mxl"):
                score = converter.parse(data, forceSource=True)
            else:
                score = converter.parse(data, format="abc", forceSource=True)
            tune = tune_from_score(score, source, style, bpm)
        except Exception:  # a few corpus files do not parse; skipping one tune is fine
            continue
        if tune is not None:
            tunes.append(tune)
    return tunes


# -- the cache ----------------------------------------------------------------------------------


def save_tunes(tunes: list[Tune], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    records = []
    for tune in tunes:
        record = asdict(tune)
        record["notes"] = [[n.bar, n.position, n.pitch, n.duration] for n in tune.notes]
        records.append(record)
    temporary = path.with_suffix(".tmp")
    with gzip.open(temporary, "wt", encoding="utf-8") as handle:
        json.dump({"version": CACHE_VERSION, "tunes": records}, handle)
    os.replace(temporary, path)


def load_tunes(path: Path) -> list[Tune]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    return [
        Tune(**{**record, "notes": [Note(*n) for n in record["notes"]]}) for record in data["tunes"]
    ]


def load_corpus(cache: Path | None = None, limit: int | None = None) -> list[Tune]:
    """The parsed corpus from the cache, parsing (and caching) it on the first call."""
    cache = cache or default_cache_path()
    if limit is None and cache.is_file():
        return load_tunes(cache)
    tunes = build_corpus(limit)
    if limit is None:
        save_tunes(tunes, cache)
    return tunes


if __name__ == "__main__":
    corpus = load_corpus()
    print(f"{len(corpus)} tunes cached in {default_cache_path()}")
