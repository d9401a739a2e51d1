"""Drafts for prompt-lookup decoding: the tokens of a source text the answer mostly copies.

A rewrite of the lines around the cursor repeats those lines except where it edits them. The
lookup follows the answer through the source: while the answer copies, the draft is what the
source has next; after the answer departs from it, the lookup finds where the answer's last
tokens occur again, nearest after the point it had reached (llama-cpp-python's
LlamaPromptLookupDecoding takes the first occurrence in the whole prompt, which for repeated
lines of code is often the wrong one).
A wrong draft costs little: the model checks it and keeps only what it would have written.
"""

from __future__ import annotations

_NGRAM = 2
# Draft lengths: a batch of many tokens costs several single steps on a CPU, so the draft
# grows while the model keeps it whole and shrinks to what it kept after a rejection.
MIN_DRAFT, FIRST_DRAFT, MAX_DRAFT = 2, 8, 16


class SourceLookup:
    def __init__(self, source: list[int]) -> None:
        self._source = source
        self._next = 0  # where in the source the answer has reached
        self._answer: list[int] = []
        self._size = FIRST_DRAFT

    def feed(self, token: int) -> None:
        """The answer's next token."""
        self._answer.append(token)
        source = self._source
        if self._next < len(source) and source[self._next] == token:
            self._next += 1
            return
        self._next = self._resync()

    def draft(self) -> list[int]:
        return self._source[self._next : self._next + self._size]

    def checked(self, drafted: int, kept: int) -> None:
        """The model kept `kept` of the `drafted` tokens of the last draft."""
        if drafted and kept == drafted:
            self._size = min(MAX_DRAFT, self._size * 2)
        elif drafted:
            self._size = max(MIN_DRAFT, kept + 1)

    def _resync(self) -> int:
        """Just past the nearest occurrence of the answer's last tokens; where they occur
        nowhere (the answer inserts something new), the place reached so far."""
        source, tail = self._source, self._answer[-_NGRAM:]
        places = [
            start + len(tail)
            for start in range(len(source) - len(tail) + 1)
            if source[start : start + len(tail)] == tail
        ]
        ahead = [place for place in places if place >= self._next]
        return (ahead or places[-1:] or [self._next])[0]
