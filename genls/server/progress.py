"""Long jobs the user can see and stop: $/progress reports, and one stop flag that the worker
thread polls, set by the progress bar's cancel button, by $/cancelRequest of the request that
started the job, or by the server shutting down."""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, TypeVar

from lsprotocol import types

if TYPE_CHECKING:
    from genls.server.app import GenlsServer

log = logging.getLogger(__name__)
T = TypeVar("T")
CLIENT_REPLY_TIMEOUT_S = 5.0


async def create_progress_token(ls: GenlsServer) -> str | None:
    """A progress token, if the client supports server-initiated progress and answers."""
    window = ls.client_capabilities.window
    if not (window and window.work_done_progress):
        return None
    token = str(uuid.uuid4())
    try:
        await asyncio.wait_for(ls.work_done_progress.create_async(token), CLIENT_REPLY_TIMEOUT_S)
    except Exception:  # no answer or an error: work without progress reports
        log.debug("the client did not create a progress token", exc_info=True)
        return None
    return token


class ServerJob:
    """`async with ServerJob(ls, "genls: documenting") as job: await job.run(executor, fn)`."""

    def __init__(
        self, ls: GenlsServer, title: str, cancellable: bool = True, done: str = "done"
    ) -> None:
        self.ls = ls
        self.title = title
        self.cancellable = cancellable
        self.done = done  # the last progress message of a job that was not stopped
        self.token: str | None = None
        self._stopped = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __aenter__(self) -> ServerJob:
        self._loop = asyncio.get_running_loop()
        self.token = await create_progress_token(self.ls)
        if self.token:
            self.ls.work_done_progress.begin(
                self.token,
                types.WorkDoneProgressBegin(
                    title=self.title, cancellable=self.cancellable, percentage=0
                ),
            )
        return self

    async def __aexit__(self, kind: type[BaseException] | None, *rest: Any) -> None:
        if kind is not None or self.should_stop():
            self._stopped.set()  # remembered: should_stop() stays true after the job
        if self.token:
            message = "cancelled" if self._stopped.is_set() else self.done
            self.ls.work_done_progress.end(self.token, types.WorkDoneProgressEnd(message=message))
            self.ls.work_done_progress.tokens.pop(self.token, None)

    def should_stop(self) -> bool:
        """Polled by the worker thread between steps and between generated tokens."""
        if self._stopped.is_set() or self.ls.closing.is_set():
            return True
        cancel = self.ls.work_done_progress.tokens.get(self.token) if self.token else None
        return cancel is not None and cancel.cancelled()

    def report(self, message: str, percentage: int | None = None) -> None:
        """Thread-safe: workers call it directly."""
        if not self.token or self._loop is None:
            return
        value = types.WorkDoneProgressReport(message=message, percentage=percentage)
        self._loop.call_soon_threadsafe(self.ls.work_done_progress.report, self.token, value)

    def report_step(self, done: int, total: int, message: str) -> None:
        """Step `done` of `total` (files, commits, functions): the percentage from those."""
        self.report(message, min(100, 100 * done // max(total, 1)))

    async def run(self, executor: Executor, function: Callable[..., T], *args: Any) -> T:
        """Run on `executor`; if the request is cancelled, tell the worker to stop too."""
        assert self._loop is not None
        try:
            return await self._loop.run_in_executor(executor, function, *args)
        except asyncio.CancelledError:
            self._stopped.set()
            raise
