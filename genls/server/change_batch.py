"""Collect file changes and hand them over in one batch once they stop arriving.

A git checkout or a formatter run touches many files within milliseconds; indexing them one
notification at a time would commit the index once per file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

log = logging.getLogger(__name__)


class ChangeBatch:
    def __init__(
        self, flush: Callable[[list[Path]], Awaitable[None]], quiet_seconds: float = 0.3
    ) -> None:
        self._flush = flush
        self._quiet_seconds = quiet_seconds
        self._pending: set[Path] = set()
        self._timer: asyncio.TimerHandle | None = None
        self._running: asyncio.Task | None = None

    def add(self, paths: list[Path]) -> None:
        """Call on the event loop; the batch is flushed after a quiet period."""
        self._pending.update(paths)
        if self._timer is not None:
            self._timer.cancel()
        self._timer = asyncio.get_running_loop().call_later(self._quiet_seconds, self._start)

    def _start(self) -> None:
        self._timer = None
        if self._running is not None and not self._running.done():
            # One flush at a time; what arrived meanwhile goes in the next one.
            self._timer = asyncio.get_running_loop().call_later(self._quiet_seconds, self._start)
            return
        batch, self._pending = sorted(self._pending), set()
        if batch:
            self._running = asyncio.ensure_future(self._run(batch))

    async def _run(self, batch: list[Path]) -> None:
        try:
            await self._flush(batch)
        except Exception:  # the server keeps serving; the next save or full index repairs it
            log.exception("indexing %d changed files failed", len(batch))
