"""Documents from the git history in the editor: `genls.changelog`, `genls.history` (also a
code lens on functions and classes) and `genls.commitMessage`.

Git and model work runs on the server's history thread; a job reports $/progress and stops
at its next commit or token when the client cancels the progress or the request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcRequestCancelled
from pygls.uris import to_fs_path

from genls.errors import GenlsError
from genls.history.changelog import build_changelog, merge_into, render_markdown
from genls.history.classify import ModelClassifier
from genls.history.commit_message import write_commit_message
from genls.history.commits import open_repository, resolve
from genls.history.symbol_history import (
    file_text,
    find_symbol,
    relative_path,
    symbol_history,
    touching_commits,
)
from genls.index.languages import language_for
from genls.index.symbols import FileSymbols, extract_symbols
from genls.server.app import GenlsServer
from genls.server.progress import ServerJob

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANGELOG_COMMAND = "genls.changelog"
HISTORY_COMMAND = "genls.history"
COMMIT_MESSAGE_COMMAND = "genls.commitMessage"
_LENS_KINDS = ("function", "method", "class")
_LENS_SUBJECT_CHARS = 60
_CLIENT_REPLY_TIMEOUT_S = 10.0
_LENS_CACHE_SIZE = 4096

Job = Callable[[Callable[[], bool], Callable[[int, int, str], None]], T]


async def run_job(ls: GenlsServer, title: str, job: Job[T]) -> T:
    """`job(should_stop, report)` on the history thread, with cancellable $/progress."""
    try:
        async with ServerJob(ls, title) as server_job:

            def report(done: int, total: int, what: str) -> None:
                server_job.report(what, min(100, 100 * done // max(total, 1)))

            result = await server_job.run(ls.history_executor, job, server_job.should_stop, report)
    except GenlsError as exc:
        raise JsonRpcInvalidParams(str(exc)) from exc
    if server_job.should_stop():
        raise JsonRpcRequestCancelled(f"{title} was cancelled")
    return result


def _options(args: tuple[Any, ...]) -> dict[str, Any]:
    """Commands take one object of named arguments (or none)."""
    if args and isinstance(args[0], dict):
        return args[0]
    return {}


def _root(ls: GenlsServer) -> Path:
    root = ls.workspace.root_path
    if not root:
        raise JsonRpcInvalidParams("genls: open a folder first: history needs a repository")
    return Path(root)


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


def _open_text(ls: GenlsServer, path: Path) -> str | None:
    """The editor's text of `path` if it is open, else the file on disk, else None."""
    document = ls.workspace.text_documents.get(path.as_uri())
    if document is not None:
        return document.source
    return path.read_text(encoding="utf-8") if path.is_file() else None


def register(server: GenlsServer) -> None:
    @server.command(CHANGELOG_COMMAND)
    async def changelog(ls: GenlsServer, *args: Any) -> dict[str, Any]:
        """Options: since, until, file (CHANGELOG.md), model (true), apply (false)."""
        options = _options(args)
        root = _root(ls)
        target = root / str(options.get("file", "CHANGELOG.md"))
        open_document = ls.workspace.text_documents.get(target.as_uri())
        use_model = options.get("model", True)

        def job(should_stop: Callable[[], bool], report: Callable[[int, int, str], None]):
            repo = open_repository(root)
            classify = ModelClassifier(ls.instruction.ask, should_stop) if use_model else None
            result = build_changelog(
                repo,
                since=options.get("since"),
                until=options.get("until") or "HEAD",
                classify=classify,
                progress=report,
                should_stop=should_stop,
            )
            # The editor's unsaved text wins over the file on disk.
            existing = open_document.source if open_document is not None else None
            if existing is None and target.is_file():
                existing = target.read_text(encoding="utf-8")
            return result, existing, merge_into(existing or "", result)

        result, existing, merged = await run_job(ls, "genls: changelog", job)
        edit = changelog_edit(target, existing, merged)
        applied = None
        if options.get("apply"):
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

    @server.command(HISTORY_COMMAND)
    async def history(ls: GenlsServer, *args: Any) -> dict[str, Any]:
        """Arguments: uri and symbol (the code lens), or {uri, symbol?, line?, model?}."""
        options = _options(args)
        if args and isinstance(args[0], str):
            options = {"uri": args[0], "symbol": args[1] if len(args) > 1 else None}
        uri = options.get("uri")
        path = to_fs_path(uri) if isinstance(uri, str) else None
        if path is None:
            raise JsonRpcInvalidParams("genls.history needs the file's uri")
        symbol = options.get("symbol")
        line = options.get("line")
        if not symbol and isinstance(line, int):
            symbol = await asyncio.to_thread(_symbol_at, ls, Path(path), line)
        use_model = options.get("model", True)

        def job(should_stop: Callable[[], bool], report: Callable[[int, int, str], None]):
            repo = open_repository(Path(path).parent)
            ask = ls.instruction.ask if use_model else None
            return symbol_history(repo, Path(path), symbol, ask, should_stop)

        story = await run_job(ls, "genls: history", job)
        return {"markdown": story.markdown(), "story": story.to_json()}

    @server.command(COMMIT_MESSAGE_COMMAND)
    async def commit_message(ls: GenlsServer, *args: Any) -> dict[str, Any]:
        root = _root(ls)

        def job(should_stop: Callable[[], bool], report: Callable[[int, int, str], None]):
            return write_commit_message(open_repository(root), ls.instruction.ask, should_stop)

        message = await run_job(ls, "genls: commit message", job)
        return {"message": message.text, "source": message.source, "errors": message.errors}


