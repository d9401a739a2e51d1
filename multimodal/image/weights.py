"""The model file: safetensors with the UNet's weights (the EMA copy) and a JSON header
(config, training steps, seed, minutes). Its sha256 sits beside it in `<name>.sha256` and
in the model card; loading refuses a file whose digest differs (truncated or corrupt)."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save

from genls.atomic_files import write_files
from genls.llm.registry import sha256_of
from multimodal.image.errors import ImageError
from multimodal.image.model import UNet, UNetConfig

WEIGHTS_DIR = Path(str(files(__package__) / "weights"))  # package data
BUNDLED_MODEL = "icons32"


class WeightsError(ImageError):
    """The model file is missing, corrupt or not a genls image model (the message says)."""


def bundled_path(name: str = BUNDLED_MODEL) -> Path:
    return WEIGHTS_DIR / f"{name}.safetensors"


def save_checkpoint(path: Path, model: UNet, info: dict[str, Any]) -> str:
    """Write atomically, record the digest beside it, return the digest."""
    header = {"config": json.dumps(model.config.as_dict()), "info": json.dumps(info)}
    tensors = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    data = save(tensors, metadata=header)
    digest = hashlib.sha256(data).hexdigest()
    # Weights and digest together or not at all: an interrupted save never leaves a mismatch.
    write_files({path: data, path.with_suffix(".sha256"): (digest + "\n").encode()})
    return digest


def load_checkpoint(path: Path, verify: bool = True) -> tuple[UNet, dict[str, Any], str]:
    """(model in eval mode, training info, sha256)."""
    if not path.is_file():
        raise WeightsError(f"image model weights not found: {path}")
    digest = sha256_of(path)
    recorded = path.with_suffix(".sha256")
    if verify:
        if not recorded.is_file():
            raise WeightsError(f"no recorded sha256 for {path} (expected {recorded})")
        expected = recorded.read_text(encoding="utf-8").strip()
        if digest != expected:
            raise WeightsError(
                f"image model weights are corrupt: sha256 of {path.name} is {digest[:12]}..., "
                f"expected {expected[:12]}... (reinstall or retrain)"
            )
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as handle:
            header = handle.metadata() or {}
        config = UNetConfig.from_dict(json.loads(header["config"]))
        model = UNet(config)
        model.load_state_dict(load_file(str(path)))
    except (SafetensorError, KeyError, ValueError, RuntimeError, OSError) as exc:
        raise WeightsError(f"{path} is not a genls image model: {exc}") from exc
    return model.eval(), json.loads(header.get("info", "{}")), digest


def load_bundled(name: str = BUNDLED_MODEL) -> tuple[UNet, dict[str, Any], str]:
    return load_checkpoint(bundled_path(name))


def parameter_count(model: torch.nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
