"""Recent suggestions, so that typing what a suggestion predicted costs no model call.

Keyed by the tail of the prefix and the head of the suffix at the moment the suggestion was
made. When the user types the first characters of a shown suggestion, the new prefix is the
old one plus those characters: the answer is the rest of the suggestion.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

_PREFIX_KEY_CHARS = 256
_SUFFIX_KEY_CHARS = 128


@dataclass(frozen=True)
class _Key:
    uri: str
    prefix_tail: str
    suffix_head: str


class Cached(NamedTuple):
    text: str  # the rest of the suggestion; "" when the model had nothing at this point
    origin: str  # who asked for it: "model" (a request) or "speculation" (computed ahead)
    confidence: float | None = None  # of its first line, as the model wrote it


class SuggestionCache:
    def __init__(self, capacity: int = 64) -> None:
        self._entries: OrderedDict[_Key, Cached] = OrderedDict()
        self.capacity = capacity

    def put(
        self,
        uri: str,
        prefix: str,
        suffix: str,
        suggestion: str,
        origin: str = "model",
        confidence: float | None = None,
    ) -> None:
        key = _Key(uri, prefix[-_PREFIX_KEY_CHARS:], suffix[:_SUFFIX_KEY_CHARS])
        self._entries[key] = Cached(suggestion, origin, confidence)
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def get(self, uri: str, prefix: str, suffix: str) -> Cached | None:
        """The rest of a cached suggestion whose start the user has typed since, if any.

        An empty string means the model was asked at exactly this point and had nothing.
        """
        suffix_head = suffix[:_SUFFIX_KEY_CHARS]
        for key in reversed(self._entries):
            if key.uri != uri or key.suffix_head != suffix_head:
                continue
            suggestion, origin, confidence = self._entries[key]
            if not suggestion:
                if prefix.endswith(key.prefix_tail):
                    return Cached("", origin, confidence)
                continue
            # Try each split of the typed text: old prefix tail + typed start of the suggestion.
            for typed in range(len(suggestion)):
                expected = key.prefix_tail + suggestion[:typed]
                if prefix.endswith(expected):
                    rest = suggestion[typed:]
                    if rest.strip():
                        return Cached(rest, origin, confidence)
                    break
        return None

    def clear(self) -> None:
        self._entries.clear()
