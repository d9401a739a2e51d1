"""textDocument/inlineCompletion (ghost text) and textDocument/completion (the list fallback).

Both ask the same engine. An accepted inline suggestion runs `genls.acceptedCompletion`, which
speculatively computes the suggestion at the new cursor so the next one shows at once; the
clients' `genls/didMoveCursor` notification prefills the prompt where the cursor came to rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Any, ClassVar

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from genls.assist.completion import CompletionRequest, Suggestion
from genls.errors import GenlsError
from genls.server import next_edit_features
from genls.server.app import GenlsServer
from genls.server.commands import register_command
from genls.server.convert import completion_request, document_or_error, position_at

log = logging.getLogger(__name__)

ACCEPTED_COMMAND = "genls.acceptedCompletion"
# Sent by genls's editor clients when the cursor comes to rest: {textDocument: {uri}, position}.
CURSOR_NOTIFICATION = "genls/didMoveCursor"
_LABEL_CHARS = 60


async def _suggest(
    ls: GenlsServer,
    uri: str,
    position: types.Position,
    selected: types.SelectedCompletionInfo | None = None,
) -> tuple[CompletionRequest, Suggestion | None]:
    document = document_or_error(ls.workspace, uri)
    request = completion_request(document, position, ls.workspace.position_encoding, selected)
    try:
        return request, await ls.engine.complete(request)
    except GenlsError as exc:
        ls.show_error(exc)
        return request, None


async def inline_completion(
    ls: GenlsServer, params: types.InlineCompletionParams
) -> types.InlineCompletionList:
    # With the completion list open, the editor shows only ghost text that continues the
    # selected item (VS Code drops the rest): the suggestion is for the text with it.
    selected = params.context.selected_completion_info if params.context else None
    request, suggestion = await _suggest(ls, params.text_document.uri, params.position, selected)
    if suggestion is None:
        if selected is not None:
            return types.InlineCompletionList(items=[])
        # No ghost text here: the next edit near the cursor, if there is one.
        document = ls.workspace.get_text_document(request.uri)
        nearby = await next_edit_features.nearby_item(ls, document, params.position)
        return types.InlineCompletionList(items=[nearby] if nearby else [])
    replaced = (
        types.Range(start=params.position, end=params.position)
        if selected is None
        else selected.range
    )
    chosen = "" if selected is None else selected.text
    start = request.offset - len(chosen)  # where the inserted text starts, once accepted
    item = types.InlineCompletionItem(
        insert_text=chosen + suggestion.text,
        range=replaced,
        command=types.Command(
            title="genls: suggestion accepted",
            command=ACCEPTED_COMMAND,
            arguments=[request.uri, start, chosen + suggestion.text],
        ),
    )
    return types.InlineCompletionList(items=[item])


async def completion(ls: GenlsServer, params: types.CompletionParams) -> types.CompletionList:
    request, suggestion = await _suggest(ls, params.text_document.uri, params.position)
    items = [] if suggestion is None else [_completion_item(request, suggestion, ls)]
    # Incomplete: the client asks again as the user types, instead of filtering a stale item.
    return types.CompletionList(is_incomplete=True, items=items)


async def did_move_cursor(ls: GenlsServer, params: Any) -> None:
    """Prefill the prompt where the cursor stopped, so the first keystroke there is cheap."""
    uri = params.textDocument.uri
    if uri not in ls.workspace.text_documents:
        return  # moved in a document the client has not opened (or already closed)
    position = types.Position(line=params.position.line, character=params.position.character)
    document = ls.workspace.get_text_document(uri)
    # A model that cannot load was reported when it failed, and a cursor past the end is
    # stale (edits overtook it): a cursor move says nothing.
    with contextlib.suppress(GenlsError, JsonRpcInvalidParams, asyncio.CancelledError):
        request = completion_request(document, position, ls.workspace.position_encoding)
        await ls.engine.prewarm(request)


def register(server: GenlsServer) -> None:
    server.feature(types.TEXT_DOCUMENT_INLINE_COMPLETION, types.InlineCompletionOptions())(
        inline_completion
    )
    server.feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[".", "(", "[", "{", ",", ":", "=", " "]),
    )(completion)
    server.feature(CURSOR_NOTIFICATION)(did_move_cursor)
    register_command(server, ACCEPTED_COMMAND, accepted, AcceptedOptions)


@dataclass(frozen=True)
class AcceptedOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ("uri", "offset", "text")
    uri: str
    offset: int  # where the accepted text starts, in the document before it was inserted
    text: str


async def accepted(ls: GenlsServer, options: AcceptedOptions) -> None:
    """After an accept, the next request will come from the end of the accepted text."""
    document = ls.workspace.text_documents.get(options.uri)
    if document is None:
        return
    source, offset, text = document.source, options.offset, options.text
    if source[offset : offset + len(text)] != text:  # the edit has not arrived yet
        source = source[:offset] + text + source[offset:]
    request = CompletionRequest(
        uri=options.uri,
        path=document.path,
        text=source,
        offset=offset + len(text),
        language_id=document.language_id,
    )
    with contextlib.suppress(GenlsError, asyncio.CancelledError):
        await ls.engine.speculate(request)


def _completion_item(
    request: CompletionRequest, suggestion: Suggestion, ls: GenlsServer
) -> types.CompletionItem:
    """One item that replaces the word being typed with that word plus the suggestion.

    Clients filter list items by the word before the cursor, so the item must start with it.
    """
    text = request.text
    start = request.offset
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    word = text[start : request.offset]
    encoding = ls.workspace.position_encoding
    edit_range = types.Range(
        start=position_at(text, start, encoding), end=position_at(text, request.offset, encoding)
    )
    first_line = suggestion.text.split("\n", 1)[0]
    label = (word + first_line).strip() or suggestion.text.strip()
    return types.CompletionItem(
        label=label[:_LABEL_CHARS],
        kind=types.CompletionItemKind.Snippet
        if suggestion.multiline
        else types.CompletionItemKind.Text,
        detail="genls",
        documentation=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value=f"```\n{word}{suggestion.text}\n```"
        ),
        filter_text=word + first_line,
        sort_text="0",
        insert_text_format=types.InsertTextFormat.PlainText,
        text_edit=types.TextEdit(range=edit_range, new_text=word + suggestion.text),
    )
