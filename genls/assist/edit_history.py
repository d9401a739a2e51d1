"""What the person just did in each document: their edits, coalesced into events.

Next-edit suggestions are predicted from the last few edits. Every change the editor sends
(incremental or whole-document, it makes no difference here: the history compares texts) is
folded into the open event of its document; a pause or a change on another line closes it.
Knows nothing of LSP: the server feeds it the document text after every change.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

# A pause this long, or a change this many lines away from the last one, starts a new event.
PAUSE_SECONDS = 1.5
NEARBY_LINES = 1
MAX_EVENTS = 10


@dataclass(frozen=True)
class EditEvent:
    """One coalesced edit: the document before it and after it."""

    before: str
    after: str
    accepted: bool = False  # the edit was a suggestion genls offered, taken as it was

    def changed_span(self) -> tuple[int, int, int]:
        """(start, end in before, end in after): the smallest range of characters that differs."""
        return changed_span(self.before, self.after)


@dataclass
class _Open:
    before: str
    after: str
    last_before: str  # the text before the last change folded in
    line: int  # the line of the last change, in `after`
    at: float  # when the last change came


@dataclass
class _Document:
    text: str  # as the editor has it now
    closed: deque[EditEvent] = field(default_factory=lambda: deque(maxlen=MAX_EVENTS))
    open: _Open | None = None


class EditHistory:
    """Per document (by URI): its text as last seen and its recent edit events."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        pause_seconds: float = PAUSE_SECONDS,
    ) -> None:
        self._clock = clock
        self._pause_seconds = pause_seconds
        self._documents: dict[str, _Document] = {}

    def opened(self, uri: str, text: str) -> None:
        self._documents[uri] = _Document(text)

    def closed(self, uri: str) -> None:
        self._documents.pop(uri, None)

    def changed(self, uri: str, text: str) -> None:
        """The document's text after a change (call after every didChange)."""
        document = self._documents.get(uri)
        if document is None:
            self._documents[uri] = _Document(text)
            return
        before, document.text = document.text, text
        if before == text:
            return
        now = self._clock()
        start, _, _ = changed_span(before, text)
        line = text.count("\n", 0, start)
        current = document.open
        if (
            current is None
            or now - current.at > self._pause_seconds
            or abs(line - current.line) > NEARBY_LINES
        ):
            self._close(document)
            document.open = _Open(before, text, before, line, now)
        else:
            current.after, current.last_before, current.line, current.at = text, before, line, now

    def accepted(self, uri: str) -> None:
        """The last change was a suggestion the person took: it becomes an event of its own,
        apart from the typing before it."""
        document = self._documents.get(uri)
        if document is None or document.open is None:
            return
        current, document.open = document.open, None
        if current.last_before != current.before:
            document.closed.append(EditEvent(current.before, current.last_before))
        document.closed.append(EditEvent(current.last_before, current.after, accepted=True))

    def events(self, uri: str) -> list[EditEvent]:
        """The document's recent events, oldest first, the one still open last."""
        document = self._documents.get(uri)
        if document is None:
            return []
        events = list(document.closed)
        if document.open is not None:
            events.append(_event(document.open))
        return [event for event in events if event.before != event.after]

    def _close(self, document: _Document) -> None:
        if document.open is not None:
            document.closed.append(_event(document.open))
            document.open = None


def _event(open_event: _Open) -> EditEvent:
    return EditEvent(open_event.before, open_event.after)


def changed_span(before: str, after: str) -> tuple[int, int, int]:
    """(start, end in before, end in after) of the one range where the texts differ."""
    start = common_prefix_length(before, after)
    tail = common_prefix_length(before[start:][::-1], after[start:][::-1])
    return start, len(before) - tail, len(after) - tail


def common_prefix_length(a: Sequence, b: Sequence) -> int:
    """Length of the common prefix of two strings or lists, by halving: slice comparisons run
    in C (a keystroke in a large file costs microseconds, not a character loop)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low
