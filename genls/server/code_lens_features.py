"""textDocument/codeLens: one handler (pygls allows one per method) for the lenses of every
feature: diagrams (ready at once) and history ("changed N times", resolved lazily)."""

from __future__ import annotations

import asyncio

from lsprotocol import types
from pygls.uris import to_fs_path

from genls.index.languages import language_for
from genls.index.symbols import extract_symbols
from genls.server.app import GenlsServer
from genls.server.diagram_features import diagram_lenses
from genls.server.history_features import history_lenses, resolve_history_lens


async def code_lens(ls: GenlsServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    uri = params.text_document.uri
    document = ls.workspace.text_documents.get(uri)
    path = to_fs_path(uri)
    if document is None or path is None:
        return []

    def lenses() -> list[types.CodeLens]:  # parses the document: off the event loop
        language = language_for(document.language_id, path)
        symbols = extract_symbols(document.source, language)
        return [*diagram_lenses(uri, path, symbols), *history_lenses(ls, uri, symbols)]

    return await asyncio.to_thread(lenses)


async def resolve(ls: GenlsServer, lens: types.CodeLens) -> types.CodeLens:
    if lens.command is not None:  # a diagram lens comes with its command
        return lens
    return await resolve_history_lens(ls, lens)


def register(server: GenlsServer) -> None:
    server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=True))(
        code_lens
    )
    server.feature(types.CODE_LENS_RESOLVE)(resolve)
