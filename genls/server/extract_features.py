"""Extract into function (Python), as a code action: offered only where the selection can be
extracted, with its WorkspaceEdit computed at once (a syntax tree walk, no model).

The codeAction handler itself lives in code_action_features.py (pygls allows one handler per
method); it calls extract_function_actions.
"""

from __future__ import annotations

import logging
from pathlib import Path

from lsprotocol import types

from genls.assist.extract_function import ExtractError, extract_function
from genls.assist.text_edit import FileEdits
from genls.index.languages import language_for
from genls.server.app import GenlsServer
from genls.server.convert import offset_at
from genls.server.workspace_edits import workspace_edit

log = logging.getLogger(__name__)

EXTRACT_FUNCTION_KIND = "refactor.extract.function"
EXTRACT_FUNCTION_TITLE = "Extract into function"


def extract_function_actions(
    ls: GenlsServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    """The "Extract into function" action for the selection, or none where it cannot apply.

    Cheap (milliseconds: one ast.parse, one compile) and synchronous; call it from the
    textDocument/codeAction handler.
    """
    if not _wanted(params.context.only):
        return []
    uri = params.text_document.uri
    if uri not in ls.workspace.text_documents:
        return []
    document = ls.workspace.get_text_document(uri)
    path = document.path or uri
    if language_for(document.language_id, path).id != "python":
        return []
    text = document.source
    encoding = ls.workspace.position_encoding
    start = offset_at(text, params.range.start, encoding)
    end = offset_at(text, params.range.end, encoding)
    if start == end:
        return []
    try:
        extraction = extract_function(text, start, end, filename=path)
    except ExtractError as exc:
        log.debug("no extract action at %s: %s", params.range, exc)
        return []
    file = Path(path)
    edit = workspace_edit(
        ls, [FileEdits(file, text, extraction.edits)], {file: (uri, document.version)}
    )
    return [types.CodeAction(title=EXTRACT_FUNCTION_TITLE, kind=EXTRACT_FUNCTION_KIND, edit=edit)]


def _wanted(only: list[str] | None) -> bool:
    """Kinds are hierarchical: asking for "refactor" or "refactor.extract" includes ours."""
    if not only:
        return True
    return any(kind in ("", EXTRACT_FUNCTION_KIND) or _starts(kind) for kind in only)


def _starts(kind: str) -> bool:
    return EXTRACT_FUNCTION_KIND.startswith(kind + ".")
