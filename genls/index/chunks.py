"""Chunks that follow symbols: what retrieval returns and what is embedded.

A function or method is one chunk (signature, docstring and body, with its class name); a
class contributes its header up to its first method; code outside any definition and files
without a grammar are cut into runs of lines. Large symbols are split where a statement of
their body starts. The path and the qualified symbol name travel with every chunk.
"""

from __future__ import annotations

from dataclasses import dataclass

from genls.index.languages import LanguageInfo
from genls.index.symbols import Definition, extract_symbols

MAX_CHUNK_LINES = 60


@dataclass(frozen=True)
class Chunk:
    path: str  # relative to the workspace root, with forward slashes
    start_line: int  # 0-based, inclusive
    end_line: int  # 0-based, inclusive
    symbol: str | None  # qualified name, e.g. "Point.distance"
    kind: str  # a definition kind, or "lines"
    text: str

    @property
    def embedding_text(self) -> str:
        label = f"{self.path} {self.symbol}" if self.symbol else self.path
        return f"{label}\n{self.text}"


def chunk_file(path: str, text: str, language: LanguageInfo) -> list[Chunk]:
    lines = text.split("\n")
    definitions = extract_symbols(text, language).definitions
    chunks: list[Chunk] = []
    covered = [False] * len(lines)
    for definition in definitions:
        if definition.kind not in ("function", "method", "class"):
            continue
        end = definition.end_line
        if definition.kind == "class":
            first_member = next(
                (
                    d.start_line
                    for d in definitions
                    if d.parent == definition.name and d.start_line > definition.start_line
                ),
                None,
            )
            end = min(end, first_member - 1) if first_member is not None else end
        if any(covered[definition.start_line : end + 1]):
            continue  # nested in a chunk already taken (a function inside a function)
        for start, stop in _split_long(lines, definition.start_line, end):
            chunks.append(_chunk(path, lines, start, stop, _qualified(definition), definition.kind))
        for index in range(definition.start_line, end + 1):
            covered[index] = True
    chunks.extend(_uncovered_runs(path, lines, covered))
    return sorted(chunks, key=lambda chunk: chunk.start_line)


def _qualified(definition: Definition) -> str:
    return f"{definition.parent}.{definition.name}" if definition.parent else definition.name


def _chunk(
    path: str, lines: list[str], start: int, end: int, symbol: str | None, kind: str
) -> Chunk:
    return Chunk(path, start, end, symbol, kind, "\n".join(lines[start : end + 1]))


def _split_long(lines: list[str], start: int, end: int) -> list[tuple[int, int]]:
    """Pieces of at most MAX_CHUNK_LINES lines, cut where a body statement starts."""
    if end - start + 1 <= MAX_CHUNK_LINES:
        return [(start, end)]
    body_indent = _body_indent(lines, start, end)
    pieces, piece_start = [], start
    for index in range(start + 1, end + 1):
        line = lines[index]
        at_statement = line.strip() and len(line) - len(line.lstrip()) <= body_indent
        if index - piece_start >= MAX_CHUNK_LINES or (
            at_statement and index - piece_start >= MAX_CHUNK_LINES // 2
        ):
            pieces.append((piece_start, index - 1))
            piece_start = index
    pieces.append((piece_start, end))
    return pieces


def _body_indent(lines: list[str], start: int, end: int) -> int:
    for line in lines[start + 1 : end + 1]:
        if line.strip():
            return len(line) - len(line.lstrip())
    return 0


def _uncovered_runs(path: str, lines: list[str], covered: list[bool]) -> list[Chunk]:
    chunks, run_start = [], None
    for index in range(len(lines) + 1):
        inside = index < len(lines) and not covered[index]
        if inside and run_start is None:
            run_start = index
        run_ends = run_start is not None and (not inside or index - run_start >= MAX_CHUNK_LINES)
        if run_ends:
            text = "\n".join(lines[run_start:index])
            if text.strip():
                chunks.append(Chunk(path, run_start, index - 1, None, "lines", text))
            run_start = index if inside else None
    return chunks
