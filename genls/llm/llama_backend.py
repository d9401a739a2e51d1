"""llama-cpp-python backend: the default, with the KV cache kept warm across keystrokes.

llama-cpp-python already reuses the longest common token prefix of consecutive prompts. In PSM
order a keystroke changes the end of the prefix, so everything after it (the suffix window)
would be prefilled again: about 1.4 s for 256 suffix tokens on a 2-core laptop. Like the
llama.cpp server's cache-reuse option, we instead shift the suffix's KV cells to their new
positions and decode only the changed prefix tokens. The shifted cells were computed against
the old prefix, a small approximation; after `_MAX_STALE_TOKENS` shifted-over tokens the next
request recomputes the suffix exactly.
"""

from __future__ import annotations

import codecs
import logging
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import llama_cpp

from genls.errors import BackendError
from genls.llm.backend import GenerationRequest, GenerationStats
from genls.llm.fim import FimFormat, detect_format

log = logging.getLogger(__name__)

# How many prefix tokens may change under a shifted suffix before it is recomputed exactly.
_MAX_STALE_TOKENS = 48
# Prewarming checks for a waiting request after each step of this many tokens.
_PREWARM_STEP_TOKENS = 64


class LlamaCppBackend:
    name = "llama.cpp"

    def __init__(self, model_path: Path, *, threads: int, n_ctx: int) -> None:
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(model_path),
                n_ctx=n_ctx,
                n_batch=512,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"llama.cpp cannot load {model_path}: {exc}") from exc
        self.description = f"{model_path.name} (llama.cpp, {threads} threads, n_ctx {n_ctx})"
        self.n_ctx = n_ctx
        self.fim: FimFormat | None = detect_format(self._is_single_token)
        self.last_stats = GenerationStats()
        self._stale_tokens = 0

    # -- tokens -----------------------------------------------------------------------------

    def _is_single_token(self, text: str) -> bool:
        return len(self._llm.tokenize(text.encode(), add_bos=False, special=True)) == 1

    def count_tokens(self, text: str) -> int:
        return len(self._llm.tokenize(text.encode("utf-8", "replace"), add_bos=False))

    def _prompt_tokens(self, prompt: str) -> list[int]:
        tokens = self._llm.tokenize(prompt.encode("utf-8", "replace"), add_bos=True, special=True)
        if len(tokens) >= self.n_ctx:
            raise BackendError(
                f"prompt of {len(tokens)} tokens does not fit the model context of {self.n_ctx}"
            )
        return tokens

    # -- cache reuse ------------------------------------------------------------------------

    def _reuse_shifted_suffix(self, tokens: list[int]) -> int:
        """Keep the cached suffix by shifting it; return how many prompt tokens that saved."""
        if self.fim is None:
            return 0
        llm = self._llm
        cached = llm.input_ids[: llm.n_tokens].tolist()
        (marker,) = llm.tokenize(self.fim.suffix.strip().encode(), add_bos=False, special=True)
        try:
            new_at = tokens.index(marker)
            old_at = cached.index(marker)
        except ValueError:
            return 0
        tail = tokens[new_at:]  # suffix marker, suffix, middle marker
        common = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            common += 1
        changed = new_at - common
        if (
            common == 0
            or (common == new_at == old_at)  # same prefix: plain prefix reuse covers it
            or cached[old_at : old_at + len(tail)] != tail
            or self._stale_tokens + changed > _MAX_STALE_TOKENS
        ):
            return 0
        ctx = llm._ctx
        old_end = old_at + len(tail)
        ctx.kv_cache_seq_rm(-1, old_end, -1)  # the previous generation
        ctx.kv_cache_seq_rm(-1, common, old_at)  # the edited part of the prefix
        ctx.kv_cache_seq_shift(-1, old_at, old_end, new_at - old_at)
        # The new prefix tokens sit before the shifted cells, so the causal mask hides those.
        for start in range(common, new_at, llm.n_batch):
            batch = tokens[start : min(new_at, start + llm.n_batch)]
            llm._batch.set_batch(batch=batch, n_past=start, logits_all=False)
            ctx.decode(llm._batch)
        llm.input_ids[: len(tokens)] = tokens
        llm.n_tokens = len(tokens)
        # The stored logits belong to the wrong token: make generate() decode the last one again.
        llm._requires_eval = True
        self._stale_tokens += changed
        return len(tail) - 1

    # -- generation -------------------------------------------------------------------------

    def _start(self, prompt: str, temperature: float) -> tuple[Iterator[int], list[int]]:
        tokens = self._prompt_tokens(prompt)
        cached_before = self._common_prefix(tokens)
        shifted = self._reuse_shifted_suffix(tokens)
        if not shifted and cached_before < len(tokens) - 1:
            self._stale_tokens = 0  # the suffix is about to be computed exactly
        self.last_stats = GenerationStats(
            prompt_tokens=len(tokens), reused_tokens=max(cached_before, 0) + shifted
        )
        generator = self._llm.generate(
            tokens, temp=temperature, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.0
        )
        return generator, tokens

    def _common_prefix(self, tokens: list[int]) -> int:
        cached = self._llm.input_ids[: self._llm.n_tokens]
        common = 0
        for a, b in zip(cached, tokens, strict=False):
            if a != b:
                break
            common += 1
        return common

    def generate(
        self, request: GenerationRequest, should_stop: Callable[[], bool]
    ) -> Iterator[str]:
        started = time.perf_counter()
        generator, _ = self._start(request.prompt, request.temperature)
        vocab = self._llm._model.vocab
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = ""
        emitted = 0
        first_token_at: float | None = None
        try:
            for count, token in enumerate(generator, start=1):
                if first_token_at is None:
                    first_token_at = time.perf_counter()
                    self.last_stats.prefill_seconds = first_token_at - started
                if llama_cpp.llama_vocab_is_eog(vocab, token) or should_stop():
                    break
                text += decoder.decode(self._llm.detokenize([token], special=True))
                self.last_stats.generated_tokens = count
                cut = _find_stop(text, request.stop)
                if cut is not None:
                    if cut > emitted:
                        yield text[emitted:cut]
                    break
                # Hold back what could be the start of a stop string.
                safe = len(text) - _partial_stop_length(text, request.stop)
                if safe > emitted:
                    yield text[emitted:safe]
                    emitted = safe
                if count >= request.max_tokens:
                    if len(text) > emitted:
                        yield text[emitted:]
                    break
        finally:
            generator.close()
            if first_token_at is not None:
                self.last_stats.decode_seconds = time.perf_counter() - first_token_at

    def prewarm(self, prompt: str, should_stop: Callable[[], bool]) -> None:
        """Evaluate the prompt in small steps, so that a real request never waits long for it."""
        tokens = self._prompt_tokens(prompt)
        shifted = self._reuse_shifted_suffix(tokens)
        llm = self._llm
        done = len(tokens) if shifted else self._common_prefix(tokens)
        if not shifted:
            if done < len(tokens) - 1:
                self._stale_tokens = 0
            llm.n_tokens = done  # eval() drops the cache from here on
        while done < len(tokens) and not should_stop():
            step = tokens[done : done + _PREWARM_STEP_TOKENS]
            llm.eval(step)
            done += len(step)

    def close(self) -> None:
        self._llm.close()


def _find_stop(text: str, stops: tuple[str, ...]) -> int | None:
    positions = [i for stop in stops if (i := text.find(stop)) >= 0]
    return min(positions) if positions else None


def _partial_stop_length(text: str, stops: tuple[str, ...]) -> int:
    """Length of the longest tail of `text` that is a proper prefix of some stop string."""
    best = 0
    for stop in stops:
        for size in range(min(len(stop) - 1, len(text)), best, -1):
            if text.endswith(stop[:size]):
                best = size
                break
    return best
