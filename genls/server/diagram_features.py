"""Diagrams in the editor: the `genls.diagram` command, and code actions and code lenses
offering it on a class, a function, a file and its folder.

The work (scanning and parsing the workspace, Graphviz) runs on a worker thread; the file
arrives through workspace/applyEdit (CreateFile + a TextEdit, so the editor can undo it) and
the command returns its URI for the editor to open. A PNG is bytes, which a WorkspaceEdit
cannot carry: it is written to disk directly, as is any file for a client without
applyEdit or file creation.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from genls.assist.diagram import (
    TEXT_FORMATS,
    Diagram,
    DiagramRequest,
    markdown_with_diagram,
    relative_scope,
)
from genls.atomic_files import write_files
from genls.errors import GenlsError
from genls.index.symbols import Definition, FileSymbols, ParsedSource
from genls.server.app import GenlsServer
from genls.server.commands import register_command
from genls.server.progress import ServerJob

log = logging.getLogger(__name__)

DIAGRAM_COMMAND = "genls.diagram"
CODE_ACTION_KIND = types.CodeActionKind.Source + ".genls.diagram"
_CLASS_KINDS = ("class", "type")
_FUNCTION_KINDS = ("function", "method")


@dataclass(frozen=True)
class DiagramOptions:
    kind: str  # classes | calls | imports
    uri: str | None = None  # a file or folder; default the workspace
    symbol: str | None = None  # a class, or for calls a function
    format: str = "mmd"  # mmd, dot, svg, png
    depth: int = 2  # calls
    max_nodes: int | None = None  # default the diagramMaxNodes setting
    markdown: str | None = None  # the URI of a markdown file to put a Mermaid block in instead


async def diagram(ls: GenlsServer, options: DiagramOptions) -> dict[str, Any]:
    assert ls.root is not None  # needs_workspace
    root = ls.root.resolve()
    request = DiagramRequest(
        kind=options.kind,
        scope=relative_scope(root, Path(to_fs_path(options.uri) or options.uri))
        if options.uri
        else ".",
        symbol=options.symbol or None,
        format="md" if options.markdown else options.format,
        depth=options.depth,
        max_nodes=options.max_nodes or ls.settings.assets.diagram_max_nodes,
    )
    request.check()
    async with ServerJob(ls, f"genls: {request.kind} diagram", cancellable=False):
        drawn = await asyncio.to_thread(
            ls.diagrams.make, root, request, ls.settings.index.max_file_bytes
        )
        if options.markdown:
            target = Path(to_fs_path(options.markdown) or options.markdown)
        else:
            target = root / ls.settings.assets.diagram_folder / _file_name(request, drawn)
        await _deliver(ls, target, request, drawn)
    for warning in drawn.warnings:
        ls.refuse(warning)
    return {
        "applied": True,
        "uri": target.as_uri(),
        "format": drawn.format,
        "nodes": len(drawn.graph.nodes),
        "edges": len(drawn.graph.edges),
        "notes": list(drawn.graph.notes),
        "warnings": list(drawn.warnings),
    }


def register(server: GenlsServer) -> None:
    register_command(server, DIAGRAM_COMMAND, diagram, DiagramOptions, needs_workspace=True)


def diagram_actions(
    ls: GenlsServer, params: types.CodeActionParams, source: ParsedSource
) -> list[types.CodeAction]:
    """Diagram code actions for the code_action_features handler (one handler per method)."""
    only = params.context.only
    if only and not any(CODE_ACTION_KIND.startswith(kind) for kind in only):
        return []
    commands = _commands_at(params.text_document.uri, source, params.range.start.line)
    return [
        types.CodeAction(title=command.title, kind=CODE_ACTION_KIND, command=command)
        for command in commands
    ]


def _file_name(request: DiagramRequest, drawn: Diagram) -> str:
    """The asked name, with the suffix of what was really drawn (mmd when dot is missing)."""
    return request.file_name.rsplit(".", 1)[0] + "." + drawn.format


async def _deliver(ls: GenlsServer, target: Path, request: DiagramRequest, drawn: Diagram) -> None:
    if drawn.format == "md":
        document = ls.workspace.text_documents.get(target.as_uri())
        if document is not None:
            old = document.source
        else:
            old = await asyncio.to_thread(_text_or_empty, target)
        content = markdown_with_diagram(old, request, drawn)
    else:
        old, content = "", drawn.text if drawn.format in TEXT_FORMATS else ""
    if drawn.format not in TEXT_FORMATS or not _can_create_files(ls):
        data = content.encode("utf-8") if drawn.format in TEXT_FORMATS else drawn.content
        await asyncio.to_thread(write_files, {target: data})
        return
    uri = target.as_uri()
    changes: list[Any] = []
    if drawn.format != "md" or not await asyncio.to_thread(target.exists):
        changes.append(types.CreateFile(uri=uri, options=types.CreateFileOptions(overwrite=True)))
    end = _end_of(old) if drawn.format == "md" else types.Position(line=0, character=0)
    changes.append(
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
            edits=[
                types.TextEdit(
                    range=types.Range(start=types.Position(line=0, character=0), end=end),
                    new_text=content,
                )
            ],
        )
    )
    # Editors create files, not folders.
    await asyncio.to_thread(target.parent.mkdir, parents=True, exist_ok=True)
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(
            edit=types.WorkspaceEdit(document_changes=changes), label="genls: diagram"
        )
    )
    if not result.applied:
        raise GenlsError(f"the editor did not write {target}: {result.failure_reason or ''}")


def _text_or_empty(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _can_create_files(ls: GenlsServer) -> bool:
    workspace = ls.client_capabilities.workspace
    if workspace is None or not workspace.apply_edit:
        return False
    edit = workspace.workspace_edit
    return bool(
        edit
        and edit.document_changes
        and types.ResourceOperationKind.Create in (edit.resource_operations or [])
    )


def _end_of(text: str) -> types.Position:
    lines = text.split("\n")
    return types.Position(line=len(lines) - 1, character=len(lines[-1]))


def _commands_at(uri: str, source: ParsedSource, line: int) -> list[types.Command]:
    """Diagram commands for the definition at `line`, then the file's classes and its
    folder's imports."""
    path = to_fs_path(uri)
    if path is None or source.language.query("classes") is None:  # no graph to draw
        return []
    commands = []
    definition = source.symbols.innermost(line)
    if definition is not None:
        commands += _definition_commands(uri, definition)
    folder = Path(path).parent.as_uri()
    commands.append(_command("genls: class diagram of this file", "classes", uri))
    commands.append(_command("genls: import diagram of this folder", "imports", folder))
    return commands


