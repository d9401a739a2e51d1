"""Initialization, configuration, shutdown."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path

from genls import __version__
from genls.errors import GenlsError
from genls.server.app import GenlsServer
from genls.server.client_log import forward_logs_to_client
from genls.server.index_features import (
    index_workspace,
    reopen_index,
    watch_files,
)

log = logging.getLogger(__name__)


def initialize(ls: GenlsServer, params: types.InitializeParams) -> None:
    root_uri = params.root_uri or (
        params.workspace_folders[0].uri if params.workspace_folders else None
    )
    root = to_fs_path(root_uri) if root_uri else None
    forward_logs_to_client(ls, logging.getLogger("genls"), also_stderr=ls.log_to_stderr)
    log.info("genls %s, workspace %s", __version__, root or "none")
    ls.root = Path(root) if root else None
    ls.load_workspace_settings(ls.root)
    ls.apply_client_settings(params.initialization_options or {})
    ls.open_index(ls.root)


async def initialized(ls: GenlsServer, params: types.InitializedParams) -> None:
    # Index in the background; completions work meanwhile, without cross-file context.
    ls.indexing = asyncio.ensure_future(index_workspace(ls))
    # Load the model now, so the first keystroke does not pay for it.
    try:
        backend = await ls.engine.load()
        log.info("ready: %s", backend.description)
    except GenlsError as exc:
        ls.show_error(exc)
    except asyncio.CancelledError:
        log.debug("the client left while the model was loading")  # nothing to report
        return
    await watch_files(ls)


def did_change_configuration(ls: GenlsServer, params: types.DidChangeConfigurationParams) -> None:
    # Applied before the next message is read: a request sent after it sees it.
    before = ls.settings
    ls.apply_client_settings(params.settings or {})
    if ls.settings.index != before.index:  # the settings the index is made from
        reopen_index(ls)


async def shutdown(ls: GenlsServer, *args) -> None:
    await asyncio.get_running_loop().run_in_executor(None, ls.close)


def exit_server(ls: GenlsServer, *args) -> None:
    ls.closing.set()  # also without a shutdown first: pygls closes the stream next


def register(server: GenlsServer) -> None:
    server.feature(types.INITIALIZE)(initialize)
    server.feature(types.INITIALIZED)(initialized)
    server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(did_change_configuration)
    server.feature(types.SHUTDOWN)(shutdown)
    server.feature(types.EXIT)(exit_server)
