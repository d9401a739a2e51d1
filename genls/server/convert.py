"""LSP positions <-> offsets into a document's text, and requests built from documents.

LSP counts characters in the negotiated encoding (UTF-16 unless the client chose otherwise);
Python strings count code points. A character past the end of its line means the end of the
line (as the specification says); a line past the end of the document is an error.
"""

from __future__ import annotations

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from genls.assist.completion import CompletionRequest


def _units(char: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(char.encode("utf-8"))
    if encoding == types.PositionEncodingKind.Utf32:
        return 1
    return 2 if ord(char) > 0xFFFF else 1


def _line_bounds(text: str, line: int) -> tuple[int, int]:
    start = 0
    for _ in range(line):
        newline = text.find("\n", start)
        if newline < 0:
            raise JsonRpcInvalidParams(f"line {line} is past the end of the document")
        start = newline + 1
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    if end > start and text[end - 1] == "\r":
        end -= 1
    return start, end


def offset_at(text: str, position: types.Position, encoding: str) -> int:
    start, end = _line_bounds(text, position.line)
    units = 0
    for index in range(start, end):
        if units >= position.character:
            return index
        units += _units(text[index], encoding)
    return end


def position_at(text: str, offset: int, encoding: str) -> types.Position:
    line = text.count("\n", 0, offset)
    line_start = text.rfind("\n", 0, offset) + 1
    character = sum(_units(ch, encoding) for ch in text[line_start:offset])
    return types.Position(line=line, character=character)


def document_or_error(workspace, uri: str) -> TextDocument:
    """Only documents the client opened are served: their text is what the user sees."""
    if uri not in workspace.text_documents:
        raise JsonRpcInvalidParams(f"unknown document {uri}: open it (didOpen) first")
    return workspace.get_text_document(uri)


def completion_request(
    document: TextDocument,
    position: types.Position,
    encoding: str,
    selected: types.SelectedCompletionInfo | None = None,
) -> CompletionRequest:
    """The request at `position`; with `selected` (the item selected in the editor's
    completion list, LSP 3.18), at the end of that item in the text as it will be once the
    item is accepted: ghost text shown with the list open continues the item."""
    text = document.source
    offset = offset_at(text, position, encoding)
    if selected is not None:
        start = offset_at(text, selected.range.start, encoding)
        end = offset_at(text, selected.range.end, encoding)
        text = text[:start] + selected.text + text[end:]
        offset = start + len(selected.text)
    path = to_fs_path(document.uri) or document.uri
    return CompletionRequest(
        uri=document.uri,
        path=path,
        text=text,
        offset=offset,
        language_id=document.language_id,
    )
