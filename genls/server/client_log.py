"""The server's log, sent to the editor as `window/logMessage`, each line at its own level.

Editors show whatever a server writes to stderr as errors (VS Code's output channel marks
every line `[error]`, Neovim's lsp.log `[ERROR]`); `window/logMessage` carries the level, so
an INFO line reads as info. Before the editor is connected, stderr shows warnings and worse
(genls.cli); afterwards genls's own records go to the editor only, unless `--log-level` asked
for them on stderr too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from lsprotocol import types

from genls.server.app import GenlsServer

_MESSAGE_TYPES = (
    (logging.ERROR, types.MessageType.Error),
    (logging.WARNING, types.MessageType.Warning),
    (logging.INFO, types.MessageType.Info),
)


def message_type(level: int) -> types.MessageType:
    for threshold, kind in _MESSAGE_TYPES:
        if level >= threshold:
            return kind
    return types.MessageType.Log


class ClientLogHandler(logging.Handler):
    """Forwards records to the client from any thread (written on the event loop's thread)."""

    def __init__(self, server: GenlsServer, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._server = server
        self._loop = loop
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        kind = message_type(record.levelno)
        params = types.LogMessageParams(type=kind, message=self.format(record))
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: the client left
            self._loop.call_soon_threadsafe(self._send, params)

    def _send(self, params: types.LogMessageParams) -> None:
        # No writer before the client connects; none to write to once it asked to stop.
        if self._server.protocol.writer is not None and not self._server.closing.is_set():
            self._server.window_log_message(params)


def forward_logs_to_client(
    server: GenlsServer, logger: logging.Logger, *, also_stderr: bool
) -> ClientLogHandler:
    """Install the handler (once) on `logger`, for the loop running now. Without
    `also_stderr` its records stop going to stderr too: the editor would show them twice,
    once as errors."""
    logger.propagate = also_stderr
    for handler in logger.handlers:
        if isinstance(handler, ClientLogHandler):
            return handler
    handler = ClientLogHandler(server, asyncio.get_running_loop())
    logger.addHandler(handler)
    return handler
