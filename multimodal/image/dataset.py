"""Training data: Twemoji icons from the npm package emoji-datasource-twitter, captioned with
their names, short names, subcategory and category, and the captions' MiniLM embeddings.

`make image-data` unpacks the package into multimodal/image/data/; the first call of
`load_icons` turns its 64px PNGs into one cached .npz (pixels, captions, categories,
embeddings), so training and the bench never decode or embed twice.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from genls.atomic_files import write_files

DATA_DIR = Path(__file__).parent / "data"
PACKAGE = "emoji-datasource-twitter"
PACKAGE_VERSION = "16.0.0"
ATTRIBUTION = (
    "Trained on Twemoji graphics (c) Twitter, Inc. and other contributors "
    "(github.com/jdecked/twemoji), CC-BY 4.0, via npm emoji-datasource-twitter@16.0.0 (MIT)."
)


@dataclass(frozen=True)
class IconSet:
    pixels: np.ndarray  # uint8 [N, size, size, 4], RGBA
    captions: list[str]
    categories: list[str]
    embeddings: np.ndarray  # float32 [N, 384], unit length


def caption_of(entry: dict) -> str:
    """'Red Apple; apple; fruit-food; Food & Drink': the words a user would type."""
    words = [entry["name"] or entry["short_name"].replace("_", " ")]
    words += [name.replace("_", " ") for name in entry["short_names"]]
    words += [entry["subcategory"].replace("-", " "), entry["category"]]
    return "; ".join(dict.fromkeys(word for word in words if word))


def load_icons(size: int = 32, data_dir: Path = DATA_DIR) -> IconSet:
    cache = data_dir / f"icons{size}.npz"
    if not cache.exists():
        _build_cache(size, data_dir, cache)
    with np.load(cache) as stored:
        return IconSet(
            pixels=stored["pixels"],
            captions=[str(c) for c in stored["captions"]],
            categories=[str(c) for c in stored["categories"]],
            embeddings=stored["embeddings"],
        )


def _build_cache(size: int, data_dir: Path, cache: Path) -> None:
    from PIL import Image

    from multimodal.image.text import PromptEncoder

    package = data_dir / "package"
    if not (package / "emoji.json").exists():
        raise FileNotFoundError(f"no training data in {package}: run `make image-data`")
    entries = json.loads((package / "emoji.json").read_text(encoding="utf-8"))
    # Skin-tone variants are near copies; components (bare skin tones, hair) are not icons.
    entries = [e for e in entries if e["has_img_twitter"] and e["category"] != "Component"]
    entries.sort(key=lambda e: e["sort_order"])
    pixels = []
    for entry in entries:
        with Image.open(package / "img" / "twitter" / "64" / entry["image"]) as image:
            # Pillow premultiplies alpha while resampling RGBA, so edges do not darken.
            small = image.convert("RGBA").resize((size, size), Image.Resampling.LANCZOS)
            pixels.append(np.asarray(small, dtype=np.uint8))
    captions = [caption_of(e) for e in entries]
    embeddings = PromptEncoder().embed_captions(captions)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        pixels=np.stack(pixels),
        captions=np.array(captions),
        categories=np.array([e["category"] for e in entries]),
        embeddings=embeddings.astype(np.float32),
    )
    write_files({cache: buffer.getvalue()})  # a stopped first build leaves no broken cache


def is_held_out(index: int) -> bool:
    """Every tenth icon is never trained on: the bench measures on those (real images and
    prompts the model has not seen)."""
    return index % 10 == 0
