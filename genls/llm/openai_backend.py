"""OpenAI-compatible HTTP backend: one big model shared by a team (llama.cpp server, vLLM, Ollama).

The raw FIM prompt goes to /v1/completions and instruction tasks to /v1/chat/completions, both
streamed, so that a cancelled request closes the connection and the server stops generating.
There is no tokenizer on this side: token counts are estimated from characters, which only
sizes the prompt budget.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator

import httpx

from genls.errors import BackendError
from genls.llm.backend import ChatMessage, GenerationRequest, GenerationStats
from genls.llm.fim import FimFormat, guess_format_from_name
from genls.openai_api import api_base, api_client

# Code tokenises at roughly 3-4 characters per token; erring low keeps prompts inside budget.
_CHARS_PER_TOKEN = 3.2


class OpenAICompatibleBackend:
    name = "openai"

    def __init__(self, endpoint: str, model: str, api_key: str | None = None) -> None:
        self.endpoint = api_base(endpoint)
        self.model = model
        self._client = api_client(api_key, timeout_s=60.0)
        self.description = f"{model} at {self.endpoint} (OpenAI-compatible)"
        self.fim: FimFormat | None = guess_format_from_name(model)
        self.last_stats = GenerationStats()

    def count_tokens(self, text: str) -> int:
        return int(len(text) / _CHARS_PER_TOKEN) + 1

    def generate(
        self, request: GenerationRequest, should_stop: Callable[[], bool]
    ) -> Iterator[str]:
        body = {
            "model": self.model,
            "prompt": request.prompt,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stop": list(request.stop[:4]),  # the OpenAI API accepts at most four
            "stream": True,
        }
        yield from self._stream("completions", body, request.prompt, should_stop)

    def chat(
        self,
        messages: list[ChatMessage],
        max_tokens: int,
        temperature: float,
        should_stop: Callable[[], bool],
    ) -> Iterator[str]:
        body = {
            "model": self.model,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "max_tokens": max_tokens,
            "temperature": temperature,
            "stream": True,
        }
        prompt = "".join(m.content for m in messages)
        yield from self._stream("chat/completions", body, prompt, should_stop)

    def _stream(
        self, route: str, body: dict, prompt: str, should_stop: Callable[[], bool]
    ) -> Iterator[str]:
        started = time.perf_counter()
        self.last_stats = GenerationStats(prompt_tokens=self.count_tokens(prompt))
        try:
            with self._client.stream("POST", f"{self.endpoint}/{route}", json=body) as reply:
                if reply.status_code != 200:
                    reply.read()
                    raise BackendError(
                        f"{self.endpoint} answered {reply.status_code}: {reply.text[:200]}"
                    )
                for text in _stream_texts(reply.iter_lines()):
                    if should_stop():
                        return  # leaving the block closes the connection
                    if not self.last_stats.prefill_seconds:
                        self.last_stats.prefill_seconds = time.perf_counter() - started
                    self.last_stats.generated_tokens += 1
                    yield text
        except httpx.HTTPError as exc:
            raise BackendError(f"cannot reach the model server at {self.endpoint}: {exc}") from exc
        finally:
            self.last_stats.decode_seconds = (
                time.perf_counter() - started - self.last_stats.prefill_seconds
            )

    def prewarm(self, prompt: str, should_stop: Callable[[], bool]) -> None:
        """The server keeps its own cache; nothing to do on this side."""

    def close(self) -> None:
        self._client.close()


def _stream_texts(lines: Iterator[str]) -> Iterator[str]:
    """The text of each server-sent event of a streamed completions or chat reply."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            return
        try:
            choices = json.loads(data).get("choices") or []
        except json.JSONDecodeError as exc:
            raise BackendError(f"the model server sent a malformed event: {data[:120]}") from exc
        if not choices:
            continue
        # /completions streams "text"; /chat/completions streams a "delta" message.
        text = choices[0].get("text") or (choices[0].get("delta") or {}).get("content")
        if text:
            yield text