def history_lenses(ls: GenlsServer, uri: str, symbols: FileSymbols) -> list[types.CodeLens]:
    """Unresolved lenses above functions and classes (the figures come in resolve_history_lens:
    git runs only for the lenses the editor shows)."""
    if not ls.settings.history_code_lens or not ls.workspace.root_path:
        return []
    lenses = []
    for definition in symbols.definitions:
        if definition.kind not in _LENS_KINDS:
            continue
        name = f"{definition.parent}.{definition.name}" if definition.parent else definition.name
        lenses.append(
            types.CodeLens(
                range=_range(definition.start_line, definition.start_line),
                data={"uri": uri, "symbol": name},
            )
        )
    return lenses


async def resolve_history_lens(ls: GenlsServer, lens: types.CodeLens) -> types.CodeLens:
    data = lens.data if isinstance(lens.data, dict) else {}
    uri, symbol = data.get("uri"), data.get("symbol")
    path = to_fs_path(uri) if isinstance(uri, str) else None
    if path is None or not isinstance(symbol, str):
        return lens
    try:
        count, last = await asyncio.to_thread(_lens_figures, ls, Path(path), symbol)
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


def _lens_figures(ls: GenlsServer, path: Path, symbol: str) -> tuple[int, str]:
    """How many commits touched the symbol's lines at HEAD, and the last one's subject."""
    repo = open_repository(path.parent)
    head = resolve(repo, "HEAD")
    relative = relative_path(repo, path)
    key = (head, relative, symbol)
    # Lenses resolve on several threads at once: one lookup and one store each, so that a
    # clear() in another thread can only cost a recomputation, never a KeyError.
    figures = ls.history_lenses.get(key)
    if figures is None:
        definition = find_symbol(file_text(repo, head, relative), relative, symbol)
        lines = (definition.start_line + 1, definition.end_line + 1)
        commits = touching_commits(repo, relative, lines, head, ls.closing.is_set)
        subject = commits[0].subject if commits else ""
        if len(subject) > _LENS_SUBJECT_CHARS:
            subject = subject[: _LENS_SUBJECT_CHARS - 1] + "…"
        figures = (len(commits), subject)
        if len(ls.history_lenses) > _LENS_CACHE_SIZE:
            ls.history_lenses.clear()  # old HEADs: cheaper to forget than to track
        ls.history_lenses[key] = figures
    return figures


def _symbol_at(ls: GenlsServer, path: Path, line: int) -> str | None:
    """The innermost function or class around `line` (0-based) in the editor's text."""
    text = _open_text(ls, path)
    if text is None:
        return None
    found = None
    for definition in extract_symbols(text, language_for(None, str(path))).definitions:
        if definition.start_line <= line <= definition.end_line and definition.kind in _LENS_KINDS:
            found = (
                f"{definition.parent}.{definition.name}" if definition.parent else definition.name
            )
    return found
