"""A small pixel-space UNet that predicts v (the velocity of the noisy image) from a noisy
RGBA icon, the diffusion time and a prompt embedding.

Time and text are summed into one conditioning vector that scales and shifts every residual
block's features (FiLM); one self-attention layer at the lowest resolution lets distant
parts of the icon agree. Classifier-free guidance needs no extra code here: the "no prompt"
condition is the zero vector, which training feeds in place of the embedding now and then.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

from multimodal.image.text import EMBEDDING_DIM


@dataclass(frozen=True)
class UNetConfig:
    image_size: int = 32
    channels: int = 4  # RGBA, RGB premultiplied by alpha, all scaled to [-1, 1]
    widths: tuple[int, ...] = (32, 64, 128)  # one level per width; each halves the size
    text_dim: int = EMBEDDING_DIM
    cond_dim: int = 256
    groups: int = 8

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "widths": list(self.widths)}

    @classmethod
    def from_dict(cls, values: dict[str, object]) -> UNetConfig:
        return cls(**{**values, "widths": tuple(values["widths"])})  # type: ignore[arg-type]


def timestep_embedding(t: torch.Tensor, dim: int) -> torch.Tensor:
    """Sinusoids of t in [0, 1] (the transformer's position code, over diffusion time)."""
    half = dim // 2
    frequencies = torch.exp(-math.log(10_000) * torch.arange(half, device=t.device) / half)
    angles = 1000 * t[:, None].float() * frequencies[None]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class ResBlock(nn.Module):
    def __init__(self, c_in: int, c_out: int, cond_dim: int, groups: int) -> None:
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, c_in)
        self.conv1 = nn.Conv2d(c_in, c_out, 3, padding=1)
        self.film = nn.Linear(cond_dim, 2 * c_out)
        self.norm2 = nn.GroupNorm(groups, c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, padding=1)
        self.skip = nn.Conv2d(c_in, c_out, 1) if c_in != c_out else nn.Identity()
        nn.init.zeros_(self.conv2.weight)  # each block starts as the identity
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)))
        scale, shift = self.film(cond)[:, :, None, None].chunk(2, dim=1)
        h = self.norm2(h) * (1 + scale) + shift
        h = self.conv2(F.silu(h))
        return self.skip(x) + h


class SelfAttention(nn.Module):
    def __init__(self, channels: int, groups: int, heads: int = 4) -> None:
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.out = nn.Conv2d(channels, channels, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).unbind(1)
        y = F.scaled_dot_product_attention(
            q.transpose(-1, -2), k.transpose(-1, -2), v.transpose(-1, -2)
        )
        return x + self.out(y.transpose(-1, -2).reshape(b, c, h, w))


class UNet(nn.Module):
    def __init__(self, config: UNetConfig) -> None:
        super().__init__()
        self.config = config
        widths, cd, g = config.widths, config.cond_dim, config.groups
        self.time_mlp = nn.Sequential(nn.Linear(cd, cd), nn.SiLU(), nn.Linear(cd, cd))
        self.text_mlp = nn.Sequential(nn.Linear(config.text_dim, cd), nn.SiLU(), nn.Linear(cd, cd))
        self.stem = nn.Conv2d(config.channels, widths[0], 3, padding=1)
        self.down = nn.ModuleList()
        self.downsample = nn.ModuleList()
        for i, width in enumerate(widths):
            self.down.append(ResBlock(widths[max(i - 1, 0)], width, cd, g))
            last = i == len(widths) - 1
            self.downsample.append(
                nn.Identity() if last else nn.Conv2d(width, width, 3, stride=2, padding=1)
            )
        self.mid1 = ResBlock(widths[-1], widths[-1], cd, g)
        self.attention = SelfAttention(widths[-1], g)
        self.mid2 = ResBlock(widths[-1], widths[-1], cd, g)
        self.up = nn.ModuleList()
        for i in reversed(range(len(widths))):
            below = widths[min(i + 1, len(widths) - 1)]
            self.up.append(ResBlock(below + widths[i], widths[i], cd, g))
        self.head = nn.Sequential(
            nn.GroupNorm(g, widths[0]),
            nn.SiLU(),
            nn.Conv2d(widths[0], config.channels, 3, padding=1),
        )

    def forward(self, x: torch.Tensor, t: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """x: [B, 4, S, S] noisy icons; t: [B] diffusion time in [0, 1]; text: [B, 384]."""
        cond = F.silu(
            self.time_mlp(timestep_embedding(t, self.config.cond_dim)) + self.text_mlp(text)
        )
        h = self.stem(x)
        skips = []
        for block, downsample in zip(self.down, self.downsample, strict=True):
            h = block(h, cond)
            skips.append(h)
            h = downsample(h)
        h = self.mid2(self.attention(self.mid1(h, cond)), cond)
        for block in self.up:
            skip = skips.pop()
            if h.shape[-1] != skip.shape[-1]:
                h = F.interpolate(h, scale_factor=2, mode="nearest")
            h = block(torch.cat([h, skip], dim=1), cond)
        return self.head(h)
