"""RGBA bytes <-> the model's tensors: channels first, RGB premultiplied by alpha (so fully
transparent pixels are one colour, not whatever the artist left there), scaled to [-1, 1]."""

from __future__ import annotations

import numpy as np
import torch


def to_model(rgba: np.ndarray) -> torch.Tensor:
    """uint8 [N, S, S, 4] -> float32 [N, 4, S, S]."""
    x = torch.from_numpy(rgba).float().div(255).permute(0, 3, 1, 2)
    x = torch.cat([x[:, :3] * x[:, 3:], x[:, 3:]], dim=1)
    return x * 2 - 1


def to_rgba(x: torch.Tensor) -> np.ndarray:
    """float [N, 4, S, S] in about [-1, 1] -> uint8 [N, S, S, 4], straight (not premultiplied)."""
    x = ((x.detach().float().cpu() + 1) / 2).clamp(0, 1)
    alpha = x[:, 3:]
    # Where alpha is ~0 the colour does not matter; elsewhere undo the premultiplication.
    rgb = torch.where(alpha > 1 / 255, x[:, :3] / alpha.clamp_min(1e-3), torch.zeros_like(x[:, :3]))
    x = torch.cat([rgb.clamp(0, 1), alpha], dim=1)
    return (x.permute(0, 2, 3, 1).numpy() * 255 + 0.5).astype(np.uint8)
