"""Docstrings and refactors in the editor: code actions that run commands, each command a
cancellable job with $/progress whose result arrives as a workspace/applyEdit (so undo works).
The one textDocument/codeAction handler is here; it also offers extract-function and diagrams.

The model runs on the server's instruction thread; a failed check or a bad position comes back
as a refusal (genls.server.commands), and the document is not touched.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from genls.assist.code_action_offers import Offer, model_offers
from genls.assist.doc_context import IndexDocContext
from genls.assist.docstring import DocEdit, DocstringWriter
from genls.assist.refactor import PRESETS, Refactorer
from genls.assist.text_edit import FileEdits, TextEdit
from genls.index.languages import LanguageInfo, language_for
from genls.index.symbols import ParsedSource
from genls.server.app import GenlsServer
from genls.server.commands import JobCancelled, register_command, run_job
from genls.server.convert import document_or_error
from genls.server.diagram_features import CODE_ACTION_KIND as DIAGRAM_KIND
from genls.server.diagram_features import diagram_actions
from genls.server.extract_features import EXTRACT_FUNCTION_KIND, extract_function_actions
from genls.server.progress import ServerJob
from genls.server.workspace_edits import workspace_edit

log = logging.getLogger(__name__)

DOCSTRING_COMMAND = "genls.docstring"
DOCUMENT_FILE_COMMAND = "genls.documentFile"
REFACTOR_COMMAND = "genls.refactor"
SUGGEST_NAME_COMMAND = "genls.suggestName"  # rename_features
_REWRITE = types.CodeActionKind.RefactorRewrite


@dataclass(frozen=True)
class DocstringOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ("uri", "line")
    uri: str
    line: int  # 0-based, a line of the definition


@dataclass(frozen=True)
class DocumentFileOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ("uri",)
    uri: str


@dataclass(frozen=True)
class RefactorOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ("uri", "range", "instruction")
    uri: str
    range: types.Range  # the selection
    instruction: str | None = None  # asked for when missing


async def code_action(ls: GenlsServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    if params.text_document.uri not in ls.workspace.text_documents:
        return []
    only = params.context.only
    wanted = not only or any(_REWRITE.startswith(kind) for kind in only)
    document = ls.workspace.get_text_document(params.text_document.uri)
    source = ParsedSource(document.source, _language(document))  # one tree for every offer

    def all_actions() -> list[types.CodeAction]:  # parses the document: off the event loop
        return [
            *extract_function_actions(ls, params),
            *(model_actions(ls, params, source) if wanted else []),
            *diagram_actions(ls, params, source),
        ]

    return await asyncio.to_thread(all_actions)


def model_actions(
    ls: GenlsServer, params: types.CodeActionParams, source: ParsedSource
) -> list[types.CodeAction]:
    document = ls.workspace.get_text_document(params.text_document.uri)
    writer = docstring_writer(ls, document)
    selection = _selection(params.range)
    offers = model_offers(source, params.range.start.line, selection, writer.outdated)
    return [_action(offer, document.uri, params.range) for offer in offers]


def _action(offer: Offer, uri: str, selected: types.Range) -> types.CodeAction:
    command, arguments = {
        "docstring": (DOCSTRING_COMMAND, [uri, offer.line]),
        "document_file": (DOCUMENT_FILE_COMMAND, [uri]),
        "suggest_name": (SUGGEST_NAME_COMMAND, [uri, offer.line]),
        "refactor": (REFACTOR_COMMAND, [uri, selected, *filter(None, [offer.instruction])]),
    }[offer.action]
    return types.CodeAction(
        title=offer.title,
        kind=_REWRITE,
        command=types.Command(title=offer.title, command=command, arguments=arguments),
    )


async def docstring(ls: GenlsServer, options: DocstringOptions) -> dict[str, Any]:
    snap = _Snapshot.of(ls, options.uri)
    writer = docstring_writer(ls, snap.document)

    def work(job: ServerJob):
        return writer.document(snap.source, options.line, snap.path, job.should_stop)

    result = await run_job(ls, "genls: writing a docstring", ls.instruction_executor, work)
    applied = await snap.apply(ls, [result.edit], f"Docstring for {result.name}")
    return {"applied": applied, "name": result.name, "attempts": result.attempts}


async def document_file(ls: GenlsServer, options: DocumentFileOptions) -> dict[str, Any]:
    snap = _Snapshot.of(ls, options.uri)
    writer = docstring_writer(ls, snap.document)

    def work(job: ServerJob) -> tuple[list[DocEdit], list[str]]:
        def on_progress(done: int, total: int, name: str) -> None:
            job.report_step(done, total, f"{done + 1}/{total}: {name}")

        return writer.document_all(snap.source, snap.path, job.should_stop, on_progress)

    # A cancelled job edits nothing: the person gets the file as it was, not half of it.
    edits, failures = await run_job(
        ls, "genls: documenting the file", ls.instruction_executor, work
    )
    applied = bool(edits) and await snap.apply(ls, [e.edit for e in edits], "Document all missing")
    if failures:
        ls.refuse(f"{len(failures)} not documented: " + "; ".join(failures))
    return {"applied": applied, "documented": [e.name for e in edits], "failed": failures}


async def refactor(ls: GenlsServer, options: RefactorOptions) -> dict[str, Any]:
    snap = _Snapshot.of(ls, options.uri)
    instruction = options.instruction or await _ask_instruction(ls)
    if not instruction:
        raise JobCancelled("no instruction given")
    first, last = _selection(options.range)
    refactorer = Refactorer(ls.instruction)

    def work(job: ServerJob):
        return refactorer.rewrite(snap.source, first, last, instruction, snap.path, job.should_stop)

    result = await run_job(ls, f"genls: {instruction[:60]}", ls.instruction_executor, work)
    applied = await snap.apply(ls, [result.edit], f"Refactor: {instruction}")
    return {"applied": applied, "attempts": result.attempts, "lines": list(result.region)}


def register(server: GenlsServer) -> None:
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[_REWRITE, EXTRACT_FUNCTION_KIND, DIAGRAM_KIND]),
    )(code_action)
    register_command(server, DOCSTRING_COMMAND, docstring, DocstringOptions)
    register_command(server, DOCUMENT_FILE_COMMAND, document_file, DocumentFileOptions)
    register_command(server, REFACTOR_COMMAND, refactor, RefactorOptions)


def docstring_writer(ls: GenlsServer, document: TextDocument) -> DocstringWriter:
    writer = DocstringWriter(
        ls.instruction,
        python_style=ls.settings.instruction.docstring_style,
        line_width=ls.settings.instruction.doc_line_width,
    )
    if ls.index is not None:  # callers and callees as context
        writer.context = IndexDocContext(ls.index, _relative(ls, document))
    return writer


def _language(document: TextDocument) -> LanguageInfo:
    return language_for(document.language_id, to_fs_path(document.uri) or document.uri)


def _relative(ls: GenlsServer, document: TextDocument) -> str:
    """The document's path as the index names it (relative to the workspace root)."""
    path = to_fs_path(document.uri) or document.uri
    if ls.index is not None:
        try:
            return str(Path(path).relative_to(ls.index.root))
        except ValueError:
            pass
    return path


