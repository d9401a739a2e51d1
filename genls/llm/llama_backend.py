"""llama-cpp-python backend: the default, with the KV cache kept warm across keystrokes.

llama-cpp-python reuses the longest common token prefix of consecutive prompts; the prompt
layout (genls.assist.prompt) makes typing append to the prompt, so a keystroke prefills only
the few tokens it added. (Shifting cached suffix cells, as the llama.cpp server's cache reuse
does, is not possible here: llama.cpp requires a sequence's new tokens to follow its last
cached position.)
"""

from __future__ import annotations

import codecs
import logging
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import llama_cpp
import numpy as np
from llama_cpp.llama_chat_format import Jinja2ChatFormatter

from genls.errors import BackendError
from genls.llm.backend import ChatMessage, GenerationRequest, GenerationStats
from genls.llm.fim import FimFormat, detect_format
from genls.llm.prompt_lookup import SourceLookup

log = logging.getLogger(__name__)

# Prewarming checks for a waiting request after each step of this many tokens.
_PREWARM_STEP_TOKENS = 64
# Prompt-lookup decoding prefills its prompt (work behind completions) this many tokens at a
# time: a completion request waits for one such step at most.
_BEHIND_STEP_TOKENS = 32


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
                # Prefills 5-10 % faster on the CPU (README, Benchmarks).
                flash_attn=True,
                # Read, not mapped: llama.cpp repacks most weights into its own buffers, and
                # mapped file pages would stay resident beside them (+180 MB for the 0.5B).
                use_mmap=False,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"llama.cpp cannot load {model_path}: {exc}") from exc
        self.description = f"{model_path.name} (llama.cpp, {threads} threads, n_ctx {n_ctx})"
        self.n_ctx = n_ctx
        self.fim: FimFormat | None = detect_format(self._is_single_token)
        self._n_vocab = self._llm.n_vocab()
        self.last_stats = GenerationStats()
        self._chat_format = self._chat_formatter()

    def _chat_formatter(self) -> Jinja2ChatFormatter | None:
        """The chat template the GGUF carries, if any (instruction models all do)."""
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            return None
        model = self._llm._model
        return Jinja2ChatFormatter(
            template,
            eos_token=model.token_get_text(self._llm.token_eos()),
            bos_token=model.token_get_text(self._llm.token_bos()),
        )

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

    # -- generation -------------------------------------------------------------------------

    def _start(
        self, request: GenerationRequest, should_stop: Callable[[], bool]
    ) -> Iterator[tuple[int, float]]:
        """(token, log-probability) of each generated token."""
        tokens = self._prompt_tokens(request.prompt)
        self.last_stats = GenerationStats(
            prompt_tokens=len(tokens), reused_tokens=self._common_prefix(tokens)
        )
        if request.draft_source and request.temperature == 0:
            source = self._llm.tokenize(
                request.draft_source.encode("utf-8", "replace"), add_bos=False
            )
            return self._lookup_decoding(tokens, source, should_stop)
        return self._sampled(tokens, request.temperature)

    def _sampled(self, tokens: list[int], temperature: float) -> Iterator[tuple[int, float]]:
        generator = self._llm.generate(
            tokens, temp=temperature, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.0
        )
        try:
            for token in generator:
                yield token, self._logprob(self._logits(-1), token)
        finally:
            generator.close()

    def _lookup_decoding(
        self, prompt: list[int], source: list[int], should_stop: Callable[[], bool]
    ) -> Iterator[tuple[int, float]]:
        """Greedy decoding that drafts the next tokens from `source` and checks them all in one
        batch: where the answer copies the source, one model step yields many tokens.

        llama-cpp-python's own LlamaPromptLookupDecoding needs logits_all, which keeps a
        float per vocabulary entry for every context position (2.5 GB for Qwen at 4,096
        tokens); here only the batch's logits are read.
        """
        llm = self._llm
        # Work done behind completions: a completion request waits for one step at most.
        if not self._prefill(prompt, _BEHIND_STEP_TOKENS, should_stop):
            return
        logits = self._logits(-1)
        pending = int(logits.argmax())
        drafts = SourceLookup(source)
        while True:
            yield pending, self._logprob(logits, pending)
            drafts.feed(pending)
            batch = [pending, *drafts.draft()]
            n_past = llm.n_tokens
            if n_past + len(batch) >= self.n_ctx:
                return
            llm._batch.set_batch(batch=batch, n_past=n_past, logits_all=True)
            llm._ctx.decode(llm._batch)
            llm.input_ids[n_past : n_past + len(batch)] = batch
            llm.n_tokens = n_past + len(batch)
            # The last logits may be a rejected draft's: llama-cpp-python must not sample
            # from them on an exact cache hit.
            llm._requires_eval = True
            for index in range(len(batch)):
                logits = self._logits(index)
                predicted = int(logits.argmax())
                if index + 1 < len(batch) and predicted == batch[index + 1]:
                    yield predicted, self._logprob(logits, predicted)  # a draft token, kept
                    drafts.feed(predicted)
                    continue
                # The model disagrees here: the cache keeps what it confirmed, and the token it
                # chose is evaluated in the next batch.
                llm.n_tokens = n_past + index + 1
                llm._ctx.kv_cache_seq_rm(-1, llm.n_tokens, -1)
                drafts.checked(len(batch) - 1, index)
                self.last_stats.drafted_tokens += len(batch) - 1
                self.last_stats.accepted_draft_tokens += index
                pending = predicted
                break

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
        generator = self._start(request, should_stop)
        vocab = self._llm._model.vocab
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text = ""
        emitted = 0
        first_token_at: float | None = None
        try:
            for count, (token, logprob) in enumerate(generator, start=1):
                if first_token_at is None:
                    first_token_at = time.perf_counter()
                    self.last_stats.prefill_seconds = first_token_at - started
                if llama_cpp.llama_vocab_is_eog(vocab, token) or should_stop():
                    break
                text += decoder.decode(self._llm.detokenize([token], special=True))
                self.last_stats.generated_tokens = count
                self.last_stats.token_logprobs.append((len(text), logprob))
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

    def _logits(self, index: int) -> np.ndarray:
        """The logits at position `index` of the last batch (-1: its last token)."""
        pointer = llama_cpp.llama_get_logits_ith(self._llm._ctx.ctx, index)
        return np.ctypeslib.as_array(pointer, shape=(self._n_vocab,))

    @staticmethod
    def _logprob(logits: np.ndarray, token: int) -> float:
        """Log-probability of `token` under these logits."""
        top = float(logits.max())
        return float(logits[token]) - top - math.log(float(np.exp(logits - top).sum()))

    def chat(
        self,
        messages: list[ChatMessage],
        max_tokens: int,
        temperature: float,
        should_stop: Callable[[], bool],
    ) -> Iterator[str]:
        if self._chat_format is None:
            raise BackendError(f"{self.description} has no chat template: use an instruct model")
        rendered = self._chat_format(
            messages=[{"role": m.role, "content": m.content} for m in messages]
        )
        stop = rendered.stop if isinstance(rendered.stop, list) else [rendered.stop or ""]
        request = GenerationRequest(
            prompt=rendered.prompt,
            max_tokens=max_tokens,
            temperature=temperature,
            stop=tuple(s for s in stop if s),
        )
        yield from self.generate(request, should_stop)

    def prewarm(self, prompt: str, should_stop: Callable[[], bool]) -> None:
        """Evaluate the prompt in small steps, so that a real request never waits long for it."""
        self._prefill(self._prompt_tokens(prompt), _PREWARM_STEP_TOKENS, should_stop)

    def _prefill(self, tokens: list[int], step: int, should_stop: Callable[[], bool]) -> bool:
        """Evaluate what of `tokens` the cache lacks (at least the last token, for its
        logits), `step` tokens at a time, stopping between steps; True when all is in."""
        llm = self._llm
        llm.n_tokens = min(self._common_prefix(tokens), len(tokens) - 1)  # eval() drops the rest
        while llm.n_tokens < len(tokens):
            if should_stop():
                return False
            llm.eval(tokens[llm.n_tokens : llm.n_tokens + step])
        return True

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
