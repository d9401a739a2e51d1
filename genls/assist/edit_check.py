"""The check every generated edit must pass, and whole-line edits for docstrings and refactors.

Before an edit is offered, the edited file must parse with no more tree-sitter errors than
before (and, for Python, compile) so that a generated edit never breaks a file.
"""

from __future__ import annotations

import difflib

from genls.assist.text_edit import TextEdit
from genls.index.symbols import ParsedSource


def line_edit(text: str, start_line: int, end_line: int, new_text: str) -> TextEdit:
    """Replace lines start_line..end_line-1 (0-based; equal means insert before start_line)
    with `new_text`, whole lines each ending with a newline."""
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    if not 0 <= start_line <= end_line <= len(starts):
        raise ValueError(f"lines {start_line}-{end_line} are outside the file")
    start = starts[start_line] if start_line < len(starts) else len(text)
    end = starts[end_line] if end_line < len(starts) else len(text)
    if start == len(text) and text and not text.endswith("\n"):
        new_text = "\n" + new_text  # after a last line that has no newline
    return TextEdit(start, end, new_text)


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{path}",
            tofile=f"b/{path}",
        )
    )


def syntax_errors(source: ParsedSource) -> int:
    """ERROR and MISSING nodes in the tree: what a generated edit may not add."""
    if source.root is None:
        return 0
    cursor = source.root.walk()
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


def first_error_line(root) -> int | None:
    """The 0-based line of the first ERROR or MISSING node under `root`, if any."""
    if not root.has_error:
        return None
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node.start_point[0]
        stack.extend(reversed([c for c in node.children if c.has_error or c.is_missing]))
    return root.start_point[0]


def check_edited(before: ParsedSource, after: str, path: str) -> str | None:
    """Why the edited text is worse than the original, or None when it is acceptable."""
    language = before.language
    added = syntax_errors(ParsedSource(after, language)) - syntax_errors(before)
    if added > 0:
        return f"the edited file has {added} new syntax error(s)"
    if language.id == "python" and _compiles(before.text, path) and not _compiles(after, path):
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
