"""The doctor's latency check: how long a person waits for a suggestion from each bundled
completion model on this machine, and which model and budget meet genls's targets.

Measured with the real completion engine on a generated module longer than any budget:
- cold: the first request at a new place, nothing prefilled (an editor that does not report
  the cursor);
- arrival: the same, less what prefilling during the person's pause before typing does
  (`bench replay`'s model: genls's clients report the cursor after 250 ms of rest, the first
  keystroke comes 1.35 s after the cursor stopped);
- continuing: one more keystroke there, answered by the model (not the suggestion cache).
Arrival at other budgets is estimated from the measured prefill rate. `genls bench replay`
measures all of this on real commits; this is the quick, local version.
"""

from __future__ import annotations

import asyncio
import statistics
from dataclasses import dataclass

from genls.assist.completion import CompletionEngine, CompletionRequest
from genls.config import Settings
from genls.llm.factory import create_backend

TARGET_ARRIVAL_SECONDS = 1.5
TARGET_CONTINUING_SECONDS = 0.25
# The replay's pause before the first keystroke (1.35 s) less the clients' cursor rest (0.25 s).
PREWARM_WINDOW_SECONDS = 1.1
# From the largest down; below 512 the replay saved clearly fewer characters.
BUDGETS = (1024, 768, 512)
# The completion models genls bundles, the better one on real code first (DESIGN.md).
COMPLETION_MODELS = ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-iq4nl")
# Typed after the cold request; each the model must answer counts as a continuing keystroke.
_KEYSTROKES = "rix"


@dataclass(frozen=True)
class ModelLatency:
    model: str
    budget: int
    cold_seconds: float
    prefill_seconds: float  # of the cold request
    prefill_tokens_per_second: float
    continuing_seconds: float

    def arrival_seconds(self, budget: int | None = None) -> float:
        """Arrival at `budget` (default: the measured one), the pause's prefill taken off."""
        tokens = budget or self.budget
        prefill = tokens / self.prefill_tokens_per_second if budget else self.prefill_seconds
        rest = self.cold_seconds - self.prefill_seconds  # decoding and the engine's own work
        return max(prefill - PREWARM_WINDOW_SECONDS, 0.0) + rest

    def best_budget(self) -> int | None:
        """The largest budget meeting both targets here, if any."""
        if self.continuing_seconds > TARGET_CONTINUING_SECONDS:
            return None
        fitting = [b for b in BUDGETS if self.arrival_seconds(b) <= TARGET_ARRIVAL_SECONDS]
        return fitting[0] if fitting else None


def sample_module() -> str:
    """Plain, varied Python, longer than the largest budget."""
    parts = [
        '"""Orders, prices and stock of a small shop."""\n\nfrom dataclasses import dataclass\n'
    ]
    for number in range(24):
        parts.append(
            f"\n\n@dataclass\nclass Item{number}:\n    name: str\n    price: float\n"
            f"    quantity: int = {number}\n\n    def total(self) -> float:\n"
            f"        return self.price * self.quantity + {number}\n\n"
            f'    def label(self) -> str:\n        return f"{{self.name}} x{{self.quantity}}"\n'
        )
    parts.append("\n\ndef most_valuable(items: list[Item0]) -> Item0:\n    ")
    return "".join(parts)


def measure(settings: Settings, model: str) -> ModelLatency:
    """Load `model` with these settings (budget, threads) and time real requests."""
    engine = CompletionEngine(settings.merged({"model": model, "prewarm": False}), create_backend)
    try:
        return asyncio.run(_measure(engine))
    finally:
        engine.close()


async def _measure(engine: CompletionEngine) -> ModelLatency:
    await engine.load()
    text = sample_module()
    await engine.complete(_request(text))
    cold = engine.recent[-1]
    continuing = []
    for typed in _KEYSTROKES:
        text += typed
        await engine.complete(_request(text))
        answer = engine.last_answer
        if answer is not None and answer.source == "model":  # not the suggestion cache
            continuing.append(answer.seconds)
    stats = cold.stats
    rate = stats.prompt_tokens / stats.prefill_seconds if stats.prefill_seconds else 0.0
    return ModelLatency(
        model=engine.settings.completion.model,
        budget=engine.settings.completion.context_tokens,
        cold_seconds=cold.seconds,
        prefill_seconds=stats.prefill_seconds,
        prefill_tokens_per_second=rate or 1.0,
        continuing_seconds=statistics.median(continuing) if continuing else cold.seconds,
    )


def _request(text: str) -> CompletionRequest:
    return CompletionRequest("file:///doctor/shop.py", "/doctor/shop.py", text, len(text), "python")


def recommendation(latencies: list[ModelLatency]) -> tuple[bool, str]:
    """(whether a bundled model meets the targets here, the advice in one line)."""
    targets = (
        f"targets: arrival {TARGET_ARRIVAL_SECONDS:g} s, continuing {TARGET_CONTINUING_SECONDS:g} s"
    )
    for latency in latencies:  # the better model first
        budget = latency.best_budget()
        if budget is not None:
            return True, (
                f"model {latency.model}, contextTokens {budget}: arrival ≈"
                f" {latency.arrival_seconds(budget):.1f} s, continuing"
                f" {latency.continuing_seconds:.2f} s ({targets})"
            )
    fastest = min(latencies, key=lambda latency: latency.arrival_seconds(BUDGETS[-1]))
    return False, (
        f"no bundled model meets the {targets} here; the nearest: model {fastest.model},"
        f" contextTokens {BUDGETS[-1]} (arrival ≈ {fastest.arrival_seconds(BUDGETS[-1]):.1f} s,"
        f" continuing {fastest.continuing_seconds:.2f} s); more threads or a GPU server help"
    )
