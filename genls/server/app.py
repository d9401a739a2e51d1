"""The genls language server object: the one place that holds state.

Handlers live in the feature modules next to this one and stay thin: they translate LSP to
calls on the services held here (settings, the completion engine) and back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from genls import __version__
from genls.assist.completion import CompletionEngine
from genls.config import Settings, read_workspace_settings, unwrap_client_settings
from genls.errors import ConfigError, GenlsError
from genls.llm.backend import Backend
from genls.llm.factory import create_backend

log = logging.getLogger(__name__)


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
        self._shown_errors: set[str] = set()

    # -- settings ---------------------------------------------------------------------------

    def load_workspace_settings(self, root: Path | None) -> None:
        if root is not None:
            try:
                self.workspace_overrides = read_workspace_settings(root)
            except ConfigError as exc:
                self.show_error(exc)

    def apply_client_settings(self, raw: Any) -> None:
        """Merge settings sent by the client; a bad value is reported and nothing changes."""
        overrides = {**self.client_overrides, **unwrap_client_settings(raw)}
        try:
            settings = (
                Settings()
                .merged(self.cli_overrides)
                .merged(self.workspace_overrides)
                .merged(overrides)
            )
        except ConfigError as exc:
            self.show_error(exc)
            return
        changed = {
            key: value
            for key, value in settings.as_camel_dict().items()
            if self.settings.as_camel_dict()[key] != value
        }
        if changed:
            log.info("settings changed: %s", changed)
        self.client_overrides = overrides
        self.settings = settings
        logging.getLogger("genls").setLevel(settings.log_level.upper())
        self.engine.update_settings(settings)
        self._shown_errors.clear()

    # -- reporting --------------------------------------------------------------------------

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
