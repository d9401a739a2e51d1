"""The noise schedule, shared by training and sampling: x_t = alpha(t) x_0 + sigma(t) noise,
with the cosine schedule (alpha = cos(pi t / 2), trimmed away from t = 1 so the last step is
not pure noise divided by zero) and v = alpha noise - sigma x_0 as the network's target."""

from __future__ import annotations

import math

import torch

_T_MAX = 0.995  # alpha(1) would be 0: x_0 could not be recovered from the last step


def alpha_sigma(t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    angle = t.clamp(0, 1) * _T_MAX * math.pi / 2
    return angle.cos(), angle.sin()


def add_noise(
    x0: torch.Tensor, noise: torch.Tensor, t: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """The noisy image at time t and the v the network should predict from it."""
    alpha, sigma = (value[:, None, None, None] for value in alpha_sigma(t))
    return alpha * x0 + sigma * noise, alpha * noise - sigma * x0


def split_v(
    x_t: torch.Tensor, v: torch.Tensor, t: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(x_0, noise) implied by a predicted v at time t."""
    alpha, sigma = (value[:, None, None, None] for value in alpha_sigma(t))
    return alpha * x_t - sigma * v, sigma * x_t + alpha * v
