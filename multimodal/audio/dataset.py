"""Token windows for training and evaluation, cut from whole tunes at barlines.

Every window starts with the tune's conditioning prefix, so the model always knows the
style, mode, meter and tempo it is writing in, however deep into a long tune the window is.
"""

from __future__ import annotations

import numpy as np

from multimodal.audio.corpus import is_held_out
from multimodal.audio.events import PREFIX_LENGTH, Tune, Vocabulary, encode

IGNORE = -1  # target value the loss skips (padding, the conditioning prefix)


def split_tunes(tunes: list[Tune]) -> dict[str, list[Tune]]:
    parts: dict[str, list[Tune]] = {"train": [], "val": [], "test": []}
    for tune in tunes:
        parts[is_held_out(tune.source)].append(tune)
    return parts


class TokenWindows:
    """Encoded tunes, and (input, target) windows of block_size tokens drawn from them."""

    def __init__(self, tunes: list[Tune], vocab: Vocabulary, block_size: int) -> None:
        self.vocab = vocab
        self.block_size = block_size
        self.sequences = [np.array(encode(tune, vocab), dtype=np.int64) for tune in tunes]
        bar = vocab["BAR"]
        self.bar_starts = [np.flatnonzero(seq == bar) for seq in self.sequences]
        lengths = np.array([len(seq) for seq in self.sequences], dtype=np.float64)
        self.weights = lengths / lengths.sum()  # a long tune offers more windows

    def token_count(self) -> int:
        return int(sum(len(seq) for seq in self.sequences))

    def window(self, index: int, start: int) -> tuple[np.ndarray, np.ndarray]:
        """Prefix + the body from token `start` on, padded; targets skip prefix and padding."""
        sequence = self.sequences[index]
        body = sequence[start : start + self.block_size + 1 - PREFIX_LENGTH]
        tokens = np.concatenate([sequence[:PREFIX_LENGTH], body])
        padded = np.full(self.block_size + 1, self.vocab["PAD"], dtype=np.int64)
        padded[: len(tokens)] = tokens
        targets = padded[1:].copy()
        targets[len(tokens) - 1 :] = IGNORE
        targets[: PREFIX_LENGTH - 1] = IGNORE
        return padded[:-1], targets

    def random_batch(self, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
        inputs, targets = [], []
        for index in rng.choice(len(self.sequences), size=size, p=self.weights):
            starts = self.bar_starts[index]
            # half the windows open the tune, so the model learns beginnings too
            start = starts[0] if rng.random() < 0.5 else rng.choice(starts)
            x, y = self.window(int(index), int(start))
            inputs.append(x)
            targets.append(y)
        return np.stack(inputs), np.stack(targets)

    def covering_windows(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Windows that score every body token of every tune exactly once (for perplexity).

        A tune longer than one window continues in a new window that starts at the barline
        where the previous one's scoring stopped; context does not carry across windows.
        """
        out = []
        span = self.block_size - PREFIX_LENGTH
        for index, sequence in enumerate(self.sequences):
            start = PREFIX_LENGTH
            while start < len(sequence):
                x, y = self.window(index, start)
                stop = start + span
                if stop < len(sequence):
                    # end this window at the last barline inside it; score up to there
                    bars = self.bar_starts[index]
                    inside = bars[(bars > start) & (bars <= stop)]
                    stop = int(inside[-1]) if inside.size else stop
                    y[stop - start + PREFIX_LENGTH - 1 :] = IGNORE
                out.append((x, y))
                start = stop
        return out
