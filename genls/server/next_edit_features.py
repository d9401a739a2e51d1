"""Next-edit suggestions over LSP.

`genls/nextEdit` (params: textDocument, position; result: uri, range, newText, reason, or
null) gives the next edit wherever it is: near the cursor, or a jump to the next use of a
name just renamed. On the cursor's line, the same edit also comes as a standard inline
completion whose range replaces text (LSP 3.18), when there is no ghost text to show.
Accepting either runs `genls.acceptedNextEdit`, so the edit history knows the edit was a
suggestion.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.workspace import TextDocument

from genls.assist.next_edit import NextEdit, NextEditRequest
from genls.errors import GenlsError
from genls.index.languages import language_for
from genls.index.symbols import ParsedSource
from genls.server.app import GenlsServer
from genls.server.commands import register_command
from genls.server.convert import document_or_error, offset_at, position_at

NEXT_EDIT_REQUEST = "genls/nextEdit"
ACCEPTED_COMMAND = "genls.acceptedNextEdit"
# Ghost text had nothing: a next-edit model is asked only once the person pauses this long.
MODEL_PAUSE_SECONDS = 0.3


async def next_edit(ls: GenlsServer, params: Any) -> dict[str, Any] | None:
    try:
        uri = params.textDocument.uri
        position = types.Position(params.position.line, params.position.character)
    except AttributeError as exc:
        raise JsonRpcInvalidParams("genls/nextEdit needs textDocument and position") from exc
    document = document_or_error(ls.workspace, uri)
    text, version = document.source, document.version
    found = await _predict(ls, document, position)
    if found is None or document.version != version:
        return None  # nothing, or an answer for a text the person has since changed
    encoding = ls.workspace.position_encoding
    return {
        "uri": uri,
        "range": _range(text, found, encoding),
        "newText": found.new_text,
        "reason": found.reason,
        "source": found.source,
        "command": {
            "title": "genls: next edit accepted",
            "command": ACCEPTED_COMMAND,
            "arguments": [uri],
        },
    }


def register(server: GenlsServer) -> None:
    server.feature(NEXT_EDIT_REQUEST)(next_edit)
    register_command(server, ACCEPTED_COMMAND, accepted, AcceptedOptions)


@dataclass(frozen=True)
class AcceptedOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ("uri",)
    uri: str


async def accepted(ls: GenlsServer, options: AcceptedOptions) -> None:
    """The edit history marks the person's next change as an accepted suggestion."""
    ls.edit_history.accepted(options.uri)


async def nearby_item(
    ls: GenlsServer, document: TextDocument, position: types.Position
) -> types.InlineCompletionItem | None:
    """The next edit as an inline completion that replaces text, on the cursor's line."""
    if not ls.settings.next_edit.enabled or not ls.edit_history.events(document.uri):
        return None
    text, version = document.source, document.version
    if ls.settings.next_edit.model is not None:
        # Between keystrokes the model would only start to be stopped again, and each start
        # delays the next completion by one step: wait for a pause in the typing.
        await asyncio.sleep(MODEL_PAUSE_SECONDS)
        if document.version != version or document.uri not in ls.workspace.text_documents:
            return None  # the person typed on: a newer request asks again
    found = await _predict(ls, document, position)
    if found is None or document.version != version:
        return None
    edit_range = _range_of(text, found, ls.workspace.position_encoding)
    if not edit_range.start.line == edit_range.end.line == position.line:
        # An inline completion's range stays on one line (LSP 3.18), and editors show one
        # only on the cursor's line: another line's edit is for genls/nextEdit.
        return None
    return types.InlineCompletionItem(
        insert_text=found.new_text,
        range=edit_range,
        command=types.Command(
            title="genls: next edit accepted", command=ACCEPTED_COMMAND, arguments=[document.uri]
        ),
    )


async def _predict(
    ls: GenlsServer, document: TextDocument, position: types.Position
) -> NextEdit | None:
    try:
        return await ls.next_edit.predict(_request(ls, document, position))
    except GenlsError as exc:
        ls.show_error(exc)
        return None


def _request(ls: GenlsServer, document: TextDocument, position: types.Position) -> NextEditRequest:
    text = document.source
    return NextEditRequest(
        uri=document.uri,
        path=document.path,
        source=ParsedSource(text, language_for(document.language_id, document.path)),
        offset=offset_at(text, position, ls.workspace.position_encoding),
        language_id=document.language_id,
        events=tuple(ls.edit_history.events(document.uri)),
        root=ls.root,
    )


def _range_of(text: str, found: NextEdit, encoding: str) -> types.Range:
    return types.Range(
        start=position_at(text, found.start, encoding), end=position_at(text, found.end, encoding)
    )


def _range(text: str, found: NextEdit, encoding: str) -> dict[str, Any]:
    edit_range = _range_of(text, found, encoding)
    return {
        "start": {"line": edit_range.start.line, "character": edit_range.start.character},
        "end": {"line": edit_range.end.line, "character": edit_range.end.character},
    }
