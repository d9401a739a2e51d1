"""Edits as whole-line replacements, and the syntax check every generated edit must pass.

Docstrings and refactors replace or insert whole lines, so an edit is a line range and its new
text; the server turns it into an LSP TextEdit and the CLI into a unified diff. Before an edit
is offered, the edited file must parse with no more tree-sitter errors than before (and, for
Python, compile) so that a generated edit never breaks a file.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from genls.index.languages import LanguageInfo


@dataclass(frozen=True)
class LineEdit:
    start_line: int  # 0-based, first replaced line
    end_line: int  # 0-based, exclusive: start_line == end_line inserts before start_line
    new_text: str  # whole lines, each ending with a newline


def apply_edits(text: str, edits: list[LineEdit]) -> str:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"  # an insertion after the last line needs it
        missing_newline = True
    else:
        missing_newline = False
    for edit in sorted(edits, key=lambda e: (e.start_line, e.end_line), reverse=True):
        if not 0 <= edit.start_line <= edit.end_line <= len(lines):
            raise ValueError(f"edit lines {edit.start_line}-{edit.end_line} are outside the file")
        lines[edit.start_line : edit.end_line] = edit.new_text.splitlines(keepends=True)
    result = "".join(lines)
    return result[:-1] if missing_newline and result.endswith("\n") else result


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )


def syntax_errors(text: str, language: LanguageInfo) -> int:
    """ERROR and MISSING nodes in the tree: what a generated edit may not add."""
    parser = language.parser()
    if parser is None:
        return 0
    cursor = parser.parse(text.encode("utf-8", "surrogatepass")).walk()
    count = 0
    while True:
        node = cursor.node
        if node is not None and (node.is_error or node.is_missing):
            count += 1
        if node is not None and node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return count


def check_edited(before: str, after: str, language: LanguageInfo, path: str) -> str | None:
    """Why the edited text is worse than the original, or None when it is acceptable."""
    added = syntax_errors(after, language) - syntax_errors(before, language)
    if added > 0:
        return f"the edited file has {added} new syntax error(s)"
    if language.id == "python" and _compiles(before, path) and not _compiles(after, path):
        try:
            compile(after, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as exc:
            return f"Python cannot compile the edited file: {exc}"
    return None


def _compiles(text: str, path: str) -> bool:
    try:
        compile(text, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True
