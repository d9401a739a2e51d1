"""What the workspace index adds to a docstring prompt: where the definition is called from,
and the signatures of what it calls."""

from __future__ import annotations

from genls.assist.doc_target import DocTarget
from genls.index.symbols import extract_symbols
from genls.index.workspace_index import WorkspaceIndex

_CALLERS = 2
_CALLEES = 8
_CALLER_LINES = 10


class IndexDocContext:
    def __init__(self, index: WorkspaceIndex, path: str) -> None:
        self.index = index
        self.path = path  # relative to the index root

    def __call__(self, target: DocTarget) -> str:
        if not self.index.ready:
            return ""
        parts = []
        callers = self._callers(target)
        if callers:
            parts.append("Called from:\n" + "\n".join(callers))
        callees = self._callees(target)
        if callees:
            parts.append("It calls:\n" + "\n".join(callees))
        return "\n\n".join(parts)

    def _callers(self, target: DocTarget) -> list[str]:
        """Snippets that call the name, found by BM25 over identifiers (no embedding needed)."""
        found = []
        for hit in self.index.search(target.name, k=8, rankings=("words",)):
            own = hit.path == self.path and hit.start_line <= target.definition.start_line <= (
                hit.end_line
            )
            if own or f"{target.name}(" not in hit.text:
                continue
            lines = hit.text.split("\n")[:_CALLER_LINES]
            found.append(f"# {hit.path}:{hit.start_line + 1}\n" + "\n".join(lines))
            if len(found) == _CALLERS:
                break
        return found

    def _callees(self, target: DocTarget) -> list[str]:
        calls = extract_symbols(target.code, target.language).calls
        names = dict.fromkeys(c.name for c in calls if c.name != target.name)
        found = []
        for name in names:
            definitions = self.index.definitions_named(name)
            if not definitions:
                continue
            path, definition = definitions[0]
            doc = (definition.doc or "").split("\n", 1)[0]
            found.append(f"{definition.signature}  # {path}" + (f": {doc}" if doc else ""))
            if len(found) == _CALLEES:
                break
        return found
