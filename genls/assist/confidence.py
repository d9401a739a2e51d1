"""How sure the model was of a suggestion, from the log-probabilities of its tokens.

A suggestion that is not taken costs the person attention; one the model was unsure of is
rarely right (bench/replay measures both). The first non-blank line is what the person reads
first and what a one-line suggestion is, so that is the part judged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence


def first_line_confidence(raw: str, token_logprobs: Sequence[tuple[int, float]]) -> float | None:
    """Geometric mean probability of the tokens that wrote `raw`'s first non-blank line.

    `token_logprobs` holds (end offset in `raw`, log-probability) per token, offsets at or
    below 0 for tokens before it; None when the backend gave none.
    """
    start = len(raw) - len(raw.lstrip())
    end = raw.find("\n", start)
    end = len(raw) if end < 0 else end
    picked, token_start = [], 0
    for token_end, logprob in token_logprobs:
        if token_start >= end:
            break
        if token_end > start:
            picked.append(logprob)
        token_start = max(token_end, 0)
    return math.exp(sum(picked) / len(picked)) if picked else None
