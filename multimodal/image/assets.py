"""One request, start to finish: check it, check the folder, sample, write every file (or
none). The CLI and the language server both call `make_icons`."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from multimodal.image.generate import ImageModel, StepReport, StopCheck
from multimodal.image.output import UPSCALES, check_writable, icon_files, write_all
from multimodal.image.request import ImageRequest
from multimodal.image.sampler import Cancelled
from multimodal.image.text import mostly_latin


@dataclass
class IconResult:
    files: list[Path]
    seconds: float
    warnings: list[str] = field(default_factory=list)


def make_icons(
    model: ImageModel,
    request: ImageRequest,
    target: Path,
    generator_name: str,
    should_stop: StopCheck = lambda: False,
    on_step: StepReport = lambda done, total: None,
    upscales: tuple[int, ...] = UPSCALES,
) -> IconResult:
    """`target` names the main PNG (potion.png); `generator_name` goes into the sidecar."""
    request = request.checked()
    check_writable(target.parent)  # before minutes of sampling, not after
    warnings = []
    if not mostly_latin(request.prompt):
        warnings.append(
            "the model was trained on English captions; a prompt in another script is "
            "understood poorly (the image may not match)"
        )
    started = time.perf_counter()
    images = model.generate(request, should_stop, on_step)
    if should_stop():  # cancelled after the last step: still nothing is written
        raise Cancelled("image generation was cancelled")
    seconds = time.perf_counter() - started
    record = {
        "generator": generator_name,
        "model": model.name,
        "model_sha256": model.sha256,
        **asdict(request),
        "size": int(images.shape[1]),
        "sampler": "DDIM, eta 0, classifier-free guidance",
        "licence": model.licence,
        "seconds": round(seconds, 2),
    }
    files = write_all(icon_files(images, target, record, upscales))
    return IconResult(files, seconds, warnings)
