"""Where generated assets (images, music, sound effects) go: a folder inside the workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from genls.server.app import GenlsServer


def asset_folder(ls: GenlsServer, folder: Any) -> Path:
    """The requested folder, or the setting assetFolder, resolved inside the workspace."""
    root = ls.workspace.root_path
    if not root:
        raise JsonRpcInvalidParams("open a workspace folder first: assets are written into it")
    relative = folder if isinstance(folder, str) and folder else ls.settings.asset_folder
    path = (Path(root) / relative).resolve()
    if not path.is_relative_to(Path(root).resolve()):
        raise JsonRpcInvalidParams(f"folder {relative!r} is outside the workspace")
    return path
