"""Sampling melodies from the music model, with decoding constrained to well-formed bars.

At each step a mask allows only tokens that keep the sequence a valid tune: a position
after the previous note has ended and inside the bar, then a pitch, then a duration; a new
bar only after the current one has a note (or is covered by a held note); exactly the
requested number of bars. The piece starts on the downbeat. Without --loop the final bar is
re-drawn until it ends on the tonic (a cadence); with --loop until its last note leads back
to the first note of the piece.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from multimodal.audio.errors import Cancelled
from multimodal.audio.events import (
    PREFIX_LENGTH,
    TONIC,
    Note,
    Tune,
    Vocabulary,
    bar_sixteenths,
    decode,
    tempo_bucket,
)
from multimodal.audio.model import MusicModel
from multimodal.audio.prompt import MusicRequest

MELODY_RANGE = (55, 86)  # tonic-relative MIDI: a singable span around the tonic at 60
ENDING_TRIES = 8


@dataclass
class _BarState:
    """Where decoding is inside the current bar."""

    bar_length: int
    notes_in_bar: int = 0
    free_from: int = 0  # the earliest position the next note may take
    position: int = 0  # of the note being written
    expect: str = "POS_OR_BAR"  # then PITCH, then DUR


class ConstrainedSampler:
    def __init__(self, model: MusicModel, vocab: Vocabulary | None = None) -> None:
        self.model = model
        self.vocab = vocab or Vocabulary()
        v = self.vocab
        self.pos_ids = torch.tensor(v.ids_with_prefix("POS_"))
        self.pitch_ids = torch.tensor(
            [v[f"PITCH_{p}"] for p in range(MELODY_RANGE[0], MELODY_RANGE[1] + 1)]
        )
        self.dur_ids = torch.tensor(v.ids_with_prefix("DUR_"))
        # keys and values for the tokens in _cached (one generation at a time per sampler)
        self._cached: list[int] = []
        self._cache: list = []
        self._window_start = 0  # where the context's body starts in the piece's tokens

    def allowed(self, state: _BarState, last_bar: bool) -> torch.Tensor:
        """Token ids allowed next."""
        v = self.vocab
        if state.expect == "PITCH":
            return self.pitch_ids
        if state.expect == "DUR":
            room = state.bar_length - state.position if last_bar else 32
            return self.dur_ids[: max(1, room)]
        first = state.free_from
        positions = self.pos_ids[first : state.bar_length] if first < state.bar_length else None
        if state.notes_in_bar == 0 and state.free_from == 0:
            positions = self.pos_ids[:1]  # a bar with nothing held opens on the downbeat
        may_end = state.notes_in_bar > 0 or state.free_from >= state.bar_length
        ids = [positions] if positions is not None else []
        if may_end or positions is None:
            ids.append(torch.tensor([v["BAR"]]))
        return torch.cat(ids)

    @torch.no_grad()
    def _logits(self, context: list[int]) -> torch.Tensor:
        """Next-token logits, reusing the keys and values of the longest cached prefix."""
        common = 0
        for cached, token in zip(self._cached, context, strict=False):
            if cached != token:
                break
            common += 1
        common = min(common, len(context) - 1)  # the last position is always computed
        if common == 0:
            logits, self._cache = self.model.step(torch.tensor([context]))
            self._cached = list(context)
            return logits[0, -1]
        self._cache = [(k[:, :, :common], v[:, :, :common]) for k, v in self._cache]
        self._cached = self._cached[:common]
        for token in context[common:]:
            logits, self._cache = self.model.step(torch.tensor([[token]]), self._cache)
            self._cached.append(token)
        return logits[0, -1]

    def next_token(
        self,
        tokens: list[int],
        allowed: torch.Tensor,
        generator: torch.Generator,
        temperature: float,
    ) -> int:
        chosen = self._logits(self._context(tokens))[allowed] / temperature
        probabilities = torch.softmax(chosen, dim=-1)
        # nucleus: keep the smallest set of tokens holding 95% of the probability
        ordered, order = torch.sort(probabilities, descending=True)
        keep = torch.cumsum(ordered, 0) - ordered < 0.95
        probabilities = torch.zeros_like(probabilities).scatter(0, order[keep], ordered[keep])
        index = torch.multinomial(probabilities, 1, generator=generator)
        return int(allowed[index])

    def _context(self, tokens: list[int]) -> list[int]:
        """The prefix plus the recent body, from a barline.

        When the body outgrows the model's block, the window jumps forward to a barline that
        leaves it about half full, and then stays put while tokens are added: a window that
        slid by one token each step would defeat the key-value cache.
        """
        limit = self.model.config.block_size
        start = max(self._window_start, PREFIX_LENGTH)
        if PREFIX_LENGTH + len(tokens) - start > limit:
            bar = self.vocab["BAR"]
            earliest = len(tokens) - limit // 2
            start = next((i for i in range(earliest, len(tokens)) if tokens[i] == bar), earliest)
            self._window_start = start
        return tokens[:PREFIX_LENGTH] + tokens[start:]

    def sample_bar(
        self,
        tokens: list[int],
        bar_length: int,
        held: int,
        last_bar: bool,
        generator: torch.Generator,
        temperature: float,
    ) -> tuple[list[int], int]:
        """One bar's tokens (after its BAR token), and how far its last note rings past it."""
        state = _BarState(bar_length=bar_length, free_from=held)
        out: list[int] = []
        while True:
            allowed = self.allowed(state, last_bar)
            token = self.next_token(tokens + out, allowed, generator, temperature)
            kind = self.vocab.kind(token)
            if kind == "BAR":
                return out, max(0, state.free_from - bar_length)
            out.append(token)
            if kind == "POS":
                state.position = self.vocab.value(token)
                state.expect = "PITCH"
            elif kind == "PITCH":
                state.expect = "DUR"
            else:
                state.notes_in_bar += 1
                state.free_from = state.position + self.vocab.value(token)
                state.expect = "POS_OR_BAR"
                if state.free_from >= bar_length:
                    return out, state.free_from - bar_length

    def generate(
        self,
        request: MusicRequest,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        temperature: float = 0.9,
    ) -> Tune:
        """A tonic-relative melody of request.bars bars (accompany.py transposes it)."""
        generator = torch.Generator().manual_seed(request.seed)
        # a fresh start: the same seed, the same piece
        self._cached, self._cache, self._window_start = [], [], 0
        v = self.vocab
        bar_length = bar_sixteenths(request.meter)
        tokens = v.prefix(request.style, request.mode, request.meter, tempo_bucket(request.bpm))
        held = 0
        for bar in range(request.bars):
            if cancelled and cancelled():
                raise Cancelled
            last = bar == request.bars - 1
            tokens.append(v["BAR"])
            for _attempt in range(ENDING_TRIES if last else 1):
                body, ringing = self.sample_bar(
                    tokens, bar_length, held, last, generator, temperature
                )
                if not last or self._ends_well(decode(tokens + body, v), request.loop):
                    break
            tokens += body
            held = ringing
            if progress:
                progress(bar + 1, request.bars)
        tune = decode(tokens, v)
        tune.bars = request.bars
        return self._finish(tune, request.loop)

    @staticmethod
    def _ends_well(tune: Tune, loop: bool) -> bool:
        if len(tune.notes) < 2:
            return True
        first, last = tune.notes[0], tune.notes[-1]
        if loop:
            return 0 < abs(last.pitch - first.pitch) <= 4
        return (last.pitch - TONIC) % 12 == 0

    @staticmethod
    def _finish(tune: Tune, loop: bool) -> Tune:
        """A cadence to hold: without a loop, the last note lasts to the end of the piece."""
        if loop or not tune.notes:
            return tune
        if (tune.notes[-1].pitch - TONIC) % 12 != 0:
            # the model never found the tonic: move the last note to the nearest one
            last = tune.notes[-1]
            nearest = last.pitch - ((last.pitch - TONIC + 6) % 12 - 6)
            tune.notes[-1] = Note(last.bar, last.position, nearest, last.duration)
        last = tune.notes[-1]
        end = tune.bars * bar_sixteenths(tune.meter)
        start = last.bar * bar_sixteenths(tune.meter) + last.position
        tune.notes[-1] = Note(last.bar, last.position, last.pitch, max(1, min(32, end - start)))
        return tune
