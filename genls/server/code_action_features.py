"""Docstrings and refactors in the editor: code actions that run commands, each command a
cancellable job with $/progress whose result arrives as a workspace/applyEdit (so undo works).
The one textDocument/codeAction handler is here; it also offers extract-function and diagrams.

The model runs on the server's instruction thread; a failed check or a bad position comes back
as a message and a result saying why, and the document is not touched.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from genls.assist.doc_context import IndexDocContext
from genls.assist.doc_target import DocTargetError, find_targets
from genls.assist.docstring import DocEdit, DocstringWriter
from genls.assist.refactor import PRESETS, Refactorer, region_for
from genls.assist.rename_syntax import rename_syntax
from genls.assist.text_edit import FileEdits, TextEdit
from genls.errors import GenlsError
from genls.index.languages import LanguageInfo, language_for
from genls.server.app import GenlsServer
from genls.server.convert import document_or_error
from genls.server.diagram_features import CODE_ACTION_KIND as DIAGRAM_KIND
from genls.server.diagram_features import diagram_actions
from genls.server.extract_features import EXTRACT_FUNCTION_KIND, extract_function_actions
from genls.server.progress import ServerJob
from genls.server.workspace_edits import workspace_edit

log = logging.getLogger(__name__)
T = TypeVar("T")

DOCSTRING_COMMAND = "genls.docstring"  # uri, line
DOCUMENT_FILE_COMMAND = "genls.documentFile"  # uri
REFACTOR_COMMAND = "genls.refactor"  # uri, range, instruction (asked for when missing)
SUGGEST_NAME_COMMAND = "genls.suggestName"  # uri, line of the definition (rename_features)
_REWRITE = types.CodeActionKind.RefactorRewrite


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


def docstring_writer(ls: GenlsServer, document: TextDocument) -> DocstringWriter:
    writer = DocstringWriter(
        ls.instruction,
        python_style=ls.settings.docstring_style,
        line_width=ls.settings.doc_line_width,
    )
    if ls.index is not None:  # callers and callees as context
        writer.context = IndexDocContext(ls.index, _relative(ls, document))
    return writer


def code_actions(ls: GenlsServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    document = ls.workspace.get_text_document(params.text_document.uri)
    language = _language(document)
    text = document.source
    line = params.range.start.line
    actions: list[types.CodeAction] = []
    writer = docstring_writer(ls, document)
    if language.doc_style is not None:
        try:  # one parse serves the action at the cursor and "document all"
            targets = find_targets(text, language)
        except DocTargetError:  # e.g. syntax errors: no documentation actions
            targets = []
        around = [t for t in targets if t.definition.start_line <= line <= t.definition.end_line]
        target = max(around, key=lambda t: t.definition.start_line) if around else None
        if target is not None and (target.existing is None or writer.outdated(target)):
            verb = "Generate" if target.existing is None else "Update"
            actions.append(
                _action(
                    f"{verb} docstring for {target.name}",
                    DOCSTRING_COMMAND,
                    [document.uri, target.definition.start_line],
                )
            )
        missing = [t for t in targets if t.existing is None]
        only_this = len(missing) == 1 and target is not None and missing[0].name == target.name
        if missing and not only_this:
            actions.append(
                _action(
                    f"Document all missing in file ({len(missing)})",
                    DOCUMENT_FILE_COMMAND,
                    [document.uri],
                )
            )
        if target is not None and rename_syntax(language) is not None:
            actions.append(
                _action(
                    f"Suggest a better name for {target.name}",
                    SUGGEST_NAME_COMMAND,
                    [document.uri, target.definition.start_line],
                )
            )
    selection = _selection(params.range)
    try:
        region_for(text, selection[0], selection[1], language)
    except GenlsError:
        return actions
    where = [document.uri, params.range]
    actions.append(_action("Refactor with an instruction…", REFACTOR_COMMAND, where))
    if language.id == "python":
        for preset in PRESETS:
            actions.append(_action(f"Refactor: {preset}", REFACTOR_COMMAND, [*where, preset]))
    return actions


def _action(title: str, command: str, arguments: list[Any]) -> types.CodeAction:
    return types.CodeAction(
        title=title,
        kind=_REWRITE,
        command=types.Command(title=title, command=command, arguments=arguments),
    )


def _selection(selected: types.Range) -> tuple[int, int]:
    """Lines of a selection; one that ends at column 0 does not include that line."""
    start, end = selected.start.line, selected.end.line
    if end > start and selected.end.character == 0:
        end -= 1
    return start, end


def register(server: GenlsServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[_REWRITE, EXTRACT_FUNCTION_KIND, DIAGRAM_KIND]),
    )
    async def code_action(
        ls: GenlsServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        if params.text_document.uri not in ls.workspace.text_documents:
            return []
        only = params.context.only
        wanted = not only or any(_REWRITE.startswith(kind) for kind in only)

        def all_actions() -> list[types.CodeAction]:  # parses the document: off the event loop
            return [
                *extract_function_actions(ls, params),
                *(code_actions(ls, params) if wanted else []),
                *diagram_actions(ls, params),
            ]

        return await asyncio.to_thread(all_actions)

    @server.command(DOCSTRING_COMMAND)
    async def docstring(ls: GenlsServer, uri: str, line: int) -> dict[str, Any]:
        snap = _Snapshot.of(ls, uri)
        writer = docstring_writer(ls, snap.document)
        try:
            result, _ = await _instruction_job(
                ls,
                "genls: writing a docstring",
                lambda job: writer.document(
                    snap.text, line, snap.language, snap.path, job.should_stop
                ),
            )
        except GenlsError as exc:
            return ls.refuse(str(exc))
        applied = await snap.apply(ls, [result.edit], f"Docstring for {result.name}")
        return {"applied": applied, "name": result.name, "attempts": result.attempts}

    @server.command(DOCUMENT_FILE_COMMAND)
    async def document_file(ls: GenlsServer, uri: str) -> dict[str, Any]:
        snap = _Snapshot.of(ls, uri)
        writer = docstring_writer(ls, snap.document)

        def document_all(job: ServerJob) -> tuple[list[DocEdit], list[str]]:
            def on_progress(done: int, total: int, name: str) -> None:
                job.report(f"{done + 1}/{total}: {name}", 100 * done // max(total, 1))

            return writer.document_all(
                snap.text, snap.language, snap.path, job.should_stop, on_progress
            )

        try:
            (edits, failures), cancelled = await _instruction_job(
                ls, "genls: documenting the file", document_all
            )
        except GenlsError as exc:
            return ls.refuse(str(exc))
        if cancelled:  # the user gets the file as it was, not half of it
            return ls.refuse("documenting the file was cancelled; nothing was changed")
        applied = bool(edits) and await snap.apply(
            ls, [e.edit for e in edits], "Document all missing"
        )
        if failures:
            ls.refuse(f"{len(failures)} not documented: " + "; ".join(failures))
        return {"applied": applied, "documented": [e.name for e in edits], "failed": failures}

    @server.command(REFACTOR_COMMAND)
    async def refactor(
        ls: GenlsServer, uri: str, selected: types.Range, instruction: str | None = None
    ) -> dict[str, Any]:
        snap = _Snapshot.of(ls, uri)
        if not instruction:
            instruction = await _ask_instruction(ls)
            if not instruction:
                return {"applied": False, "message": "no instruction given"}
        first, last = _selection(selected)
        refactorer = Refactorer(ls.instruction)
        try:
            result, _ = await _instruction_job(
                ls,
                f"genls: {instruction[:60]}",
                lambda job: refactorer.rewrite(
                    snap.text,
                    first,
                    last,
                    instruction,
                    snap.language,
                    snap.path,
                    job.should_stop,
                ),
            )
        except GenlsError as exc:
            return ls.refuse(str(exc))
        applied = await snap.apply(ls, [result.edit], f"Refactor: {instruction}")
        return {"applied": applied, "attempts": result.attempts, "lines": list(result.region)}


@dataclass(frozen=True)
class _Snapshot:
    """The document as it was when a job started: its edits are relative to this text, and a
    client whose document changed since rejects the stale version, so the user's typing wins."""

    document: TextDocument
    text: str
    version: int | None
    language: LanguageInfo
    path: str

    @classmethod
    def of(cls, ls: GenlsServer, uri: str) -> _Snapshot:
        document = document_or_error(ls.workspace, uri)
        path = to_fs_path(uri) or uri
        return cls(document, document.source, document.version, _language(document), path)

    async def apply(self, ls: GenlsServer, edits: list[TextEdit], label: str) -> bool:
        change = workspace_edit(
            ls,
            [FileEdits(Path(self.path), self.text, tuple(edits))],
            {Path(self.path): (self.document.uri, self.version)},
        )
        result = await ls.workspace_apply_edit_async(
            types.ApplyWorkspaceEditParams(edit=change, label=label)
        )
        if not result.applied:
            log.info("the client did not apply %s: %s", label, result.failure_reason)
        return result.applied


async def _instruction_job(
    ls: GenlsServer, title: str, work: Callable[[ServerJob], T]
) -> tuple[T, bool]:
    """`work(job)` on the instruction model's thread as a cancellable job with $/progress;
    the result, and whether the job was cancelled."""
    async with ServerJob(ls, title) as job:
        result = await job.run(ls.instruction_executor, work, job)
    return result, job.should_stop()


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
