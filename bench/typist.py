"""A person typing a hunk again, one keystroke at a time, taking only suggestions that are right.

The person opens an empty line where the hunk goes (the editor indents it), types each line's
characters after its indentation, and presses Enter between lines (the editor indents the new
line as the next one is indented). A suggestion is taken when all of it is what the person types
next, or when its first line is exactly the rest of the current line (then only that line);
the cursor jumps past the taken text, and the keystrokes it spared are counted.
"""

from __future__ import annotations

from dataclasses import dataclass


def taken_part(suggestion: str, rest: str) -> str:
    """What a person who knows `rest` comes next would accept of `suggestion` ("" for nothing)."""
    if not suggestion.strip():
        return ""
    if rest.startswith(suggestion):
        return suggestion
    first_line = suggestion.split("\n", 1)[0]
    if first_line.strip() and first_line == rest.split("\n", 1)[0]:
        return first_line
    return ""


def lsp_position(text: str, offset: int) -> tuple[int, int]:
    """(line, character) of `offset`; the character in UTF-16 code units (LSP's default)."""
    line_start = text.rfind("\n", 0, offset) + 1
    column = text[line_start:offset]
    return text.count("\n", 0, offset), len(column.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Edit:
    offset: int  # in code points of the document before the edit
    text: str  # inserted there


class Typist:
    """Types `lines` between `before` and `after` (the parent file split at the hunk's line)."""

    def __init__(self, before: str, lines: tuple[str, ...], after: str) -> None:
        self.before = before
        self.after = after
        self.target = "\n".join(lines)
        self._free = _indentation_positions(lines)  # typed by the editor, not the person
        self.position = _skip(self._free, 0)
        self.keystrokes = sum(1 for i in range(len(self.target)) if i not in self._free)
        self.spared = 0  # keystrokes that taken suggestions made unnecessary

    @property
    def done(self) -> bool:
        return self.position >= len(self.target)

    @property
    def offset(self) -> int:
        return len(self.before) + self.position

    @property
    def rest(self) -> str:
        """What the person will type from the cursor on (the rest of the hunk)."""
        return self.target[self.position :]

    def document(self) -> str:
        """The document now: the hunk typed up to the cursor, in a line of its own."""
        return self.before + self.target[: self.position] + "\n" + self.after

    def cursor(self) -> tuple[int, int]:
        return lsp_position(self.before + self.target, self.offset)

    def press_key(self) -> Edit:
        """The next keystroke; Enter brings the next line's indentation with it."""
        return self._advance(self.position + 1)

    def take(self, part: str) -> Edit:
        """Accept `part` (from taken_part) of a suggestion."""
        assert part and self.rest.startswith(part)
        end = self.position + len(part)
        self.spared += sum(1 for i in range(self.position, end) if i not in self._free)
        return self._advance(end)

    def _advance(self, end: int) -> Edit:
        end = _skip(self._free, end)
        edit = Edit(self.offset, self.target[self.position : end])
        self.position = end
        return edit


def _indentation_positions(lines: tuple[str, ...]) -> frozenset[int]:
    free: set[int] = set()
    start = 0
    for line in lines:
        indent = len(line) - len(line.lstrip(" \t"))
        free.update(range(start, start + indent))
        start += len(line) + 1
    return frozenset(free)


def _skip(free: frozenset[int], position: int) -> int:
    while position in free:
        position += 1
    return position
