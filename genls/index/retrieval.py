"""Hybrid retrieval: vector and BM25 rankings fused by reciprocal rank, capped per file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

Item = TypeVar("Item", bound=Hashable)  # a chunk's id: sortable, so ties break the same way

# The usual RRF constant: damps the head of each ranking so neither list dominates.
RRF_K = 60


def fuse_ranks(
    rankings: Sequence[Sequence[Item]],
    weights: Sequence[float] | None = None,
    k: int = RRF_K,
) -> list[tuple[Item, float]]:
    """Reciprocal rank fusion of several best-first lists of ids: (id, score), best first.
    A ranking's weight scales its votes (weighted RRF); all 1 by default."""
    scores: dict[Item, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights or [1.0] * len(rankings), strict=True):
        for rank, item in enumerate(ranking):
            scores[item] += weight / (k + rank + 1)
    return sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))


def cap_per_file(
    scored: Sequence[tuple[Item, float]],
    file_of: Callable[[Item], str],
    per_file: int,
    limit: int,
) -> list[tuple[Item, float]]:
    """Keep at most `per_file` hits from any one file, and `limit` in all."""
    taken: dict[str, int] = defaultdict(int)
    kept = []
    for item, score in scored:
        path = file_of(item)
        if taken[path] >= per_file:
            continue
        taken[path] += 1
        kept.append((item, score))
        if len(kept) == limit:
            break
    return kept
