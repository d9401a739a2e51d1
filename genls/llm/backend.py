"""The one small interface every model backend implements.

The completion engine never knows which model runs: it counts tokens, asks for a generation
with a cancellation check, and may prewarm. Instruction tasks (docstrings, refactors, changelogs)
send chat messages instead; each backend renders them in its model's own chat format. Every
method blocks; callers run them on the model's own worker thread, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from genls.llm.fim import FimFormat


@dataclass(frozen=True)
class GenerationRequest:
    prompt: str
    max_tokens: int
    temperature: float
    stop: tuple[str, ...]
    # Text the answer is expected to copy most of (a next-edit rewrite of the lines around the
    # cursor): a backend that can may draft tokens from it (prompt-lookup decoding) and
    # verify them in one batch; the answer is the same as without it.
    draft_source: str | None = None


@dataclass(frozen=True)
class ChatMessage:
    role: str  # "system", "user" or "assistant"
    content: str


@dataclass
class GenerationStats:
    """What the last generation cost, for logs, the doctor and the benchmark."""

    prompt_tokens: int = 0
    reused_tokens: int = 0  # prompt tokens whose KV came from the cache
    generated_tokens: int = 0
    prefill_seconds: float = 0.0
    decode_seconds: float = 0.0
    # Prompt-lookup decoding: tokens drafted from the source, and how many the model kept.
    drafted_tokens: int = 0
    accepted_draft_tokens: int = 0
    # (end offset in the generated text, log-probability) per generated token, where the
    # backend knows them; empty elsewhere (then no suggestion is judged by its confidence).
    token_logprobs: list[tuple[int, float]] = field(default_factory=list)


class Backend(Protocol):
    name: str
    description: str  # one line: model file or URL, for the banner and the doctor
    fim: FimFormat | None  # detected from the model; settings may override
    last_stats: GenerationStats

    def count_tokens(self, text: str) -> int: ...

    def generate(
        self, request: GenerationRequest, should_stop: Callable[[], bool]
    ) -> Iterator[str]:
        """Yield text pieces; stop early (without error) as soon as should_stop() is true."""
        ...

    def chat(
        self,
        messages: list[ChatMessage],
        max_tokens: int,
        temperature: float,
        should_stop: Callable[[], bool],
    ) -> Iterator[str]:
        """Yield the assistant's reply to `messages`, in the model's own chat format."""
        ...

    def prewarm(self, prompt: str, should_stop: Callable[[], bool]) -> None:
        """Fill whatever cache the backend has with this prompt; a no-op where there is none."""
        ...

    def close(self) -> None: ...
