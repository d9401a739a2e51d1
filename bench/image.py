"""Image model quality and speed: one JSON report (needs `make image-data`).

- Prompt fidelity: a category classifier (softmax regression on 16x16 RGBA pixels and a
  colour histogram) is trained on the icons the diffusion model trained on, then labels
  (a) the held-out real icons, (b) images generated from the held-out icons' names (prompts
  the model never saw), (c) unconditioned samples. (b) is the figure; (a) is the ceiling a
  classifier this simple reaches, (c) is the floor (what the categories' frequencies give).
- Novelty: share of generated images whose nearest training icon is a near-copy (RMS pixel
  difference below NEAR_COPY_RMS), with the same share for held-out real icons as context.
- Speed: seconds per image at 25 steps, and images per second in a batch.
Nothing passes or fails.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from bench.machine import report_header
from genls.atomic_files import write_files
from multimodal.image.dataset import is_held_out, load_icons
from multimodal.image.output import png_bytes, sprite_sheet, upscale
from multimodal.image.pixels import to_model, to_rgba
from multimodal.image.sampler import ddim_sample
from multimodal.image.text import PromptEncoder
from multimodal.image.weights import load_bundled

NEAR_COPY_RMS = 0.06  # on [0, 1] premultiplied RGBA: visually the same icon
STEPS, GUIDANCE, BATCH = 25, 3.0, 16


def run_image_bench(
    prompts: int = 0, threads: int = 2, grid: Path | None = Path("docs/images/icons32-samples.png")
) -> dict[str, Any]:
    """prompts: how many held-out icons to prompt with (0: all of them)."""
    torch.set_num_threads(threads)
    icons = load_icons(32)
    held = np.array([is_held_out(i) for i in range(len(icons.captions))])
    categories = sorted(set(icons.categories))
    labels = np.array([categories.index(c) for c in icons.categories])
    classifier = _train_classifier(icons.pixels[~held], labels[~held])
    model, info, sha256 = load_bundled()
    encoder = PromptEncoder(threads)
    names = [_name_only(c) for c, h in zip(icons.captions, held, strict=True) if h]
    wanted = labels[held]
    if prompts:
        names, wanted = names[:prompts], wanted[:prompts]
    texts = torch.from_numpy(encoder.embed_captions(names)).float()
    generated = _sample(model, texts, GUIDANCE, seed=0)
    unconditioned = _sample(model, torch.zeros_like(texts), 1.0, seed=1)
    real_held = icons.pixels[held][: len(names)]
    if grid is not None:
        write_files({grid: png_bytes(upscale(sprite_sheet(generated[:48]), 4))})
    train_x = _flat(icons.pixels[~held])
    return {
        **report_header("image"),
        "model": {"name": "icons32", "sha256": sha256, "training": info},
        "settings": {"steps": STEPS, "guidance": GUIDANCE, "threads": threads},
        "prompts": len(names),
        "categories": categories,
        "fidelity": {
            "generated_accuracy": _accuracy(classifier, generated, wanted),
            "real_held_out_accuracy": _accuracy(classifier, real_held, wanted),
            "unconditioned_accuracy": _accuracy(classifier, unconditioned, wanted),
            "majority_class_share": round(float(np.bincount(wanted).max() / len(wanted)), 3),
        },
        "novelty": {
            "near_copy_rms": NEAR_COPY_RMS,
            "generated_near_copy_share": _near_copy_share(generated, train_x),
            "real_held_out_near_copy_share": _near_copy_share(real_held, train_x),
            "generated_median_nearest_rms": _median_nearest(generated, train_x),
        },
        "speed": _speed(model, texts[0]),
        "grid": str(grid) if grid else None,
        "grid_prompts": names[:48],
    }


def _name_only(caption: str) -> str:
    """'Red Apple; apple; fruit-food; Food & Drink' -> 'red apple, apple': no category words."""
    parts = caption.split("; ")[:-2] or caption.split("; ")[:1]
    return ", ".join(parts).lower()


@torch.no_grad()
def _sample(model: Any, texts: torch.Tensor, guidance: float, seed: int) -> np.ndarray:
    generator = torch.Generator().manual_seed(seed)
    out = [
        to_rgba(ddim_sample(model, texts[i : i + BATCH], generator, STEPS, guidance))
        for i in range(0, len(texts), BATCH)
    ]
    return np.concatenate(out)


def _features(rgba: np.ndarray) -> torch.Tensor:
    x = (to_model(rgba) + 1) / 2  # premultiplied, [0, 1]
    small = F.avg_pool2d(x, 2).flatten(1)
    rgb = x[:, :3].flatten(2)
    alpha = x[:, 3:].flatten(2).clamp_min(1e-3)
    colour = torch.cat([(rgb * alpha).sum(-1) / alpha.sum(-1), x[:, 3].mean((1, 2))[:, None]], 1)
    return torch.cat([small, colour * 8], dim=1)


def _train_classifier(pixels: np.ndarray, labels: np.ndarray) -> torch.nn.Linear:
    torch.manual_seed(0)
    x = torch.cat([_features(pixels), _features(pixels[:, :, ::-1].copy())])
    y = torch.from_numpy(np.concatenate([labels, labels])).long()
    classifier = torch.nn.Linear(x.shape[1], int(labels.max()) + 1)
    optimizer = torch.optim.Adam(classifier.parameters(), lr=1e-2, weight_decay=1e-4)
    for _ in range(300):
        loss = F.cross_entropy(classifier(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return classifier


def _accuracy(classifier: torch.nn.Linear, pixels: np.ndarray, wanted: np.ndarray) -> float:
    with torch.no_grad():
        predicted = classifier(_features(pixels)).argmax(1).numpy()
    return round(float((predicted == wanted).mean()), 3)


def _flat(pixels: np.ndarray) -> torch.Tensor:
    return ((to_model(pixels) + 1) / 2).flatten(1)


def _nearest_rms(pixels: np.ndarray, train_x: torch.Tensor) -> torch.Tensor:
    distances = torch.cdist(_flat(pixels), train_x)  # Euclidean over all values
    return distances.min(1).values / train_x.shape[1] ** 0.5


def _near_copy_share(pixels: np.ndarray, train_x: torch.Tensor) -> float:
    return round(float((_nearest_rms(pixels, train_x) < NEAR_COPY_RMS).float().mean()), 3)


def _median_nearest(pixels: np.ndarray, train_x: torch.Tensor) -> float:
    return round(float(_nearest_rms(pixels, train_x).median()), 4)


def _speed(model: Any, text: torch.Tensor) -> dict[str, float]:
    generator = torch.Generator().manual_seed(0)
    started = time.perf_counter()
    ddim_sample(model, text[None], generator, STEPS, GUIDANCE)
    single = time.perf_counter() - started
    started = time.perf_counter()
    ddim_sample(model, text.expand(BATCH, -1), generator, STEPS, GUIDANCE)
    batch = time.perf_counter() - started
    return {
        "seconds_per_image": round(single, 3),
        "batch": BATCH,
        "images_per_second_in_batch": round(BATCH / batch, 2),
    }
