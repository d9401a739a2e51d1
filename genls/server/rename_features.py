"""textDocument/prepareRename and textDocument/rename over genls.assist.rename.

The workspace's files come from the index (its file list and definitions); open documents are
read as the editor has them, unsaved changes included. Without a ready index, only the file
being edited is searched, and the log says so.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.uris import to_fs_path

from genls.assist.name_suggestion import suggest_name
from genls.assist.rename import RenameError, Sources, prepare_rename, rename
from genls.index.languages import language_for
from genls.index.symbols import Definition
from genls.server.app import GenlsServer
from genls.server.commands import CommandRefused, register_command, run_job
from genls.server.convert import document_or_error, offset_at, position_at
from genls.server.progress import ServerJob
from genls.server.workspace_edits import workspace_edit

SUGGEST_NAME_COMMAND = "genls.suggestName"

log = logging.getLogger(__name__)
T = TypeVar("T")


class _RequestFailed(JsonRpcException):
    """LSP's RequestFailed: the request was valid, the answer is a message for the user."""

    CODE = types.LSPErrorCodes.RequestFailed.value


def _open_documents(ls: GenlsServer) -> dict[Path, tuple[str, str, int | None]]:
    """Path -> (uri, text, version) of every open document, read on the event loop."""
    documents = {}
    for uri, document in list(ls.workspace.text_documents.items()):
        path = to_fs_path(uri)
        if path:
            documents[Path(path).resolve()] = (uri, document.source, document.version)
    return documents


def _sources(ls: GenlsServer, path: Path, texts: dict[Path, str]) -> Sources:
    def read(file: Path) -> str | None:
        if file in texts:
            return texts[file]
        try:
            return file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    index = ls.index
    if index is None or not index.ready:
        log.info("rename without the workspace index (off or not ready): only %s is searched", path)
        return Sources((path,), read)
    root = index.root

    def definitions_named(name: str) -> list[tuple[Path, Definition]]:
        return [(root / relative, d) for relative, d in index.definitions_named(name)]

    paths = [root / relative for relative in index.paths()] + list(texts)
    return Sources(tuple(dict.fromkeys(paths)), read, definitions_named)


async def _off_loop(function: Callable[..., T], *args: object) -> T:
    """Reading and parsing files is blocking work: it runs on a worker thread."""
    try:
        return await asyncio.get_running_loop().run_in_executor(None, function, *args)
    except RenameError as exc:
        log.info("rename refused: %s", exc)
        raise _RequestFailed(str(exc)) from exc


async def prepare(
    ls: GenlsServer, params: types.PrepareRenameParams
) -> types.PrepareRenamePlaceholder:
    document = document_or_error(ls.workspace, params.text_document.uri)
    encoding = ls.workspace.position_encoding
    path = Path(document.path).resolve()
    documents = _open_documents(ls)
    texts = {p: text for p, (_, text, _) in documents.items()}
    offset = offset_at(document.source, params.position, encoding)
    symbol = await _off_loop(prepare_rename, _sources(ls, path, texts), path, offset)
    return types.PrepareRenamePlaceholder(
        range=types.Range(
            start=position_at(document.source, symbol.start, encoding),
            end=position_at(document.source, symbol.end, encoding),
        ),
        placeholder=symbol.name,
    )


async def rename_symbol(ls: GenlsServer, params: types.RenameParams) -> types.WorkspaceEdit:
    document = document_or_error(ls.workspace, params.text_document.uri)
    path = Path(document.path).resolve()
    documents = _open_documents(ls)
    texts = {p: text for p, (_, text, _) in documents.items()}
    offset = offset_at(document.source, params.position, ls.workspace.position_encoding)
    sources = _sources(ls, path, texts)
    files = await _off_loop(rename, sources, path, offset, params.new_name)
    log.info(
        "rename to %s: %d edits in %d files",
        params.new_name,
        sum(len(f.edits) for f in files),
        len(files),
    )
    return workspace_edit(ls, files, {p: (uri, v) for p, (uri, _, v) in documents.items()})


def register(server: GenlsServer) -> None:
    server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)(prepare)
    server.feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))(
        rename_symbol
    )
    register_command(server, SUGGEST_NAME_COMMAND, suggest_better_name, SuggestNameOptions)


@dataclass(frozen=True)
class SuggestNameOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ("uri", "line")
    uri: str
    line: int  # 0-based, where the definition starts


async def suggest_better_name(ls: GenlsServer, options: SuggestNameOptions) -> dict[str, Any]:
    """The model proposes a name for the definition starting at `line`; the rename is the
    deterministic one above, sent as a workspace/applyEdit."""
    document = document_or_error(ls.workspace, options.uri)
    path = Path(document.path).resolve()
    text = document.source
    language = language_for(document.language_id, str(path))
    documents = _open_documents(ls)
    # One Sources for the request: the document is parsed once, for all three steps.
    sources = _sources(ls, path, {p: t for p, (_, t, _) in documents.items()})
    parsed = await asyncio.to_thread(sources.parsed, path)
    definitions = parsed.symbols.definitions if parsed is not None else ()
    definition = next((d for d in definitions if d.start_line == options.line), None)
    if definition is None:
        raise CommandRefused(f"no definition starts on line {options.line + 1}")
    offset = _name_offset(text, definition)
    await asyncio.to_thread(prepare_rename, sources, path, offset)  # can it be renamed at all?
    code = text.encode("utf-8")[definition.start_byte : definition.end_byte].decode()

    def work(job: ServerJob):
        return suggest_name(ls.instruction, definition.name, code, language.id, job.should_stop)

    suggestion = await run_job(
        ls, f"genls: naming {definition.name}", ls.instruction_executor, work
    )
    files = await asyncio.to_thread(rename, sources, path, offset, suggestion.name)
    edit = workspace_edit(ls, files, {p: (u, v) for p, (u, _, v) in documents.items()})
    result = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(
            edit=edit, label=f"Rename {definition.name} to {suggestion.name}"
        )
    )
    return {
        "applied": result.applied,
        "old": definition.name,
        "new": suggestion.name,
        "reason": suggestion.reason,
        "files": len(files),
    }


def _name_offset(text: str, definition: Definition) -> int:
    """Where the definition's name is written: its first occurrence after `def`/`fn`/..."""
    start = len(text.encode("utf-8")[: definition.start_byte].decode("utf-8", "replace"))
    found = re.search(rf"\b{re.escape(definition.name)}\b", text[start:])
    return start + (found.start() if found else 0)
