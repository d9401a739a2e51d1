"""Cross-file context for completions, from the workspace index.

Two kinds of snippets, labelled with their paths in the prompt: the definitions (signature and
docstring) of names used just before the cursor, and the chunks most similar to that code.
Both are computed from the lines before the cursor's line, the similarity query only up to the
prompt's anchor line (genls.assist.prompt), so they stay the same while the user types a line,
and mostly while they add lines: the front of the prompt, and the model's KV cache, stay valid.
"""

from __future__ import annotations

import re
from pathlib import Path

from genls.assist.completion import CompletionRequest
from genls.assist.prompt import MIDDLE_STRIDE_LINES
from genls.index.workspace_index import WorkspaceIndex
from genls.llm.fim import Snippet

_WINDOW_LINES = 24
_WINDOW_CHARS = 1_500
_QUERY_CHARS = 600
_MAX_DEFINITIONS = 6
_MAX_SIMILAR = 3
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
_QUALIFIER = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\.[A-Za-z0-9_]*$")
_SIGNATURE_CHARS = 80
_MEMBERS_CHARS = 900


class IndexContextProvider:
    def __init__(self, index: WorkspaceIndex) -> None:
        self.index = index
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
        # `module.` right before the cursor: what that module defines (fixed while the member
        # name is typed).
        qualifier = _QUALIFIER.search(text[cursor_line_start : request.offset])
        module = qualifier.group(1) if qualifier else None
        key = (request.uri, names_text, query, module, self.index.version)
        if self._last and self._last[0] == key:
            return self._last[1]
        current = self._relative(request.path)
        found = (
            self._module_members(module, current)
            + self._definitions(names_text, current)
            + self._similar(query, current)
        )
        self._last = (key, found)
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

    def _relative(self, path: str) -> str | None:
        try:
            return Path(path).resolve().relative_to(self.index.root).as_posix()
        except ValueError:
            return None

    def _definitions(self, window: str, current: str | None) -> list[Snippet]:
        # In order of first use, so a new line adds names after the ones already chosen.
        names = list(dict.fromkeys(_IDENTIFIER.findall(window)))
        found: list[Snippet] = []
        for name in names:
            for path, definition in self.index.definitions_named(name):
                if path == current:
                    continue
                body = definition.signature
                if definition.doc:
                    body += f"\n    {definition.doc.splitlines()[0]}"
                found.append(Snippet(path, body))
                break
            if len(found) == _MAX_DEFINITIONS:
                break
        return found

    def _similar(self, query: str, current: str | None) -> list[Snippet]:
        hits = self.index.search(query, k=_MAX_SIMILAR, exclude_path=current, per_file=1)
        return [Snippet(hit.path, hit.text) for hit in hits]


def _line_start(text: str, offset: int, lines_back: int) -> int:
    start = text.rfind("\n", 0, offset) + 1
    for _ in range(lines_back):
        if start == 0:
            break
        start = text.rfind("\n", 0, start - 1) + 1
    return start
