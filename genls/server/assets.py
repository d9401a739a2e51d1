"""Where generated assets (images, music, sound effects) go: a folder inside the workspace."""

from __future__ import annotations

import re
from pathlib import Path

from genls.server.app import GenlsServer
from genls.server.commands import CommandRefused


def asset_folder(ls: GenlsServer, folder: str | None) -> Path:
    """The requested folder, or the setting assetFolder, resolved inside the workspace (the
    commands that call this need one)."""
    assert ls.root is not None
    root = ls.root.resolve()
    path = (root / (folder or ls.settings.assets.asset_folder)).resolve()
    if not path.is_relative_to(root):
        raise CommandRefused(f"folder {folder!r} is outside the workspace")
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
