"""Generated icons as files: RGBA PNGs with transparency, a sprite sheet when there are
several, nearest-neighbour upscales for pixel art, and a provenance sidecar. All files of
one request are written all or nothing (temporary names, then renames), so a failure or a
cancel never leaves half of them."""

from __future__ import annotations

import io
import math
import os
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from genls import atomic_files
from multimodal.image.errors import ImageError
from multimodal.provenance import with_provenance

UPSCALES = (4, 8)


class OutputError(ImageError):
    """The target cannot be written (the message says which and why)."""


def png_bytes(rgba: np.ndarray) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgba, mode="RGBA").save(buffer, format="PNG")
    return buffer.getvalue()


def upscale(rgba: np.ndarray, factor: int) -> np.ndarray:
    """Each pixel becomes a factor x factor block: crisp pixel art, no blur."""
    return rgba.repeat(factor, axis=0).repeat(factor, axis=1)


def sprite_sheet(images: np.ndarray) -> np.ndarray:
    """[n, S, S, 4] -> one transparent grid, ceil(sqrt(n)) icons wide, row by row."""
    n, size = images.shape[0], images.shape[1]
    columns = math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    sheet = np.zeros((rows * size, columns * size, 4), dtype=np.uint8)
    for index, image in enumerate(images):
        row, column = divmod(index, columns)
        sheet[row * size : (row + 1) * size, column * size : (column + 1) * size] = image
    return sheet


def icon_files(
    images: np.ndarray, target: Path, record: dict[str, Any], upscales: tuple[int, ...] = UPSCALES
) -> dict[Path, bytes]:
    """Every file of one request, as bytes, by path; the first path is the main file.

    n = 1: potion.png (+ potion@4x.png ...); n > 1: potion-sheet.png (+ upscales) and
    potion-1.png ... potion-n.png. The sidecar lists each file's sha256.
    """
    target = target.with_suffix(".png")
    stem = target.stem
    pictures: dict[Path, np.ndarray] = {}
    main = target if len(images) == 1 else target.with_name(f"{stem}-sheet.png")
    pictures[main] = images[0] if len(images) == 1 else sprite_sheet(images)
    for factor in upscales:
        pictures[main.with_name(f"{main.stem}@{factor}x.png")] = upscale(pictures[main], factor)
    if len(images) > 1:
        for index, image in enumerate(images, start=1):
            pictures[target.with_name(f"{stem}-{index}.png")] = image
    files = {path: png_bytes(picture) for path, picture in pictures.items()}
    return with_provenance(files, target, record)


def check_writable(folder: Path) -> None:
    """Fail before any work if the folder (or the nearest one that exists) is read-only."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write into {folder}: {existing} is not a writable folder")


# Every file, or none of them; a failure is an OutputError.
write_all = partial(atomic_files.write_all, error=OutputError)
