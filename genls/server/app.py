"""The genls language server object: the one place that holds state.

Handlers live in the feature modules next to this one and stay thin: they translate LSP to
calls on the services held here (settings, the completion engine) and back.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.exceptions import JsonRpcInternalError
from pygls.lsp.server import LanguageServer

from genls import __version__
from genls.assist.completion import CompletionEngine
from genls.assist.cross_file import IndexContextProvider
from genls.assist.diagram import Diagrams
from genls.assist.edit_history import EditHistory
from genls.assist.next_edit import NextEditEngine
from genls.config import (
    Settings,
    layered_settings,
    read_workspace_settings,
    unwrap_client_settings,
)
from genls.errors import ConfigError, GenlsError
from genls.history.lens_figures import LensFigures
from genls.index.workspace_index import WorkspaceIndex
from genls.llm.backend import Backend
from genls.llm.factory import create_backend
from genls.llm.instruction import InstructionModel
from genls.server.asset_models import AssetModels
from genls.server.change_batch import ChangeBatch
from genls.torch_threads import torch_thread_count

log = logging.getLogger(__name__)
T = TypeVar("T")
# How long shutting down waits for the index thread's current step (genls.server.app.close).
INDEX_EXIT_WAIT_S = 2.0


class GenlsServer(LanguageServer):
    def __init__(
        self,
        cli_overrides: dict[str, Any] | None = None,
        backend_factory: Callable[[Settings], Backend] = create_backend,
    ) -> None:
        super().__init__(name="genls", version=__version__)
        self.cli_overrides = cli_overrides or {}
        self.client_overrides: dict[str, Any] = {}
        self.workspace_overrides: dict[str, Any] = {}
        self.settings = Settings().merged(self.cli_overrides)
        self.engine = CompletionEngine(self.settings, backend_factory)
        # Next-edit suggestions: from each open document's recent edits, on the completion
        # model's thread, behind completions.
        self.edit_history = EditHistory()
        self.next_edit = NextEditEngine(self.settings, self.engine)
        self.root: Path | None = None  # the workspace folder, from initialize
        self.index: WorkspaceIndex | None = None
        self.indexing: asyncio.Future | None = None
        # Set once the client asked to stop (shutdown or exit): a running index update stops
        # between files, and nothing more is sent to the client.
        self.closing = threading.Event()
        self._closed = False  # close() ran
        # Indexing (parsing, embedding, disk) has its own thread: completions never wait on it.
        self._index_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="genls-index")
        self._index_jobs: set[Future] = set()  # submitted, and perhaps not yet done
        self._worker_pools: dict[str, ThreadPoolExecutor] = {}  # worker_threads()
        self.asset_models = AssetModels()  # music and images, loaded on their workers
        self.diagrams = Diagrams()  # keeps the parses of the files diagrams were drawn from
        # Docstrings, refactors and history documents: a second model, on its own thread.
        self.instruction = InstructionModel(self.settings)
        self.instruction_executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="genls-instruct"
        )
        self._shown_errors: set[str] = set()
        # Whether genls's log also goes to stderr once the client gets it (`--log-level`).
        self.log_to_stderr = True
        # Files changed on disk (didChangeWatchedFiles), re-indexed together.
        self.file_changes = ChangeBatch(self._reindex_paths)
        # Git work of the history commands (and their questions to the instruction model, which
        # serialises its callers) runs on its own thread, one job at a time.
        self.history_executor = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="genls-history"
        )
        # "changed N times, last: <subject>" above definitions, cached per HEAD.
        self.lens_figures = LensFigures()

    # -- workspace index --------------------------------------------------------------------

    def open_index(self, root: Path | None) -> None:
        """Create the workspace index (not yet loaded) and feed completions from it."""
        self.index, self.engine.context = None, None
        if root is None or not self.settings.index.enabled:
            return
        try:
            self.index = WorkspaceIndex.from_settings(root, self.settings)
        except GenlsError as exc:
            self.show_error(exc)
            return
        self.engine.context = IndexContextProvider(self.index)

    async def run_in_index_thread(self, function: Callable[..., T], *args: Any) -> T:
        job = self._index_executor.submit(function, *args)
        # A new set each time, never changed in place: close() reads it from another thread.
        self._index_jobs = {*(j for j in self._index_jobs if not j.done()), job}
        return await asyncio.wrap_future(job)

    def worker_threads(self, name: str, workers: int = 1) -> ThreadPoolExecutor:
        """The server's pool of `workers` threads for one kind of job (images, audio),
        created on first use and shut down with the server."""
        if name not in self._worker_pools:
            self._worker_pools[name] = ThreadPoolExecutor(
                workers, thread_name_prefix=f"genls-{name}"
            )
        return self._worker_pools[name]

    async def read_index(self, function: Callable[..., T], *args: Any) -> T:
        """A query of the state the index published (workspace symbols, search), off the
        index thread: it never waits for an update running there."""
        return await asyncio.to_thread(function, *args)

    async def _reindex_paths(self, paths: list[Path]) -> None:
        if self.index is None:
            return
        changed = await self.run_in_index_thread(self.index.update_paths, paths)
        # Saving a file the index already has (unchanged content) is the usual case: quiet.
        log.log(
            logging.INFO if changed else logging.DEBUG,
            "re-indexed %d of %d changed files",
            changed,
            len(paths),
        )

    def close(self) -> None:
        """Stop the work under way and free the models, for the process to exit.

        An index update stops between files, but loading the embedder (torch) cannot be
        stopped and can take many seconds on a cold machine: it is waited for only
        INDEX_EXIT_WAIT_S. The index is written atomically, so the exit that follows (which
        does not wait for threads, genls.cli) leaves it in its last complete state.
        """
        if self._closed:
            return
        self._closed = True
        self.closing.set()
        self.engine.close()
        self.next_edit.close()  # its model ran on the engine's thread, now stopped
        self._index_executor.shutdown(wait=False, cancel_futures=True)
        self.instruction_executor.shutdown(wait=True, cancel_futures=True)
        self.instruction.close()
        self.history_executor.shutdown(wait=True, cancel_futures=True)
        for pool in self._worker_pools.values():
            pool.shutdown(wait=True, cancel_futures=True)  # their jobs stop on `closing`
        self.asset_models.close()
        _, running = wait(self._index_jobs, timeout=INDEX_EXIT_WAIT_S)
        if running:
            log.debug("leaving an index update to the exit")
        elif self.index is not None:
            self.index.close()

    # -- settings ---------------------------------------------------------------------------

    def load_workspace_settings(self, root: Path | None) -> None:
        if root is not None:
            try:
                self.workspace_overrides = read_workspace_settings(root)
            except ConfigError as exc:
                self.show_error(exc)

    def apply_client_settings(self, raw: Any) -> None:
        """Merge settings sent by the client; each takes effect on its next use (a model
        loads again, the index re-opens: lifecycle_features). A bad value is reported and
        nothing changes."""
        try:
            overrides = {**self.client_overrides, **unwrap_client_settings(raw)}
            settings = layered_settings(self.workspace_overrides, overrides, self.cli_overrides)
        except ConfigError as exc:
            self.show_error(exc)
            return
        before, after = self.settings.as_camel_dict(), settings.as_camel_dict()
        shown = settings.as_shown_dict()
        changed = {key: shown[key] for key, value in after.items() if before[key] != value}
        if changed:
            log.info("settings changed: %s", changed)
        self.client_overrides = overrides
        self.settings = settings
        logging.getLogger("genls").setLevel(settings.log_level.upper())
        self.engine.update_settings(settings)
        self.next_edit.update_settings(settings)
        self.instruction.update_settings(settings)
        self._shown_errors.clear()
        torch_threads = torch_thread_count()
        if "threads" in changed and torch_threads not in (None, settings.runtime.threads):
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Info,
                    message=f"genls: the completion models use {settings.runtime.threads} "
                    f"threads from now on; torch (embeddings, images, music) keeps "
                    f"{torch_threads} until genls restarts",
                )
            )

    # -- reporting --------------------------------------------------------------------------

    def report_server_error(self, error: Exception, source: Any) -> None:
        """pygls's report of an error outside a request, shown to the user; not when a
        message could not be written (JsonRpcInternalError: the client has gone, and telling
        it would fail the same way, again and again) or while shutting down."""
        if source is JsonRpcInternalError or self.closing.is_set():
            return  # pygls logged it
        super().report_server_error(error, source)

    def refuse(self, message: str) -> dict[str, Any]:
        """A command that could not do what was asked (the user's input, a failed check): a
        warning the user sees, and the result the client gets. Nothing was edited."""
        self.window_show_message(
            types.ShowMessageParams(type=types.MessageType.Warning, message=f"genls: {message}")
        )
        return {"applied": False, "message": message}

    def show_error(self, error: GenlsError) -> None:
        """Tell the user once per distinct problem; the log keeps every occurrence."""
        message = str(error)
        log.error("%s", message)
        if message in self._shown_errors:
            return
        self._shown_errors.add(message)
        try:
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Error, message=f"genls: {message}")
            )
        except Exception:  # no client attached yet (initialize not done, or gone)
            log.debug("could not show message to the client", exc_info=True)