def _selection(selected: types.Range) -> tuple[int, int]:
    """Lines of a selection; one that ends at column 0 does not include that line."""
    start, end = selected.start.line, selected.end.line
    if end > start and selected.end.character == 0:
        end -= 1
    return start, end


@dataclass(frozen=True)
class _Snapshot:
    """The document as it was when a job started: its edits are relative to this text, and a
    client whose document changed since rejects the stale version, so the user's typing wins."""

    document: TextDocument
    source: ParsedSource
    version: int | None
    path: str

    @classmethod
    def of(cls, ls: GenlsServer, uri: str) -> _Snapshot:
        document = document_or_error(ls.workspace, uri)
        path = to_fs_path(uri) or uri
        source = ParsedSource(document.source, _language(document))
        return cls(document, source, document.version, path)

    async def apply(self, ls: GenlsServer, edits: list[TextEdit], label: str) -> bool:
        change = workspace_edit(
            ls,
            [FileEdits(Path(self.path), self.source.text, tuple(edits))],
            {Path(self.path): (self.document.uri, self.version)},
        )
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=change, label=label)
        )
        if not result.applied:
            log.info("the client did not apply %s: %s", label, result.failure_reason)
        return result.applied


async def _ask_instruction(ls: GenlsServer) -> str | None:
    """Clients without an input box get the ready-made instructions to choose from."""
    choice = await ls.window_show_message_request_async(
        types.ShowMessageRequestParams(
            type=types.MessageType.Info,
            message="genls: how should this code be refactored?",
            actions=[types.MessageActionItem(title=preset) for preset in PRESETS],
        )
    )
    return choice.title if choice else None
