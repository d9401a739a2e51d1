"""`genls doctor`: is everything a completion needs here, and how fast is it on this machine."""

from __future__ import annotations

import json
import platform
import sys
import time
from dataclasses import asdict, dataclass

from genls import __version__
from genls.config import Settings
from genls.errors import GenlsError
from genls.index.languages import LANGUAGES
from genls.llm.backend import GenerationRequest
from genls.llm.registry import MODELS, ModelStore, locate_parts

# A realistic prompt for the speed check: code, about 300 tokens.
_SPEED_PROMPT = (
    '"""Inventory of a small shop."""\n\nfrom dataclasses import dataclass\n\n\n'
    "@dataclass\nclass Item:\n    name: str\n    price: float\n    quantity: int = 0\n\n"
    "    def total(self) -> float:\n        return self.price * self.quantity\n\n\n"
) * 4 + "def most_valuable(items: list[Item]) -> Item:\n"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    essential: bool = True


def run_doctor(settings: Settings, *, measure_speed: bool, as_json: bool) -> int:
    checks = list(_environment_checks(settings))
    checks.extend(_model_checks(settings))
    if measure_speed and all(c.ok for c in checks if c.essential):
        checks.append(_speed_check(settings))
        if settings.runtime.backend == "llama.cpp":
            checks.extend(_latency_checks(settings))
    essential_ok = all(c.ok for c in checks if c.essential)
    if as_json:
        print(
            json.dumps(
                {"version": __version__, "ok": essential_ok, "checks": [asdict(c) for c in checks]},
                indent=2,
            )
        )
    else:
        print(f"genls {__version__} doctor")
        for check in checks:
            mark = "ok " if check.ok else ("!! " if check.essential else "-- ")
            print(f"  {mark} {check.name}: {check.detail}")
        print("all essential checks passed" if essential_ok else "some essential checks failed")
    return 0 if essential_ok else 1


def _environment_checks(settings: Settings):
    yield Check("python", sys.version_info >= (3, 11), platform.python_version())
    try:
        import llama_cpp

        features = llama_cpp.llama_print_system_info().decode(errors="replace").strip()
        yield Check("llama-cpp-python", True, f"{llama_cpp.__version__}; {features[:160]}")
    except Exception as exc:  # an import error is the finding here
        yield Check(
            "llama-cpp-python",
            False,
            f"cannot import ({exc}); run `make run` or pip install llama-cpp-python",
        )
    import psutil

    physical = psutil.cpu_count(logical=False) or 0
    logical = psutil.cpu_count() or 0
    advice = (
        ""
        if settings.runtime.threads <= max(physical, 1)
        else " (more than physical cores: slower)"
    )
    yield Check(
        "threads",
        True,
        f"{settings.runtime.threads} of {physical} physical / {logical} logical cores{advice}",
    )
    grammars = [lang.id for lang in LANGUAGES if lang.grammar is not None]
    missing = [lang.id for lang in LANGUAGES if lang.grammar_module and lang.grammar is None]
    detail = ", ".join(grammars) + (f"; missing: {', '.join(missing)}" if missing else "")
    yield Check("tree-sitter grammars", not missing, detail, essential=False)


def _model_checks(settings: Settings):
    store = ModelStore()
    for spec in MODELS.values():
        wanted = settings.runtime.backend != "openai" and settings.completion.model == spec.name
        try:
            started = time.perf_counter()
            if spec.convert_to and not wanted and not store.is_ready(spec):
                locate_parts(spec)  # installed? (converting takes a minute: on first use)
                detail = f"{spec.role}; converted to {spec.convert_to} on first use"
                yield Check(f"model {spec.name}", True, detail, essential=False)
                continue
            path = store.provision(spec)
            yield Check(
                f"model {spec.name}",
                True,
                f"{spec.role}; verified in {time.perf_counter() - started:.1f}s: {path}",
                essential=wanted,
            )
        except GenlsError as exc:
            yield Check(f"model {spec.name}", False, f"{spec.role}; {exc}", essential=wanted)
    if settings.runtime.backend == "openai":
        yield Check(
            "model server", True, f"{settings.completion.model} at {settings.runtime.endpoint}"
        )
        return
    # Completion needs its model; docstrings, refactors and history documents need the other.
    configured = (
        ("configured model", settings.completion.model, True),
        ("configured instruction model", settings.instruction.model, False),
    )
    for label, model, essential in configured:
        if model in MODELS:
            continue
        try:
            yield Check(label, True, str(store.path_for(model)), essential=essential)
        except GenlsError as exc:
            yield Check(label, False, str(exc), essential=essential)


def _speed_check(settings: Settings) -> Check:
    from genls.llm.factory import create_backend

    try:
        started = time.perf_counter()
        backend = create_backend(settings)
        loaded = time.perf_counter() - started
        request = GenerationRequest(prompt=_SPEED_PROMPT, max_tokens=32, temperature=0.0, stop=())
        "".join(backend.generate(request, lambda: False))
        stats = backend.last_stats
        backend.close()
    except GenlsError as exc:
        return Check("speed", False, str(exc))
    prefill = stats.prompt_tokens / stats.prefill_seconds if stats.prefill_seconds else 0.0
    decode = (
        (stats.generated_tokens - 1) / stats.decode_seconds
        if stats.decode_seconds and stats.generated_tokens > 1
        else 0.0
    )
    # A cold prompt of the whole budget plus a 32-token answer, the worst case users feel.
    budget = settings.completion.context_tokens
    cold = budget / prefill + 32 / decode if prefill and decode else float("inf")
    verdict = "fine for ghost text" if cold < 10 else "slow: try a smaller model or more threads"
    return Check(
        "speed",
        prefill > 0 and decode > 0,
        f"{backend.description}: loaded in {loaded:.1f}s, prefill {prefill:.0f} tokens/s, "
        f"decode {decode:.0f} tokens/s; a cold {budget:,}-token completion ≈ {cold:.1f}s"
        f" ({verdict})",
    )


def _latency_checks(settings: Settings):
    """Arrival and continuing latency of each bundled completion model, and the advice."""
    from genls.doctor_latency import COMPLETION_MODELS, measure, recommendation

    latencies = []
    for model in COMPLETION_MODELS:
        try:
            latency = measure(settings, model)
        except GenlsError as exc:
            yield Check(f"latency {model}", False, str(exc), essential=False)
            continue
        latencies.append(latency)
        yield Check(
            f"latency {model}",
            True,
            f"{latency.budget}-token budget: cold {latency.cold_seconds:.1f} s, arrival ≈"
            f" {latency.arrival_seconds():.1f} s when the editor reports the cursor,"
            f" continuing {latency.continuing_seconds:.2f} s"
            f" (prefill {latency.prefill_tokens_per_second:.0f} tokens/s)",
            essential=False,
        )
    if latencies:
        met, advice = recommendation(latencies)
        yield Check("recommendation", met, advice, essential=False)
