"""textDocument/codeLens: one handler (pygls allows one per method) for the lenses of every
feature: diagrams (ready at once) and history ("changed N times", resolved lazily)."""

from __future__ import annotations

import asyncio

from lsprotocol import types

from genls.server.app import GenlsServer
from genls.server.diagram_features import diagram_lenses
from genls.server.history_features import history_lenses, resolve_history_lens


def register(server: GenlsServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=True))
    async def code_lens(ls: GenlsServer, params: types.CodeLensParams) -> list[types.CodeLens]:
        if params.text_document.uri not in ls.workspace.text_documents:
            return []

        def lenses() -> list[types.CodeLens]:  # parses the document: off the event loop
            return [*diagram_lenses(ls, params.text_document.uri), *history_lenses(ls, params)]

        return await asyncio.to_thread(lenses)

    @server.feature(types.CODE_LENS_RESOLVE)
    async def resolve(ls: GenlsServer, lens: types.CodeLens) -> types.CodeLens:
        if lens.command is not None:  # a diagram lens comes with its command
            return lens
        return await resolve_history_lens(ls, lens)
