"""Edits to files as plain offsets: what the assist modules return and the server turns into
LSP WorkspaceEdits (positions in the client's encoding)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TextEdit:
    start: int  # offsets into FileEdits.text, in characters
    end: int
    new_text: str


@dataclass(frozen=True)
class FileEdits:
    path: Path
    text: str  # the text the offsets index: the editor's for an open file, else the disk's
    edits: tuple[TextEdit, ...]  # in order, not overlapping


def apply_edits(text: str, edits: tuple[TextEdit, ...] | list[TextEdit]) -> str:
    """The text after the edits (offsets into the original text, not overlapping)."""
    pieces, last = [], 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        pieces += [text[last : edit.start], edit.new_text]
        last = edit.end
    pieces.append(text[last:])
    return "".join(pieces)
