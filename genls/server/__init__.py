"""The LSP face of genls: thin pygls handlers over the services in genls.assist."""

from __future__ import annotations

from typing import Any

from genls.server import (
    audio_features,
    code_action_features,
    code_lens_features,
    completion_features,
    diagram_features,
    document_features,
    history_features,
    image_features,
    index_features,
    lifecycle_features,
    next_edit_features,
    rename_features,
    status_features,
)
from genls.server.app import GenlsServer


def create_server(cli_overrides: dict[str, Any] | None = None) -> GenlsServer:
    server = GenlsServer(cli_overrides)
    lifecycle_features.register(server)
    document_features.register(server)
    completion_features.register(server)
    next_edit_features.register(server)
    status_features.register(server)
    index_features.register(server)
    rename_features.register(server)
    code_action_features.register(server)
    diagram_features.register(server)
    history_features.register(server)
    code_lens_features.register(server)
    audio_features.register(server)
    image_features.register(server)
    return server
