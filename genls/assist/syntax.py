"""What the syntax at the cursor allows: one line, or a whole block.

A suggestion in the middle of a line, in a string or in a comment is one line; at the start of
a fresh line or right after a block opener (``:`` in Python, ``{`` elsewhere) it may be a block.
Tree-sitter parses a window around the cursor, never the whole file, so a 5 MB file costs the
same as a small one.
"""

from __future__ import annotations

from dataclasses import dataclass

from genls.index.languages import LanguageInfo

# Bytes of context parsed around the cursor.
_WINDOW_BEFORE = 16_000
_WINDOW_AFTER = 4_000
_CLOSERS = set(")]}'\"`;, \t")


@dataclass(frozen=True)
class CursorSyntax:
    multiline: bool
    in_string_or_comment: bool
    opens_block: bool  # the text before the cursor ends with a block opener
    indent: str  # leading whitespace of the cursor's line


def analyse_cursor(text: str, offset: int, language: LanguageInfo) -> CursorSyntax:
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end < 0 else line_end
    before = text[line_start:offset]
    after = text[offset:line_end]
    indent = before[: len(before) - len(before.lstrip())]

    in_literal = _in_string_or_comment(text, offset, language)
    # Text after the cursor other than closing brackets means we are inside a statement.
    mid_line = any(ch not in _CLOSERS for ch in after)
    fresh_line = before.strip() == ""
    opens_block = (
        before.rstrip().endswith(language.block_openers) if language.block_openers else False
    )
    multiline = not in_literal and not mid_line and (fresh_line or opens_block)
    return CursorSyntax(
        multiline=multiline, in_string_or_comment=in_literal, opens_block=opens_block, indent=indent
    )


def _in_string_or_comment(text: str, offset: int, language: LanguageInfo) -> bool:
    parser = language.parser()
    if parser is None:
        return False
    # Start the window at a line boundary so the parser sees whole statements.
    start = max(0, offset - _WINDOW_BEFORE)
    if start:
        start = text.find("\n", start, offset) + 1 or offset
    window = text[start : offset + _WINDOW_AFTER]
    data = window.encode("utf-8", "surrogatepass")
    cursor = len(text[start:offset].encode("utf-8", "surrogatepass"))
    tree = parser.parse(data)
    # The node just before the cursor: the cursor sits at the end of what is being typed.
    node = tree.root_node.descendant_for_byte_range(max(cursor - 1, 0), cursor)
    while node is not None:
        kind = node.type
        if ("string" in kind or "comment" in kind) and node.start_byte < cursor:
            # The cursor is inside unless it sits right after the closing delimiter.
            return cursor < node.end_byte or _unterminated(node, data)
        node = node.parent
    return False


def _unterminated(node, data: bytes) -> bool:
    """A string or comment running to the end of the parsed text was never closed."""
    if "comment" in node.type:
        # A line comment goes on while the user types at its end; a block comment is closed.
        return not data[node.start_byte : node.end_byte].rstrip().endswith(b"*/")
    return node.has_error or node.end_byte >= len(data)
