"""From a prompt ("calm folk tune in D minor, 90 bpm, loopable") and flags to a MusicRequest.

Flags win over the prompt. Anything a user can get wrong (a contradiction, an unknown style,
an absurd length) raises PromptError with a message that says what is known or allowed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from multimodal.audio.errors import PromptError
from multimodal.audio.events import METERS, MODES, STYLES

MIN_BARS, MAX_BARS = 1, 128
MIN_BPM, MAX_BPM = 30, 300
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_LETTERS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
# The usual meter and pace of each style (its most common meter in the training corpus).
STYLE_METER = {
    "folk": "4/4",
    "chorale": "4/4",
    "reel": "2/2",
    "jig": "6/8",
    "hornpipe": "2/2",
    "air": "3/4",
}
STYLE_BPM = {"folk": 100, "chorale": 72, "reel": 120, "jig": 116, "hornpipe": 96, "air": 72}
_STYLE_WORDS = {
    "folk": "folk",
    "tune": "folk",
    "song": "folk",
    "chorale": "chorale",
    "hymn": "chorale",
    "bach": "chorale",
    "reel": "reel",
    "jig": "jig",
    "hornpipe": "hornpipe",
    "air": "air",
    "ballad": "air",
    "lullaby": "air",
    "waltz": "air",
}
_OTHER_STYLES = (
    "jazz", "rock", "pop", "techno", "house", "trance", "edm", "dubstep", "metal", "punk",
    "hip hop", "hip-hop", "rap", "trap", "funk", "disco", "reggae", "blues", "swing", "bossa",
    "salsa", "tango", "ambient", "orchestral", "cinematic", "lofi", "lo-fi", "synthwave",
    "chiptune", "country", "gospel", "r&b", "soul", "opera", "classical",
)  # fmt: skip
_SLOW = ("slow", "calm", "gentle", "relaxed", "relaxing", "peaceful", "lullaby", "sleepy")
_FAST = ("fast", "quick", "lively", "upbeat", "energetic", "driving", "brisk", "frantic")
_MINOR_MOOD = ("sad", "melancholy", "melancholic", "dark", "mournful", "gloomy")
_MAJOR_MOOD = ("happy", "bright", "cheerful", "joyful", "sunny", "triumphant")
_LOOP = ("loop", "loopable", "looping", "seamless", "looped")


@dataclass(frozen=True)
class MusicRequest:
    style: str = "folk"
    tonic: int = 0  # pitch class, C = 0
    mode: str = "major"
    meter: str = "4/4"
    bpm: int = 100  # quarter notes per minute
    bars: int = 16
    loop: bool = False
    seed: int = 0

    @property
    def key_name(self) -> str:
        return f"{NOTE_NAMES[self.tonic]} {self.mode}"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "key": self.key_name}


def _words(text: str, vocabulary: tuple[str, ...] | dict[str, str]) -> list[str]:
    return [w for w in vocabulary if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]


_KEY_AFTER_IN = re.compile(
    r"\b(?:in|key\s+of)\s+([A-Ga-g])(#|♯|b|♭|\s+sharp|\s+flat)?(?:\s*(major|minor|maj|min)\b|(m)\b|(?![\w#]))",
    re.IGNORECASE,
)
# Without "in" or "key of", only a capital letter with a quality: "D minor", "Ebm", "F# major".
_KEY_ALONE = re.compile(r"\b([A-G])(#|♯|b|♭)?(?:\s*(major|minor|maj|min)\b|(m)\b)")


def parse_key(text: str) -> tuple[int, str | None] | None:
    """'in D minor', 'in F#', 'key of Bb major', 'Ebm' -> (pitch class, mode or None)."""
    match = _KEY_AFTER_IN.search(text) or _KEY_ALONE.search(text)
    if not match:
        return None
    letter, accidental, quality, short_minor = match.groups()
    pitch = _LETTERS[letter.upper()]
    accidental = (accidental or "").strip().lower()
    pitch += (
        1 if accidental in ("#", "♯", "sharp") else -1 if accidental in ("b", "♭", "flat") else 0
    )
    if short_minor:
        quality = "minor"
    mode = None if quality is None else ("minor" if quality.lower().startswith("min") else "major")
    return pitch % 12, mode


def parse_prompt(prompt: str, **flags: Any) -> MusicRequest:
    """The request the prompt describes, with `flags` (not None) taking precedence."""
    text = " " + prompt.strip() + " "
    lower = text.lower()
    values: dict[str, Any] = {}

    unknown = _words(lower, _OTHER_STYLES)
    styles = sorted({_STYLE_WORDS[w] for w in _words(lower, _STYLE_WORDS)} - {"folk"}) or (
        ["folk"] if _words(lower, _STYLE_WORDS) else []
    )
    if unknown and not flags.get("style"):
        raise PromptError(
            f"unknown style {unknown[0]!r}; known styles: {', '.join(STYLES)} "
            "(ballad, lullaby and waltz mean air; hymn means chorale)"
        )
    if len(styles) > 1:
        raise PromptError(f"the prompt asks for several styles ({', '.join(styles)}); pick one")
    if styles:
        values["style"] = styles[0]

    slow, fast = _words(lower, _SLOW), _words(lower, _FAST)
    if slow and fast:
        raise PromptError(f"the prompt asks for both {slow[0]!r} and {fast[0]!r}; which tempo?")
    bpm = re.findall(r"(\d+)\s*bpm", lower)
    if len(set(bpm)) > 1:
        raise PromptError(f"the prompt gives several tempos ({', '.join(bpm)} bpm)")
    if bpm:
        values["bpm"] = int(bpm[0])
    elif slow or fast:
        values["bpm"] = 66 if slow else 144

    meters = sorted(set(re.findall(r"\b(\d{1,2}/\d{1,2})\b", lower)))
    if len(meters) > 1:
        raise PromptError(f"the prompt gives several meters ({', '.join(meters)})")
    if meters:
        values["meter"] = meters[0]

    key = parse_key(text)
    explicit_modes = _words(lower, MODES)
    if len(explicit_modes) > 1:
        raise PromptError("the prompt asks for both major and minor")
    mood = (["minor"] if _words(lower, _MINOR_MOOD) else []) + (
        ["major"] if _words(lower, _MAJOR_MOOD) else []
    )
    if key:
        values["tonic"] = key[0]
    mode = (key[1] if key else None) or (explicit_modes[0] if explicit_modes else None)
    if mode is None and len(mood) == 1:
        mode = mood[0]
    if mode:
        values["mode"] = mode

    bars = re.findall(r"(\d+)\s*(?:bars|measures)\b", lower)
    if bars:
        values["bars"] = int(bars[0])
    if _words(lower, _LOOP):
        values["loop"] = True

    values.update({name: value for name, value in flags.items() if value is not None})
    return _complete(values)


def _complete(values: dict[str, Any]) -> MusicRequest:
    """Fill what is missing from the style's defaults and check every value."""
    for name, kind in (("bars", int), ("bpm", int), ("seed", int), ("tonic", int), ("loop", bool)):
        value = values.get(name)
        if value is not None and (type(value) is not kind):
            raise PromptError(f"{name} must be {'true or false' if kind is bool else 'an integer'}")
    style = values.get("style", "folk")
    if style not in STYLES:
        raise PromptError(f"unknown style {style!r}; known styles: {', '.join(STYLES)}")
    request = replace(
        MusicRequest(style=style, meter=STYLE_METER[style], bpm=STYLE_BPM[style]),
        **{k: v for k, v in values.items() if k != "style"},
    )
    if request.meter not in METERS:
        raise PromptError(
            f"meter {request.meter} is not supported; choose one of: {', '.join(METERS)}"
        )
    if request.mode not in MODES:
        raise PromptError(f"mode {request.mode!r}: choose major or minor")
    if not MIN_BARS <= request.bars <= MAX_BARS:
        raise PromptError(f"{request.bars} bars: choose between {MIN_BARS} and {MAX_BARS}")
    if not MIN_BPM <= request.bpm <= MAX_BPM:
        raise PromptError(f"{request.bpm} bpm: choose between {MIN_BPM} and {MAX_BPM}")
    if not isinstance(request.tonic, int) or not 0 <= request.tonic < 12:
        raise PromptError("the key's tonic must be a pitch class from 0 (C) to 11 (B)")
    return request
