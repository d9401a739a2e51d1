"""The shipped weights: safetensors with the model config and vocabulary in its metadata,
and a recorded sha256 that is checked before anything is loaded."""

from __future__ import annotations

import hashlib
import json
from importlib.resources import files
from pathlib import Path

import torch
from safetensors.torch import load_file, save

from genls.atomic_files import write_files
from genls.llm.registry import sha256_of
from multimodal.audio.errors import WeightsError
from multimodal.audio.events import Vocabulary
from multimodal.audio.model import MusicModel, MusicModelConfig

WEIGHTS_DIR = Path(str(files(__package__) / "weights"))  # package data
WEIGHTS_PATH = WEIGHTS_DIR / "music.safetensors"
MODEL_NAME = "genls-music-events-v1"


def recorded_sha256(path: Path) -> str:
    return path.with_name(path.name + ".sha256").read_text().split()[0]


def save_model(model: MusicModel, path: Path, metadata: dict[str, str]) -> str:
    """Write the weights (float16: half the size, no audible difference) and their sha256."""
    vocab = Vocabulary()
    tensors = {
        name: tensor.detach().to(torch.float16).contiguous()
        for name, tensor in model.state_dict().items()
        if name != "head.weight"  # tied to the token embedding
    }
    info = {
        "model": MODEL_NAME,
        "config": json.dumps(model.config.as_dict()),
        "vocabulary": json.dumps(vocab.names),
        **metadata,
    }
    data = save(tensors, metadata=info)
    digest = hashlib.sha256(data).hexdigest()
    # Weights and digest together or not at all: an interrupted save never leaves a mismatch.
    sidecar = path.with_name(path.name + ".sha256")
    write_files({path: data, sidecar: f"{digest}  {path.name}\n".encode()})
    return digest


def load_model(path: Path = WEIGHTS_PATH) -> tuple[MusicModel, str]:
    """The model in eval mode and the weights' sha256, after checking it."""
    if not path.is_file():
        raise WeightsError(f"music model weights not found at {path}")
    digest = sha256_of(path)
    expected = recorded_sha256(path)
    if digest != expected:
        raise WeightsError(f"{path} has sha256 {digest}, expected {expected}: file damaged?")
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as handle:
        metadata = handle.metadata()
    if tuple(json.loads(metadata["vocabulary"])) != Vocabulary().names:
        raise WeightsError(f"{path} was trained with another vocabulary")
    model = MusicModel(MusicModelConfig(**json.loads(metadata["config"])))
    state = {name: tensor.float() for name, tensor in load_file(str(path)).items()}
    state["head.weight"] = state["token_embedding.weight"]
    model.load_state_dict(state)
    model.eval()
    return model, digest
