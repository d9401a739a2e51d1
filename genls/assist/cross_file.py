"""Cross-file context for completions, from the workspace index.

Snippets, labelled with their paths, most specific first (the prompt keeps them in this
order while they fit its budget, and lays them out the other way round, see
genls.assist.prompt):
1. the head of the function or class being called at the cursor (`name(` not closed yet on the
   cursor's line): its signature, docstring, a class's fields and __init__;
2. what a module defines, when the cursor follows `module.`;
3. the definitions (signature, first doc line) of names used just before the cursor's line;
4. the chunks most similar to the code before the cursor (their first lines).

Everything but the first two is computed from the lines before the cursor's line (the
similarity query only up to the prompt's anchor line, genls.assist.prompt), so it stays the
same while the user types a line: the front of the prompt, and the model's KV cache, stay
valid. The first two change only when a new `module.` or call is opened.
"""

from __future__ import annotations

import re
from pathlib import Path

from genls.assist.completion import CompletionRequest
from genls.assist.prompt import MIDDLE_STRIDE_LINES
from genls.index.symbols import Definition
from genls.index.workspace_index import WorkspaceIndex
from genls.llm.fim import Snippet

_WINDOW_LINES = 24
_WINDOW_CHARS = 1_500
_QUERY_CHARS = 600
_MAX_DEFINITIONS = 6
_MAX_SIMILAR = 3
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
_QUALIFIER = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z0-9_]*$")
_CALLEE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*$")
_SIGNATURE_CHARS = 80
_MEMBERS_CHARS = 900
_CALLEE_LINES = 16
_CALLEE_CHARS = 900
_SIMILAR_LINES = 24


class IndexContextProvider:
    def __init__(self, index: WorkspaceIndex, similar: int = _MAX_SIMILAR) -> None:
        self.index = index
        self.similar = similar
        self._last: tuple[tuple, list[Snippet]] | None = None

    def snippets(self, request: CompletionRequest) -> list[Snippet]:
        if not self.index.ready:
            return []
        text = request.text
        cursor_line_start = text.rfind("\n", 0, request.offset) + 1
        cursor_line = text.count("\n", 0, request.offset)
        anchor_line = cursor_line - cursor_line % MIDDLE_STRIDE_LINES
        anchor = _line_start(text, cursor_line_start, cursor_line - anchor_line)
        window_start = _line_start(text, anchor, _WINDOW_LINES)
        # Names from the lines before the cursor's line: fixed while a line is typed.
        names_text = text[window_start:cursor_line_start][-_WINDOW_CHARS:]
        # The similarity query ends at the anchor: fixed for a stride of lines.
        query = text[window_start:anchor][-_QUERY_CHARS:] or names_text[-_QUERY_CHARS:]
        typed = text[cursor_line_start : request.offset]
        qualifier = _QUALIFIER.search(typed)
        module = qualifier.group(1) if qualifier else None
        callee = open_call(typed)
        key = (request.uri, names_text, query, module, callee, self.index.version)
        if self._last and self._last[0] == key:
            return self._last[1]
        current = self._relative(request.path)
        found = (
            self._callee(callee, current)
            + self._module_members(module, current)
            + self._definitions(names_text, current, skip=callee)
            + self._similar(query, current)
        )
        self._last = (key, found)
        return found

    def _relative(self, path: str) -> str | None:
        try:
            return Path(path).resolve().relative_to(self.index.root).as_posix()
        except ValueError:
            return None

    def _similar(self, query: str, current: str | None) -> list[Snippet]:
        if not self.similar:
            return []
        hits = self.index.search(query, k=self.similar, exclude_path=current, per_file=1)
        return [Snippet(hit.path, _head(hit.text, _SIMILAR_LINES)) for hit in hits]

    def _definitions(self, window: str, current: str | None, skip: str | None) -> list[Snippet]:
        # In order of first use, so a new line adds names after the ones already chosen.
        names = [n for n in dict.fromkeys(_IDENTIFIER.findall(window)) if n != skip]
        found: list[Snippet] = []
        for name in names:
            elsewhere = self._defined_elsewhere(name, current)
            if elsewhere:
                path, definition = elsewhere
                body = definition.signature
                if definition.doc:
                    body += f"\n    {definition.doc.splitlines()[0]}"
                found.append(Snippet(path, body))
            if len(found) == _MAX_DEFINITIONS:
                break
        return found

    def _module_members(self, module: str | None, current: str | None) -> list[Snippet]:
        if module is None:
            return []
        for path, definitions in self.index.module_definitions(module):
            if path == current:
                continue
            lines = [d.signature[:_SIGNATURE_CHARS] for d in definitions if d.parent is None]
            body = "\n".join(lines)[:_MEMBERS_CHARS]
            return [Snippet(path, body)] if body else []
        return []

    def _callee(self, name: str | None, current: str | None) -> list[Snippet]:
        elsewhere = self._defined_elsewhere(name, current) if name else None
        if elsewhere is None:
            return []
        path, definition = elsewhere
        body = self.index.source_head(path, definition, _CALLEE_LINES)
        if definition.kind == "class":
            init = next(
                (
                    d
                    for p, d in self.index.definitions_named("__init__")
                    if p == path and d.parent == definition.name
                ),
                None,
            )
            if init is not None:
                body += f"\n    {init.signature}"
        return [Snippet(path, body[:_CALLEE_CHARS])]

    def _defined_elsewhere(self, name: str, current: str | None) -> tuple[str, Definition] | None:
        """Where another file defines `name`; None when the current file does (it is in the
        prompt already) or no file does."""
        found = self.index.definitions_named(name)
        if any(path == current for path, _ in found):
            return None
        return next(((p, d) for p, d in found if d.parent is None), found[0] if found else None)


def open_call(typed: str) -> str | None:
    """The name of the innermost call opened and not closed in `typed` (the cursor's line up
    to the cursor): `x = load(path, parse(` -> "parse"; `f(a)` -> None."""
    depth_openings: list[int] = []
    for index, character in enumerate(typed):
        if character == "(":
            depth_openings.append(index)
        elif character == ")" and depth_openings:
            depth_openings.pop()
    if not depth_openings:
        return None
    match = _CALLEE.search(typed[: depth_openings[-1]])
    return match.group(1) if match else None


def _head(text: str, lines: int) -> str:
    return "\n".join(text.split("\n")[:lines])


def _line_start(text: str, offset: int, lines_back: int) -> int:
    start = text.rfind("\n", 0, offset) + 1
    for _ in range(lines_back):
        if start == 0:
            break
        start = text.rfind("\n", 0, start - 1) + 1
    return start
