"""DDIM sampling with classifier-free guidance, for the bundled UNet.

Deterministic DDIM (eta = 0): the seed's starting noise fixes the picture. Each step asks the model
twice, with and without the prompt, in one batch, and moves the prediction away from the
unprompted one by `guidance`. `should_stop` is polled before every step (a cancel returns
nothing), `on_step(done, total)` is called after each.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from multimodal.image.diffusion import alpha_sigma, split_v
from multimodal.image.errors import ImageError
from multimodal.image.model import UNet


class Cancelled(ImageError):
    """Sampling stopped because should_stop() said so; no image was made."""


@torch.no_grad()
def ddim_sample(
    model: UNet,
    text: torch.Tensor,
    generator: torch.Generator,
    steps: int = 25,
    guidance: float = 3.0,
    should_stop: Callable[[], bool] = lambda: False,
    on_step: Callable[[int, int], None] = lambda done, total: None,
) -> torch.Tensor:
    """text: [N, 384] prompt embeddings (zeros for "no prompt") -> [N, 4, S, S] images."""
    n, size = text.shape[0], model.config.image_size
    x = torch.randn((n, model.config.channels, size, size), generator=generator)
    times = torch.linspace(1.0, 0.0, steps + 1)
    both_texts = torch.cat([text, torch.zeros_like(text)])
    for i in range(steps):
        if should_stop():
            raise Cancelled("image generation was cancelled")
        t, t_next = times[i].expand(n), times[i + 1].expand(n)
        if guidance == 1.0:  # plain conditional sampling: the unprompted call cancels out
            v = model(x, t, text)
        else:
            v_text, v_free = model(torch.cat([x, x]), torch.cat([t, t]), both_texts).chunk(2)
            v = v_free + guidance * (v_text - v_free)
        x0, _ = split_v(x, v, t)
        x0 = x0.clamp(-1, 1)  # pixels live in [-1, 1]; clamping keeps guided steps sane
        noise = _noise_of(x, x0, t)
        alpha_next, sigma_next = (value[:, None, None, None] for value in alpha_sigma(t_next))
        x = alpha_next * x0 + sigma_next * noise
        on_step(i + 1, steps)
    return x


def _noise_of(x_t: torch.Tensor, x0: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """The noise consistent with x_t and the (clamped) x_0."""
    alpha, sigma = (value[:, None, None, None] for value in alpha_sigma(t))
    return (x_t - alpha * x0) / sigma
