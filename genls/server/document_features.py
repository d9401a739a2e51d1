"""Documents opening, changing and closing: the prompt prefilled where new code is written,
and each document's edits remembered for next-edit suggestions."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from genls.errors import GenlsError
from genls.server.app import GenlsServer
from genls.server.convert import completion_request


async def did_open(ls: GenlsServer, params: types.DidOpenTextDocumentParams) -> None:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    ls.edit_history.opened(uri, document.source)
    # Prewarm at the end of the file, where new code is most often written.
    request = completion_request(document, _end_of(document.source), "utf-32")
    try:
        await ls.engine.prewarm(request)
    except GenlsError as exc:
        ls.show_error(exc)
    except asyncio.CancelledError:
        pass


def did_change(ls: GenlsServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.edit_history.changed(uri, ls.workspace.get_text_document(uri).source)


def did_close(ls: GenlsServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.edit_history.closed(params.text_document.uri)


def register(server: GenlsServer) -> None:
    server.feature(types.TEXT_DOCUMENT_DID_OPEN)(did_open)
    server.feature(types.TEXT_DOCUMENT_DID_CHANGE)(did_change)
    server.feature(types.TEXT_DOCUMENT_DID_CLOSE)(did_close)


def _end_of(text: str) -> types.Position:
    lines = text.split("\n")
    return types.Position(line=len(lines) - 1, character=len(lines[-1]))
