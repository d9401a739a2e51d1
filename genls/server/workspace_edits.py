"""FileEdits (offsets) -> an LSP WorkspaceEdit (positions in the negotiated encoding)."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from genls.assist.text_edit import FileEdits
from genls.server.app import GenlsServer
from genls.server.convert import position_at


def workspace_edit(
    ls: GenlsServer,
    files: list[FileEdits],
    documents: dict[Path, tuple[str, int | None]],
) -> types.WorkspaceEdit:
    """Versioned document changes where the client supports them, else plain changes.

    `documents`: path -> (uri, version) of the open documents; other files get version None.
    """
    encoding = ls.workspace.position_encoding
    changes: list[tuple[str, int | None, list[types.TextEdit]]] = []
    for file in files:
        uri, version = documents.get(file.path, (file.path.as_uri(), None))
        edits = [
            types.TextEdit(
                range=types.Range(
                    start=position_at(file.text, edit.start, encoding),
                    end=position_at(file.text, edit.end, encoding),
                ),
                new_text=edit.new_text,
            )
            for edit in file.edits
        ]
        changes.append((uri, version, edits))
    workspace = ls.client_capabilities.workspace
    edit_capabilities = workspace.workspace_edit if workspace else None
    if edit_capabilities and edit_capabilities.document_changes:
        return types.WorkspaceEdit(
            document_changes=[
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(
                        uri=uri, version=version
                    ),
                    edits=list(edits),
                )
                for uri, version, edits in changes
            ]
        )
    return types.WorkspaceEdit(changes={uri: edits for uri, _, edits in changes})
