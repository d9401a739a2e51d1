"""Prompt to RGBA pixels with whichever model the settings name: "icons32" (the bundled
model) or a folder holding a diffusers pipeline. Callers never know which one runs."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from genls.torch_threads import torch_with_threads
from multimodal.image.dataset import ATTRIBUTION
from multimodal.image.pixels import to_rgba
from multimodal.image.request import ImageRequest, ImageRequestError
from multimodal.image.sampler import ddim_sample
from multimodal.image.text import PromptEncoder
from multimodal.image.weights import BUNDLED_MODEL, bundled_path, load_checkpoint

StopCheck = Callable[[], bool]
StepReport = Callable[[int, int], None]
_BATCH = 16  # images per model call: bounds memory, keeps progress moving


class ImageModel(Protocol):
    name: str
    sha256: str
    licence: str
    size: int

    def generate(
        self, request: ImageRequest, should_stop: StopCheck, on_step: StepReport
    ) -> np.ndarray:
        """uint8 [n, size, size, 4] RGBA; raises sampler.Cancelled when stopped."""
        ...


class BundledIconModel:
    """The shipped UNet + the MiniLM prompt encoder; loaded once, used by one caller at a
    time (the lock: torch modules are not meant for concurrent forward passes)."""

    licence = ATTRIBUTION

    def __init__(self, path: Path | None = None, threads: int = 1) -> None:
        path = path or bundled_path()
        self.model, self.info, self.sha256 = load_checkpoint(path)
        self.name = path.stem
        self.size = self.model.config.image_size
        torch_with_threads(threads)
        self._encoder = PromptEncoder(threads=threads)
        self._lock = threading.Lock()

    def generate(
        self, request: ImageRequest, should_stop: StopCheck, on_step: StepReport
    ) -> np.ndarray:
        if request.size not in (None, self.size):
            raise ImageRequestError(f"{self.name} makes {self.size}x{self.size} images only")
        with self._lock:
            text = torch.from_numpy(self._encoder.embed(request.prompt)).float()
            generator = torch.Generator().manual_seed(request.seed)
            images, batches = [], _batches(request.n)
            for index, count in enumerate(batches):

                def report(done: int, total: int, index: int = index) -> None:
                    on_step(index * total + done, len(batches) * total)

                x = ddim_sample(
                    self.model,
                    text.expand(count, -1),
                    generator,
                    steps=request.steps,
                    guidance=request.guidance,
                    should_stop=should_stop,
                    on_step=report,
                )
                images.append(to_rgba(x))
        return np.concatenate(images)


def _batches(n: int) -> list[int]:
    return [min(_BATCH, n - start) for start in range(0, n, _BATCH)]


def load_image_model(name_or_path: str, threads: int = 1) -> ImageModel:
    """`icons32` or a path to a diffusers pipeline folder (read from disk only)."""
    if name_or_path == BUNDLED_MODEL:
        return BundledIconModel(threads=threads)
    path = Path(name_or_path).expanduser()
    if path.suffix == ".safetensors":
        return BundledIconModel(path, threads=threads)
    from multimodal.image.diffusers_model import DiffusersModel

    return DiffusersModel(path, threads=threads)
