"""The completion engine: document + cursor in, one suggestion out.

Both LSP completion features (inline ghost text and the classic list) and `genls complete`
use it. The model runs on one worker thread per engine (one generation at a time); the newest
request wins: starting one makes every older generation stop at its next token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import count
from typing import Protocol, TypeVar

from genls.assist.confidence import first_line_confidence
from genls.assist.postprocess import FilterContext, answer_of, nothing_more_shown, postprocess
from genls.assist.prompt import build_prompt
from genls.assist.suggestion_cache import SuggestionCache
from genls.assist.syntax import analyse_cursor
from genls.config import Settings
from genls.index.languages import language_for
from genls.llm.backend import Backend, GenerationRequest, GenerationStats
from genls.llm.backend_slot import BackendSlot
from genls.llm.fim import Snippet, resolve_format
from genls.llm.registry import calibrated_min_token_probability

log = logging.getLogger(__name__)
T = TypeVar("T")


def _made_from(settings: Settings) -> tuple:
    """Settings that need a new backend when they change; the rest apply to the next request
    (the context window is made from the prompt budget)."""
    budget = (settings.completion.context_tokens, settings.completion.max_tokens)
    return (settings.completion.model, settings.runtime, budget)


# Look this far around the cursor for NUL bytes: a binary file gets no suggestions.
_BINARY_PROBE_CHARS = 8_192


@dataclass(frozen=True)
class GenerationRecord:
    """One model call, kept for `genls.status`: what it cost and whether it was stopped."""

    path: str
    stats: GenerationStats
    seconds: float
    cancelled: bool
    snippet_paths: tuple[str, ...] = ()  # the cross-file context the prompt carried


@dataclass(frozen=True)
class PrewarmRecord:
    """The last prompt prefilled ahead of a request (for `genls.status`)."""

    path: str
    offset: int
    seconds: float
    finished: bool  # False when a request stopped it part-way (what it prefilled is kept)


@dataclass(frozen=True)
class CompletionRequest:
    uri: str
    path: str
    text: str
    offset: int  # in code points
    language_id: str | None = None


@dataclass(frozen=True)
class Suggestion:
    text: str
    multiline: bool
    # "model" (generated for this request), "cache" (the rest of a suggestion shown before, as
    # the user types it) or "speculation" (computed ahead, after an accepted suggestion).
    source: str
    seconds: float
    confidence: float | None = None  # genls.assist.confidence; None where the backend has none
    stats: GenerationStats = field(default_factory=GenerationStats)


@dataclass(frozen=True)
class Answer:
    """How the last completion request was answered, shown or not (for `genls.status`)."""

    source: str  # as Suggestion.source
    seconds: float
    shown: bool
    confidence: float | None = None


class ContextProvider(Protocol):
    """Cross-file snippets for a request; the workspace index implements it."""

    def snippets(self, request: CompletionRequest) -> Sequence[Snippet]: ...


class CompletionEngine:
    def __init__(
        self,
        settings: Settings,
        create_backend: Callable[[Settings], Backend],
        context: ContextProvider | None = None,
    ) -> None:
        self.settings = settings
        self.context = context
        self._model = BackendSlot("completion", create_backend, _made_from)
        self.recent: deque[GenerationRecord] = deque(maxlen=16)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="genls-model")
        self._tickets = count(1)
        self._newest = 0
        self._cache = SuggestionCache()
        self.last_answer: Answer | None = None
        self.last_prewarm: PrewarmRecord | None = None
        self._requests_in_flight = 0  # complete() calls not yet answered
        self._closed = False

    # -- lifecycle --------------------------------------------------------------------------

    def update_settings(self, settings: Settings) -> None:
        """Apply new settings; a changed model or backend is loaded again on next use."""
        old, self.settings = self.settings, settings
        if self._model.key(old) != self._model.key(settings):
            self._newest = next(self._tickets)  # stop whatever runs on the old backend
            self._cache.clear()

    @property
    def backend_description(self) -> str | None:
        backend = self._model.backend
        return backend.description if backend is not None else None

    async def load(self) -> Backend:
        """Load the model on the worker thread (raises GenlsError with what to install)."""
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._loaded)

    def _loaded(self) -> Backend:
        """The backend for the current settings; only ever called on the model thread."""
        return self._model.get(self.settings)

    def close(self) -> None:
        """Stop any generation and free the model; safe to call more than once."""
        self._closed = True
        self._newest = next(self._tickets)
        with contextlib.suppress(RuntimeError):  # already shut down
            self._executor.submit(self._model.close)
        self._executor.shutdown(wait=True, cancel_futures=True)

    # -- requests ---------------------------------------------------------------------------

    def is_enabled_for(self, request: CompletionRequest) -> bool:
        language = language_for(request.language_id, request.path)
        return language.id not in self.settings.completion.disabled_languages and (
            request.language_id not in self.settings.completion.disabled_languages
        )

    async def complete(self, request: CompletionRequest) -> Suggestion | None:
        """The suggestion at the cursor, or None; cancelling the awaiting task stops the model."""
        if not self.is_enabled_for(request) or _looks_binary(request.text, request.offset):
            return None
        started = time.perf_counter()
        suggestion, source = None, "model"
        self._requests_in_flight += 1
        try:
            suggestion, source = await self._suggest(request, started, "model")
            return suggestion
        finally:
            self._requests_in_flight -= 1
            confidence = suggestion.confidence if suggestion is not None else None
            self.last_answer = Answer(
                source, time.perf_counter() - started, suggestion is not None, confidence
            )

    def _may_work_ahead(self, request: CompletionRequest) -> bool:
        """Speculation and prewarming never stop a request someone is waiting for."""
        return (
            self.settings.completion.prewarm
            and not self._requests_in_flight
            and self.is_enabled_for(request)
            and not _looks_binary(request.text, request.offset)
        )

    async def speculate(self, request: CompletionRequest) -> None:
        """Compute the suggestion a request at this cursor would get, and cache it.

        Runs after an accepted suggestion, where the next request is likely; any real request
        stops it.
        """
        if self._may_work_ahead(request):
            await self._suggest(request, time.perf_counter(), "speculation")

    async def _suggest(
        self, request: CompletionRequest, started: float, origin: str
    ) -> tuple[Suggestion | None, str]:
        """(suggestion, where it came from): the cache, else the model; `origin` tags the work."""
        ticket = self._newest = next(self._tickets)
        prefix, suffix = request.text[: request.offset], request.text[request.offset :]
        cached = self._cache.get(request.uri, prefix, suffix)
        if cached is not None:
            source = "cache" if cached.origin == "model" else cached.origin
            if not cached.text:
                return None, source  # asked here before, and the model had nothing
            seconds = time.perf_counter() - started
            suggestion = Suggestion(
                cached.text, "\n" in cached.text, source, seconds, cached.confidence
            )
            return suggestion, source
        if self.settings.completion.debounce_ms:
            await asyncio.sleep(self.settings.completion.debounce_ms / 1000)
            if self._newest != ticket:
                return None, "model"
        work = partial(self._complete_blocking, request, started=started, origin=origin)
        return await self._run(work, ticket), "model"

    async def prewarm(self, request: CompletionRequest) -> None:
        """Put this cursor's prompt into the model's cache; any real request interrupts it."""
        if not self._may_work_ahead(request):
            return
        ticket = self._newest = next(self._tickets)
        await self._run(
            partial(self._prewarm_blocking, request, started=time.perf_counter()), ticket
        )

    async def run_behind(self, work: Callable[[Callable[[], bool]], T]) -> T | None:
        """Run other model work (a next-edit prediction) on the model thread, behind
        completions: it never waits for one, and any completion request stops it at its next
        step. `work(should_stop)` runs on the model thread; None when a request was waiting."""
        if self.busy:
            return None
        ticket = self._newest = next(self._tickets)
        return await self._run(work, ticket)

    @property
    def busy(self) -> bool:
        """A completion request is waiting for its answer."""
        return bool(self._requests_in_flight)

    async def _run(self, work: Callable[[Callable[[], bool]], T], ticket: int) -> T | None:
        """`work(should_stop)` on the model thread; None once the engine is closed (a request
        that arrives while the server shuts down gets no answer, not an error)."""

        def should_stop() -> bool:
            return self._newest != ticket

        if self._closed:
            return None
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, work, should_stop)
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            # $/cancelRequest or a client gone: make the model stop at its next token.
            if self._newest == ticket:
                self._newest = next(self._tickets)
            raise

    # -- on the model thread ----------------------------------------------------------------

    def _prepare(self, request: CompletionRequest):
        backend = self._loaded()
        settings = self.settings
        language = language_for(request.language_id, request.path)
        fim = resolve_format(settings.completion.fim_format, backend.fim)
        snippets = self.context.snippets(request) if self.context else ()
        prompt = build_prompt(
            text=request.text,
            offset=request.offset,
            path=request.path,
            comment=language.line_comment,
            fim=fim,
            count_tokens=backend.count_tokens,
            context_tokens=settings.completion.context_tokens,
            suffix_tokens=settings.completion.suffix_tokens,
            snippets=snippets,
        )
        return backend, language, fim, prompt

    def _complete_blocking(
        self,
        request: CompletionRequest,
        should_stop: Callable[[], bool],
        *,
        started: float,
        origin: str,
    ) -> Suggestion | None:
        if should_stop():
            return None
        backend, language, fim, prompt = self._prepare(request)
        log.debug("generating for %s at offset %d", request.path, request.offset)
        syntax = analyse_cursor(request.text, request.offset, language)
        line_before = prompt.prefix.rsplit("\n", 1)[-1]
        stops = list(fim.stop if fim else ())
        if not syntax.multiline and line_before.strip():
            stops.append("\n")  # one line wanted: no need to generate past it
        # Hold back trailing spaces (see postprocess.without_typed_whitespace).
        prompt_text = prompt.text.rstrip(" \t")
        typed_whitespace = prompt.text[len(prompt_text) :]
        context = FilterContext(
            prefix=prompt.prefix,
            suffix=prompt.suffix or request.text[request.offset : request.offset + 2000],
            multiline=syntax.multiline,
            indent=syntax.indent,
            opens_block=syntax.opens_block,
            max_lines=self.settings.completion.max_lines,
            special_tokens=fim.special_tokens if fim else (),
            min_token_probability=self._min_token_probability(),
        )
        generation = GenerationRequest(
            prompt=prompt_text,
            max_tokens=self.settings.completion.max_tokens,
            temperature=self.settings.completion.temperature,
            stop=tuple(stops),
        )
        generated = ""
        for piece in backend.generate(generation, should_stop):
            generated += piece
            # Decoding stops where post-processing cuts anyway (a line outside the scope, an
            # unlikely token): the same filters, on the answer so far.
            so_far, logprobs = answer_of(
                generated, typed_whitespace, backend.last_stats.token_logprobs
            )
            if nothing_more_shown(so_far, replace(context, token_logprobs=logprobs)):
                break
        raw, token_logprobs = answer_of(
            generated, typed_whitespace, backend.last_stats.token_logprobs
        )
        stopped = should_stop()
        self.recent.append(
            GenerationRecord(
                request.path,
                backend.last_stats,
                time.perf_counter() - started,
                stopped,
                tuple(snippet.path for snippet in prompt.snippets),
            )
        )
        if stopped:
            return None
        text = postprocess(raw, replace(context, token_logprobs=token_logprobs))
        confidence = first_line_confidence(text, token_logprobs) if text else None
        seconds = time.perf_counter() - started
        stats = backend.last_stats
        log.debug(
            "completion in %.0f ms (prompt %d tokens, %d reused, %d generated, confidence %s):"
            " %r -> %r",
            seconds * 1000,
            stats.prompt_tokens,
            stats.reused_tokens,
            stats.generated_tokens,
            "-" if confidence is None else f"{confidence:.2f}",
            raw,
            text,
        )
        prefix, suffix = request.text[: request.offset], request.text[request.offset :]
        self._cache.put(request.uri, prefix, suffix, text, origin, confidence)
        if not text:
            return None
        return Suggestion(text, "\n" in text, origin, seconds, confidence, stats)

    def _min_token_probability(self) -> float:
        chosen = self.settings.completion.min_token_probability
        return (
            calibrated_min_token_probability(self.settings.completion.model)
            if chosen is None
            else chosen
        )

    def _prewarm_blocking(
        self, request: CompletionRequest, should_stop: Callable[[], bool], *, started: float
    ) -> None:
        if should_stop():
            return
        backend, _, _, prompt = self._prepare(request)
        backend.prewarm(prompt.text.rstrip(" \t"), should_stop)  # as generation sends it
        seconds = time.perf_counter() - started
        self.last_prewarm = PrewarmRecord(request.path, request.offset, seconds, not should_stop())
        log.debug("prewarmed %s in %.0f ms", request.path, seconds * 1000)


def _looks_binary(text: str, offset: int) -> bool:
    window = text[max(0, offset - _BINARY_PROBE_CHARS) : offset + _BINARY_PROBE_CHARS]
    return "\x00" in window
