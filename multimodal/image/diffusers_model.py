"""A diffusers model folder on disk as an ImageModel: `unet/` and `scheduler/`, plus, for a
Stable Diffusion folder, `text_encoder/`, `tokenizer/` and `vae/`.

Everything loads with local_files_only=True (no hub). The folder's scheduler config is run
by DDIM (deterministic for a seed, 25 steps are enough). Without a text encoder, a
UNet2DConditionModel is conditioned on the bundled MiniLM embedding (cross_attention_dim
384), so a user can train a pixel UNet of their own with diffusers and plug it in; a
UNet2DModel is unconditioned (the prompt is recorded, not used).
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import torch

from genls.llm.registry import sha256_of
from genls.torch_threads import torch_with_threads
from multimodal.image.pixels import to_rgba
from multimodal.image.request import ImageRequest, ImageRequestError
from multimodal.image.sampler import Cancelled
from multimodal.image.text import EMBEDDING_DIM, PromptEncoder
from multimodal.image.weights import WeightsError

_WEIGHT_FILES = ("diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.bin")


class DiffusersModel:
    def __init__(self, folder: Path, threads: int = 1) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if not (folder / "unet" / "config.json").is_file():
            raise WeightsError(f"{folder} is not a diffusers model folder (no unet/config.json)")
        try:
            import diffusers
        except ImportError as exc:
            raise WeightsError("diffusers is not installed: pip install diffusers==0.42.1") from exc
        self.name = folder.name
        self.licence = f"as stated by the model's authors (see {folder})"
        torch_with_threads(threads)
        self._lock = threading.Lock()
        try:
            unet_class = json.loads((folder / "unet" / "config.json").read_text())["_class_name"]
            self.unet = (
                getattr(diffusers, unet_class)
                .from_pretrained(folder, subfolder="unet", local_files_only=True)
                .eval()
            )
            self.scheduler = diffusers.DDIMScheduler.from_config(
                diffusers.DDIMScheduler.load_config(
                    folder, subfolder="scheduler", local_files_only=True
                )
            )
            self.vae = (
                diffusers.AutoencoderKL.from_pretrained(
                    folder, subfolder="vae", local_files_only=True
                ).eval()
                if (folder / "vae").is_dir()
                else None
            )
            self._clip = _load_clip(folder) if (folder / "text_encoder").is_dir() else None
        except (OSError, ValueError, KeyError, AttributeError, json.JSONDecodeError) as exc:
            raise WeightsError(f"cannot load the diffusers model in {folder}: {exc}") from exc
        weights = next(
            (folder / "unet" / f for f in _WEIGHT_FILES if (folder / "unet" / f).is_file()), None
        )
        self.sha256 = sha256_of(weights) if weights else ""
        self.conditioned = (
            hasattr(self.unet.config, "cross_attention_dim")
            and self.unet.config.cross_attention_dim
        )
        width = self.unet.config.cross_attention_dim if self.conditioned else None
        if width and self._clip is None and width != EMBEDDING_DIM:
            raise WeightsError(
                f"{folder}: without a text encoder the UNet must take {EMBEDDING_DIM}-d MiniLM"
                f" embeddings (cross_attention_dim is {width})"
            )
        self._minilm = PromptEncoder(threads) if self.conditioned and self._clip is None else None
        sample = self.unet.config.sample_size
        sample = sample[0] if isinstance(sample, (list, tuple)) else sample
        self.size = int(sample) * (self._vae_scale() if self.vae else 1)

    def _vae_scale(self) -> int:
        return 2 ** (len(self.vae.config.block_out_channels) - 1)

    def _text(self, prompt: str, n: int) -> torch.Tensor | None:
        """[2n, tokens, dim]: the prompt n times, then "no prompt" n times."""
        if not self.conditioned:
            return None
        if self._clip is not None:
            tokenizer, encoder = self._clip
            tokens = tokenizer(
                [prompt, ""],
                padding="max_length",
                truncation=True,
                max_length=tokenizer.model_max_length,
                return_tensors="pt",
            )
            states = encoder(tokens.input_ids)[0]
            return torch.cat([states[:1].expand(n, -1, -1), states[1:].expand(n, -1, -1)])
        text = torch.from_numpy(self._minilm.embed(prompt)).float()[None, None]
        return torch.cat([text.expand(n, 1, -1), torch.zeros(n, 1, text.shape[-1])])

    @torch.no_grad()
    def generate(self, request: ImageRequest, should_stop: Any, on_step: Any) -> np.ndarray:
        size = request.size or self.size
        scale = self._vae_scale() if self.vae else 1
        if size % (8 * scale):
            raise ImageRequestError(f"{self.name}: the size must be a multiple of {8 * scale}")
        with self._lock:
            n = request.n
            generator = torch.Generator().manual_seed(request.seed)
            text = self._text(request.prompt, n)
            channels = self.unet.config.in_channels
            x = torch.randn((n, channels, size // scale, size // scale), generator=generator)
            self.scheduler.set_timesteps(request.steps)
            x = x * self.scheduler.init_noise_sigma
            for i, t in enumerate(self.scheduler.timesteps):
                if should_stop():
                    raise Cancelled("image generation was cancelled")
                if text is None:
                    predicted = self.unet(self.scheduler.scale_model_input(x, t), t).sample
                else:
                    both = self.scheduler.scale_model_input(torch.cat([x, x]), t)
                    with_text, free = self.unet(both, t, encoder_hidden_states=text).sample.chunk(2)
                    predicted = free + request.guidance * (with_text - free)
                x = self.scheduler.step(predicted, t, x, eta=0.0, generator=generator).prev_sample
                on_step(i + 1, len(self.scheduler.timesteps))
            if self.vae is not None:
                x = self.vae.decode(x / self.vae.config.scaling_factor).sample
        if x.shape[1] == 3:  # an RGB model: opaque
            x = torch.cat([x, torch.ones_like(x[:, :1])], dim=1)
        return to_rgba(x[:, :4])


def _load_clip(folder: Path) -> tuple[Any, Any]:
    import transformers

    tokenizer = transformers.CLIPTokenizer.from_pretrained(
        folder / "tokenizer", local_files_only=True
    )
    encoder = transformers.CLIPTextModel.from_pretrained(
        folder / "text_encoder", local_files_only=True
    )
    return tokenizer, encoder.eval()
