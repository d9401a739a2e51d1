"""textDocument/codeAction. PLACEHOLDER on the refactor branch: the integrator's handler
replaces this file and calls extract_function_actions from its own."""

from __future__ import annotations

from lsprotocol import types

from genls.server.app import GenlsServer
from genls.server.extract_features import EXTRACT_FUNCTION_KIND, extract_function_actions


def register(server: GenlsServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[EXTRACT_FUNCTION_KIND]),
    )
    def code_action(ls: GenlsServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return extract_function_actions(ls, params)
