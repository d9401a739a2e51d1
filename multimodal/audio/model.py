"""A small decoder-only transformer over music event tokens (after nanoGPT).

Pre-norm blocks of causal self-attention and an MLP; learned positions; the output layer
shares its weights with the token embedding.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

KeyValues = tuple[torch.Tensor, torch.Tensor]


@dataclass(frozen=True)
class MusicModelConfig:
    vocab_size: int
    block_size: int = 256
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.1

    def as_dict(self) -> dict[str, int | float]:
        return asdict(self)


class CausalSelfAttention(nn.Module):
    def __init__(self, config: MusicModelConfig) -> None:
        super().__init__()
        self.n_head = config.n_head
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd)
        self.proj = nn.Linear(config.n_embd, config.n_embd)
        self.dropout = config.dropout

    def forward(
        self, x: torch.Tensor, past: KeyValues | None = None
    ) -> tuple[torch.Tensor, KeyValues]:
        """With `past` (keys and values of earlier positions), x is the one next position."""
        batch, length, width = x.shape
        q, k, v = self.qkv(x).split(width, dim=2)
        q, k, v = (
            t.view(batch, length, self.n_head, width // self.n_head).transpose(1, 2)
            for t in (q, k, v)
        )
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        y = F.scaled_dot_product_attention(
            q, k, v, is_causal=past is None, dropout_p=self.dropout if self.training else 0.0
        )
        return self.proj(y.transpose(1, 2).contiguous().view(batch, length, width)), (k, v)


class Block(nn.Module):
    def __init__(self, config: MusicModelConfig) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(config.n_embd)
        self.attention = CausalSelfAttention(config)
        self.norm2 = nn.LayerNorm(config.n_embd)
        self.mlp = nn.Sequential(
            nn.Linear(config.n_embd, 4 * config.n_embd),
            nn.GELU(),
            nn.Linear(4 * config.n_embd, config.n_embd),
            nn.Dropout(config.dropout),
        )

    def forward(
        self, x: torch.Tensor, past: KeyValues | None = None
    ) -> tuple[torch.Tensor, KeyValues]:
        attended, present = self.attention(self.norm1(x), past)
        x = x + attended
        return x + self.mlp(self.norm2(x)), present


class MusicModel(nn.Module):
    def __init__(self, config: MusicModelConfig) -> None:
        super().__init__()
        self.config = config
        self.token_embedding = nn.Embedding(config.vocab_size, config.n_embd)
        self.position_embedding = nn.Embedding(config.block_size, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.norm = nn.LayerNorm(config.n_embd)
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.head.weight = self.token_embedding.weight  # tied: fewer parameters, better fit
        self.apply(self._init_weights)
        for name, parameter in self.named_parameters():
            if name.endswith("proj.weight") or name.endswith("mlp.3.weight"):
                # residual projections scaled down with depth, as in GPT-2
                nn.init.normal_(parameter, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, std=0.02)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def step(
        self, tokens: torch.Tensor, cache: list[KeyValues] | None = None
    ) -> tuple[torch.Tensor, list[KeyValues]]:
        """Logits, and every layer's keys and values for reuse: with a cache, `tokens` is the
        one token after the cached ones (sampling then costs one position per token)."""
        start = cache[0][0].shape[2] if cache else 0
        positions = torch.arange(start, start + tokens.shape[1], device=tokens.device)
        x = self.dropout(self.token_embedding(tokens) + self.position_embedding(positions))
        present = []
        for i, block in enumerate(self.blocks):
            x, layer = block(x, cache[i] if cache else None)
            present.append(layer)
        return self.head(self.norm(x)), present

    def forward(
        self, tokens: torch.Tensor, targets: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Logits for every position, and the mean cross-entropy where targets are not -1."""
        logits, _ = self.step(tokens)
        if targets is None:
            return logits, None
        loss = F.cross_entropy(
            logits.view(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1
        )
        return logits, loss
