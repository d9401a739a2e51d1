"""Where generated assets (images, music, sound effects) go: a folder inside the workspace."""

from __future__ import annotations

import re
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


def free_name(folder: Path, description: str, suffix: str, also: tuple[str, ...] = ()) -> Path:
    """folder/<slug of description><suffix>, or <slug>-2, -3 ... so that no earlier asset is
    overwritten: neither the file, nor its provenance sidecar, nor the companions whose names
    end as `also` says (an image's "-sheet.png"). Checks the disk: call it off the event loop."""
    slug = re.sub(r"[^a-z0-9]+", "-", description.lower()).strip("-")[:48] or "asset"
    number = 1
    while True:
        stem = slug if number == 1 else f"{slug}-{number}"
        taken = [f"{stem}{suffix}", f"{stem}.provenance.json", *(stem + end for end in also)]
        if not any((folder / name).exists() for name in taken):
            return folder / f"{stem}{suffix}"
        number += 1
