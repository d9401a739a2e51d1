"""transformers backend: a local Hugging Face folder, or a GGUF file loaded through `gguf_file`.

A plain token loop (not `generate`) so that cancellation is checked after every token and text
streams out as it is produced. Runs on the CPU; load-time errors name what is missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

from genls.errors import BackendError
from genls.llm.backend import ChatMessage, GenerationRequest, GenerationStats
from genls.llm.fim import FimFormat, detect_format
from genls.torch_threads import torch_with_threads


class TransformersBackend:
    name = "transformers"

    def __init__(self, model_path: Path, *, gguf_file: str | None, threads: int) -> None:
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise BackendError(
                "the transformers backend needs: pip install 'genls[transformers]'"
            ) from exc
        if model_path.is_file() and model_path.suffix == ".gguf":
            model_path, gguf_file = model_path.parent, model_path.name
        kwargs = {"gguf_file": gguf_file} if gguf_file else {}
        torch = torch_with_threads(threads)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(
                model_path, local_files_only=True, **kwargs
            )
            self._model = AutoModelForCausalLM.from_pretrained(
                model_path, local_files_only=True, dtype=torch.float32, **kwargs
            )
        except (OSError, ValueError) as exc:
            raise BackendError(f"transformers cannot load {model_path}: {exc}") from exc
        self._model.eval()
        self._torch = torch
        shown = f"{model_path}/{gguf_file}" if gguf_file else str(model_path)
        self.description = f"{shown} (transformers, {threads} threads)"
        self.fim: FimFormat | None = detect_format(self._is_single_token)
        self.last_stats = GenerationStats()
        eos = self._model.generation_config.eos_token_id
        self._eos_ids = set(eos if isinstance(eos, list) else [eos] if eos is not None else [])

    def _is_single_token(self, text: str) -> bool:
        return len(self._tokenizer.encode(text, add_special_tokens=False)) == 1

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    def generate(
        self, request: GenerationRequest, should_stop: Callable[[], bool]
    ) -> Iterator[str]:
        torch = self._torch
        started = time.perf_counter()
        prompt_ids = self._tokenizer(request.prompt, return_tensors="pt").input_ids
        self.last_stats = GenerationStats(prompt_tokens=int(prompt_ids.shape[1]))
        generated: list[int] = []
        emitted = ""
        step_input, past = prompt_ids, None
        with torch.inference_mode():
            for _ in range(request.max_tokens):
                if should_stop():
                    return
                out = self._model(input_ids=step_input, past_key_values=past, use_cache=True)
                past = out.past_key_values
                logits = out.logits[0, -1]
                if request.temperature > 0:
                    probs = torch.softmax(logits / request.temperature, dim=-1)
                    token = int(torch.multinomial(probs, 1))
                else:
                    token = int(torch.argmax(logits))
                if not generated:
                    self.last_stats.prefill_seconds = time.perf_counter() - started
                if token in self._eos_ids:
                    return
                generated.append(token)
                self.last_stats.generated_tokens = len(generated)
                text = self._tokenizer.decode(generated, skip_special_tokens=False)
                stops = [i for s in request.stop if (i := text.find(s)) >= 0]
                if stops:
                    if min(stops) > len(emitted):
                        yield text[len(emitted) : min(stops)]
                    return
                if text.endswith("\ufffd"):  # half a multi-byte character: wait for the rest
                    continue
                if len(text) > len(emitted) and text.startswith(emitted):
                    yield text[len(emitted) :]
                    emitted = text
                step_input = torch.tensor([[token]])
        self.last_stats.decode_seconds = (
            time.perf_counter() - started - self.last_stats.prefill_seconds
        )

    def chat(
        self,
        messages: list[ChatMessage],
        max_tokens: int,
        temperature: float,
        should_stop: Callable[[], bool],
    ) -> Iterator[str]:
        if not self._tokenizer.chat_template:
            raise BackendError(f"{self.description} has no chat template: use an instruct model")
        prompt = self._tokenizer.apply_chat_template(
            [{"role": m.role, "content": m.content} for m in messages],
            tokenize=False,
            add_generation_prompt=True,
        )
        request = GenerationRequest(prompt, max_tokens, temperature, stop=())
        yield from self.generate(request, should_stop)

    def prewarm(self, prompt: str, should_stop: Callable[[], bool]) -> None:
        """No cache survives between calls here; nothing to warm."""

    def close(self) -> None:
        self._model = None
