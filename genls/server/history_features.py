"""Documents from the git history in the editor: `genls.changelog`, `genls.history` (also a
code lens on functions and classes) and `genls.commitMessage`.

Git and model work runs on the server's history thread; a job reports $/progress and stops
at its next commit or token when the client cancels the progress or the request.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.uris import to_fs_path

from genls.errors import GenlsError
from genls.history.changelog import build_changelog, merge_into, render_markdown
from genls.history.classify import ModelClassifier
from genls.history.commit_message import write_commit_message
from genls.history.commits import open_repository
from genls.history.symbol_history import symbol_history
from genls.index.languages import language_for
from genls.index.symbols import FileSymbols, extract_symbols
from genls.server.app import GenlsServer
from genls.server.commands import CommandRefused, NoOptions, register_command, run_job
from genls.server.progress import ServerJob

log = logging.getLogger(__name__)

CHANGELOG_COMMAND = "genls.changelog"
HISTORY_COMMAND = "genls.history"
COMMIT_MESSAGE_COMMAND = "genls.commitMessage"
_LENS_KINDS = ("function", "method", "class")
_CLIENT_REPLY_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class ChangelogOptions:
    since: str | None = None  # a tag or commit; default the last release tag
    until: str | None = None  # default HEAD
    file: str = "CHANGELOG.md"
    model: bool = True  # the instruction model classifies commits that are not conventional
    apply: bool = False  # send the edit to the editor, not only return it


@dataclass(frozen=True)
class HistoryOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ("uri", "symbol")  # the code lens's arguments
    uri: str
    symbol: str | None = None  # default: the definition around `line`, else the whole file
    line: int | None = None
    model: bool = True


async def changelog(ls: GenlsServer, options: ChangelogOptions) -> dict[str, Any]:
    root = ls.root
    assert root is not None  # needs_workspace
    target = (root / options.file).resolve()
    if not target.is_relative_to(root.resolve()):
        raise CommandRefused(f"file {options.file!r} is outside the workspace")
    open_document = ls.workspace.text_documents.get(target.as_uri())

    def work(job: ServerJob):
        repo = open_repository(root)
        classify = ModelClassifier(ls.instruction.ask, job.should_stop) if options.model else None
        result = build_changelog(
            repo,
            since=options.since,
            until=options.until or "HEAD",
            classify=classify,
            progress=job.report_step,
            should_stop=job.should_stop,
        )
        # The editor's unsaved text wins over the file on disk.
        existing = open_document.source if open_document is not None else None
        if existing is None and target.is_file():
            existing = target.read_text(encoding="utf-8")
        return result, existing, merge_into(existing or "", result)

    result, existing, merged = await run_job(ls, "genls: changelog", ls.history_executor, work)
    edit = changelog_edit(target, existing, merged)
    applied = None
    if options.apply:
        response = await asyncio.wait_for(
            ls.workspace_apply_edit_async(
                types.ApplyWorkspaceEditParams(edit=edit, label="genls: changelog")
            ),
            _CLIENT_REPLY_TIMEOUT_S,
        )
        applied = response.applied
    return {
        "markdown": render_markdown(result),
        "changelog": result.to_json(),
        "uri": target.as_uri(),
        "edit": get_converter().unstructure(edit),
        "applied": applied,
        "warnings": result.warnings,
    }


async def history(ls: GenlsServer, options: HistoryOptions) -> dict[str, Any]:
    path = to_fs_path(options.uri)
    if path is None:
        raise CommandRefused(f"genls.history works on files, not {options.uri}")
    symbol = options.symbol
    if not symbol and options.line is not None:
        symbol = await asyncio.to_thread(_symbol_at, ls, Path(path), options.line)
    ask = ls.instruction.ask if options.model else None

    def work(job: ServerJob):
        repo = open_repository(Path(path).parent)
        return symbol_history(repo, Path(path), symbol, ask, job.should_stop)

    story = await run_job(ls, "genls: history", ls.history_executor, work)
    return {"markdown": story.markdown(), "story": story.to_json()}


async def commit_message(ls: GenlsServer, options: NoOptions) -> dict[str, Any]:
    root = ls.root

    def work(job: ServerJob):
        return write_commit_message(open_repository(root), ls.instruction.ask, job.should_stop)

    message = await run_job(ls, "genls: commit message", ls.history_executor, work)
    return {"message": message.text, "source": message.source, "errors": message.errors}


def register(server: GenlsServer) -> None:
    register_command(server, CHANGELOG_COMMAND, changelog, ChangelogOptions, needs_workspace=True)
    register_command(server, HISTORY_COMMAND, history, HistoryOptions)
    register_command(
        server, COMMIT_MESSAGE_COMMAND, commit_message, NoOptions, needs_workspace=True
    )


def changelog_edit(path: Path, existing: str | None, text: str) -> types.WorkspaceEdit:
    """Replace the whole CHANGELOG (or create it) with `text`."""
    uri = path.as_uri()
    if existing is None:
        return types.WorkspaceEdit(
            document_changes=[
                types.CreateFile(uri=uri, options=types.CreateFileOptions(ignore_if_exists=True)),
                types.TextDocumentEdit(
                    text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri),
                    edits=[types.TextEdit(range=_range(0, 0), new_text=text)],
                ),
            ]
        )
    end_line = existing.count("\n") + 1
    return types.WorkspaceEdit(
        changes={uri: [types.TextEdit(range=_range(0, end_line), new_text=text)]}
    )


def _range(start_line: int, end_line: int) -> types.Range:
    return types.Range(
        start=types.Position(line=start_line, character=0),
        end=types.Position(line=end_line, character=0),
    )


def history_lenses(ls: GenlsServer, uri: str, symbols: FileSymbols) -> list[types.CodeLens]:
    """Unresolved lenses above functions and classes (the figures come in resolve_history_lens:
    git runs only for the lenses the editor shows)."""
    if not ls.settings.history_code_lens or ls.root is None:
        return []
    return [
        types.CodeLens(
            range=_range(definition.start_line, definition.start_line),
            data={"uri": uri, "symbol": definition.qualified_name},
        )
        for definition in symbols.definitions
        if definition.kind in _LENS_KINDS
    ]


async def resolve_history_lens(ls: GenlsServer, lens: types.CodeLens) -> types.CodeLens:
    data = lens.data if isinstance(lens.data, dict) else {}
    uri, symbol = data.get("uri"), data.get("symbol")
    path = to_fs_path(uri) if isinstance(uri, str) else None
    if path is None or not isinstance(symbol, str):
        return lens
    try:
        count, last = await asyncio.to_thread(
            ls.lens_figures.of, Path(path), symbol, ls.closing.is_set
        )
    except GenlsError as exc:
        log.debug("no history lens for %s %s: %s", path, symbol, exc)
        count, last = 0, ""
    title = (
        f"changed {count} time{'s' if count != 1 else ''}, last: {last}"
        if count
        else "not committed yet"
    )
    lens.command = types.Command(title=title, command=HISTORY_COMMAND, arguments=[uri, symbol])
    return lens


def _symbol_at(ls: GenlsServer, path: Path, line: int) -> str | None:
    """The innermost function or class around `line` (0-based) in the editor's text, else
    in the file on disk."""
    document = ls.workspace.text_documents.get(path.as_uri())
    if document is not None:
        text = document.source
    elif path.is_file():
        text = path.read_text(encoding="utf-8")
    else:
        return None
    symbols = extract_symbols(text, language_for(None, str(path)))
    definition = symbols.innermost(line, _LENS_KINDS)
    return definition.qualified_name if definition else None
