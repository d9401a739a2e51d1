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

log = logging.getLogger(__name__)

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

    def _start(self, prompt: str, temperature: float) -> tuple[Iterator[int], list[int]]:
        tokens = self._prompt_tokens(prompt)
        self.last_stats = GenerationStats(
            prompt_tokens=len(tokens), reused_tokens=self._common_prefix(tokens)
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
                logprob = self._logprob(token)
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

    def _logprob(self, token: int) -> float:
        """Log-probability of the token just sampled, from the logits it was sampled from."""
        pointer = llama_cpp.llama_get_logits_ith(self._llm._ctx.ctx, -1)
        logits = np.ctypeslib.as_array(pointer, shape=(self._n_vocab,))
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
        tokens = self._prompt_tokens(prompt)
        llm = self._llm
        done = min(self._common_prefix(tokens), len(tokens) - 1)
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