def _definition_commands(uri: str, definition: Definition) -> list[types.Command]:
    if definition.kind in _CLASS_KINDS:
        name = definition.name
        return [_command(f"genls: class diagram of {name}", "classes", uri, name)]
    if definition.kind in _FUNCTION_KINDS:
        symbol = definition.qualified_name
        return [_command(f"genls: call graph of {symbol}", "calls", uri, symbol)]
    return []


def _command(title: str, kind: str, uri: str, symbol: str | None = None) -> types.Command:
    options: dict[str, Any] = {"kind": kind, "uri": uri}
    if symbol:
        options["symbol"] = symbol
    return types.Command(title=title, command=DIAGRAM_COMMAND, arguments=[options])


def diagram_lenses(uri: str, path: str, symbols: FileSymbols) -> list[types.CodeLens]:
    lenses = []
    for definition in symbols.definitions:
        for command in _definition_commands(uri, definition):
            command.title = command.title.removeprefix("genls: ").split(" of ")[0].capitalize()
            position = types.Position(line=definition.start_line, character=0)
            lenses.append(
                types.CodeLens(range=types.Range(start=position, end=position), command=command)
            )
    if symbols.imports:
        folder = Path(path).parent.as_uri()
        command = _command("Import diagram of this folder", "imports", folder)
        start = types.Position(line=0, character=0)
        lenses.insert(0, types.CodeLens(range=types.Range(start=start, end=start), command=command))
    return lenses
