"""The workspace index in the editor: background indexing with $/progress, workspace/symbol,
`genls.search`, `genls.index`, and re-indexing on save."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from lsprotocol import types
from pygls.uris import to_fs_path

from genls.errors import GenlsError
from genls.index.workspace_index import WorkspaceIndex
from genls.server.app import GenlsServer
from genls.server.commands import NoOptions, register_command
from genls.server.progress import CLIENT_REPLY_TIMEOUT_S, ServerJob

log = logging.getLogger(__name__)

SEARCH_COMMAND = "genls.search"
INDEX_COMMAND = "genls.index"
_SYMBOL_KINDS = {
    "function": types.SymbolKind.Function,
    "method": types.SymbolKind.Method,
    "class": types.SymbolKind.Class,
    "type": types.SymbolKind.Struct,
    "constant": types.SymbolKind.Constant,
}


async def index_workspace(ls: GenlsServer) -> dict[str, Any] | None:
    """Load the stored index, then bring it up to date, reporting $/progress."""
    index = ls.index
    if index is None:
        return None
    async with ServerJob(ls, "genls: indexing", cancellable=False, done="index ready") as job:
        last_percent = -1

        def report(done: int, total: int, path: str) -> None:
            nonlocal last_percent
            percent = 100 * done // max(total, 1)
            if percent != last_percent:
                last_percent = percent
                job.report(f"{done}/{total} files", percent)

        try:
            await ls.run_in_index_thread(index.load)
            if index.store_problem:  # the editor keeps working: everything is indexed here
                ls.show_error(GenlsError(f"{index.store_problem}; indexing this workspace here"))
            # Stops between files when the server closes or another index replaces this one.
            summary = await ls.run_in_index_thread(
                index.update, report, lambda: job.should_stop() or ls.index is not index
            )
        except GenlsError as exc:
            ls.show_error(GenlsError(f"indexing stopped: {exc}; the index keeps its last state"))
            return None
    if summary is None:
        return None
    log.info(
        "indexed %d files (%d changed, %d removed), %d chunks in %.1fs",
        summary.files,
        summary.changed,
        summary.removed,
        summary.chunks,
        summary.seconds,
    )
    return summary.__dict__


async def watch_files(ls: GenlsServer) -> None:
    """Ask the client to report file changes on disk, if it can register watchers."""
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if ls.index is None or not (watched and watched.dynamic_registration):
        return
    registration = types.Registration(
        id=str(uuid.uuid4()),
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(
            watchers=[types.FileSystemWatcher(glob_pattern="**/*")]
        ),
    )
    try:
        await asyncio.wait_for(
            ls.client_register_capability_async(types.RegistrationParams([registration])),
            CLIENT_REPLY_TIMEOUT_S,
        )
    except Exception:  # didSave still keeps open files indexed
        log.debug("the client did not register the file watcher", exc_info=True)


def reopen_index(ls: GenlsServer) -> None:
    """The index settings changed: the index opens again with them at once (requests from
    now on see it) and is brought up to date in the background."""
    old = ls.index
    ls.open_index(ls.root)  # the old one's update sees it is replaced and stops
    ls.indexing = asyncio.ensure_future(_replace_index(ls, old))


async def _replace_index(ls: GenlsServer, old: WorkspaceIndex | None) -> dict[str, Any] | None:
    if old is not None:
        await ls.run_in_index_thread(old.close)  # queued after its update, which stops
    return await index_workspace(ls)


@dataclass(frozen=True)
class SearchOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ("query", "k")
    query: str
    k: int = 10  # how many hits


async def search(ls: GenlsServer, options: SearchOptions) -> list[dict[str, Any]]:
    index = ls.index
    if index is None:
        return []
    hits = await ls.read_index(index.search, options.query, options.k)
    return [
        {
            "uri": (index.root / hit.path).as_uri(),
            "path": hit.path,
            "range": {
                "start": {"line": hit.start_line, "character": 0},
                "end": {"line": hit.end_line + 1, "character": 0},
            },
            "symbol": hit.symbol,
            "score": round(hit.score, 5),
            "text": hit.text,
        }
        for hit in hits
    ]


async def reindex(ls: GenlsServer, options: NoOptions) -> dict[str, Any] | None:
    return await index_workspace(ls)


def did_change_watched_files(ls: GenlsServer, params: types.DidChangeWatchedFilesParams) -> None:
    paths = [to_fs_path(change.uri) for change in params.changes]
    ls.file_changes.add([Path(path) for path in paths if path])


async def workspace_symbol(
    ls: GenlsServer, params: types.WorkspaceSymbolParams
) -> list[types.WorkspaceSymbol]:
    index = ls.index
    if index is None:
        return []
    found = await ls.read_index(index.find_symbols, params.query)
    return [
        types.WorkspaceSymbol(
            name=definition.name,
            kind=_SYMBOL_KINDS.get(definition.kind, types.SymbolKind.Variable),
            container_name=definition.parent,
            location=types.Location(
                uri=(index.root / path).as_uri(),
                range=types.Range(
                    start=types.Position(line=definition.start_line, character=0),
                    end=types.Position(line=definition.end_line, character=0),
                ),
            ),
        )
        for path, definition in found
    ]


async def did_save(ls: GenlsServer, params: types.DidSaveTextDocumentParams) -> None:
    index = ls.index
    path = to_fs_path(params.text_document.uri)
    if (
        index is None
        or path is None
        or params.text_document.uri not in (ls.workspace.text_documents)
    ):
        return
    text = ls.workspace.get_text_document(params.text_document.uri).source
    try:
        await ls.run_in_index_thread(index.update_paths, [Path(path)], {Path(path): text})
    except GenlsError as exc:
        ls.show_error(exc)


def register(server: GenlsServer) -> None:
    register_command(server, SEARCH_COMMAND, search, SearchOptions)
    register_command(server, INDEX_COMMAND, reindex, NoOptions)
    server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(did_change_watched_files)
    server.feature(types.WORKSPACE_SYMBOL)(workspace_symbol)
    server.feature(types.TEXT_DOCUMENT_DID_SAVE)(did_save)
