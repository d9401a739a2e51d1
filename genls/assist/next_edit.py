"""Next-edit suggestions: from the person's last edits, the edit they are about to make.

Cheapest first:
1. a rename by hand (one whole name replaced by another): the next use of the old name in the
   same scope is offered, renamed, with no model (genls.assist.next_edit_rename);
2. the model rewrites the lines around the cursor (genls.assist.next_edit_prompt), decoded
   with prompt lookup since the answer mostly copies them; genls offers the smallest range
   where the answer differs. After a change of a function's parameters, the lines it rewrites
   are those around the next call still passing the old arguments
   (genls.assist.next_edit_calls).

Every suggestion passes the same checks before it is offered: it changes something, only inside
the window, it does not take the file back towards what it was before the person's last edit,
and the file parses no worse. The model runs on the completion engine's thread, behind
completions: a completion request stops it, so ghost text never waits for a next edit.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from genls.assist.completion import CompletionEngine, CompletionRequest
from genls.assist.edit_check import syntax_errors
from genls.assist.edit_history import EditEvent, changed_span
from genls.assist.next_edit_calls import calls_to_update, changed_signature
from genls.assist.next_edit_prompt import (
    STOPS,
    EditWindow,
    answer_window,
    build_next_edit_prompt,
    edit_window,
    settled_answer,
    window_before,
)
from genls.assist.next_edit_rename import next_use, remaining_uses, renamed_name
from genls.config import Settings
from genls.index.files import is_private
from genls.index.symbols import ParsedSource
from genls.llm.backend import Backend, GenerationRequest, GenerationStats
from genls.llm.backend_slot import BackendSlot
from genls.llm.factory import create_next_edit_backend
from genls.llm.fim import Snippet

log = logging.getLogger(__name__)

# The model's prompt: related code and the file above the window fill what the window, the
# edits and the answer leave of this budget.
PROMPT_TOKENS = 512
# Room for an answer a few lines longer than the window (an edit that adds lines).
_ANSWER_MARGIN_TOKENS = 48


def _made_from(settings: Settings) -> tuple:
    return (settings.next_edit.model, settings.runtime)


@dataclass(frozen=True)
class NextEditRequest:
    uri: str
    path: str
    source: ParsedSource  # the document as the editor has it now, parsed once per request
    offset: int  # the cursor, in code points
    language_id: str | None  # as the editor names it
    events: tuple[EditEvent, ...]  # the document's recent edits, the last one last
    root: Path | None = None  # the workspace folder: its .gitignore says what is private

    @property
    def text(self) -> str:
        return self.source.text


@dataclass(frozen=True)
class NextEdit:
    start: int  # the range of the request's text to replace
    end: int
    new_text: str
    source: str  # "rename" or "model"
    reason: str  # one line for the person: what the edit continues
    seconds: float


@dataclass(frozen=True)
class NextEditAttempt:
    """How the last prediction went, offered or not (for `genls.status`)."""

    source: str  # "rename" or "model"
    seconds: float
    offered: bool
    stopped: bool  # a completion request stopped the model
    stats: GenerationStats | None = None
    line: int | None = None  # the line the edit was sought around (0-based)


class NextEditEngine:
    def __init__(
        self,
        settings: Settings,
        completion: CompletionEngine,
        create_backend: Callable[[Settings], Backend] = create_next_edit_backend,
    ) -> None:
        self.settings = settings
        self._completion = completion
        self._model = BackendSlot("next edits", create_backend, _made_from)
        self.recent: deque[NextEditAttempt] = deque(maxlen=8)
        self._private: dict[Path, bool] = {}  # by path: a secret's name, or git ignores it

    def _is_private(self, root: Path | None, path: Path) -> bool:
        if path not in self._private:
            self._private[path] = is_private(root, path)
        return self._private[path]

    def update_settings(self, settings: Settings) -> None:
        self.settings = settings  # a changed model is loaded again on next use

    def window(self, request: NextEditRequest) -> EditWindow:
        lines = self.settings.next_edit.lines
        return edit_window(request.text, request.offset, lines, lines)

    async def predict(self, request: NextEditRequest) -> NextEdit | None:
        """The next edit, or None; a completion request meanwhile stops the model."""
        if not self.settings.next_edit.enabled or not request.events or _undone(request.events):
            return None
        if not self._completion.is_enabled_for(_as_completion(request)):
            return None  # a language with completion off (disabledLanguages)
        started = time.perf_counter()
        found = await asyncio.to_thread(self._without_model, request, started)
        if found is None or isinstance(found, NextEdit):
            return found
        at, reason = found
        if self._completion.busy:
            self.recent.append(NextEditAttempt("model", 0.0, False, True))
            return None
        return await self._completion.run_behind(
            lambda should_stop: self._model_edit(at, should_stop, started, reason)
        )

    def _without_model(
        self, request: NextEditRequest, started: float
    ) -> NextEdit | tuple[NextEditRequest, str] | None:
        """What the syntax tree finds (blocking: git and tree-sitter): the edit itself (a rename
        by hand continued), or where the model should look and why; None for nothing."""
        if self._is_private(request.root, Path(request.path)):
            return None  # a secret or an ignored file: nothing of it goes into a prompt
        found = _rename_edit(request, started)
        if found is not None:
            line = request.text.count("\n", 0, found.start)
            self.recent.append(NextEditAttempt("rename", found.seconds, True, False, None, line))
            return found
        if self.settings.next_edit.model is None:
            return None  # no next-edit model: only the edits found without one
        # A function's parameters changed: the model rewrites the lines around its next call
        # that passes the old arguments, else those around the cursor.
        return _call_to_update(request) or (request, "continues your last edit")

    # -- on the completion engine's model thread --------------------------------------------

    def _model_edit(
        self,
        request: NextEditRequest,
        should_stop: Callable[[], bool],
        started: float,
        reason: str,
    ) -> NextEdit | None:
        if should_stop():
            self.recent.append(NextEditAttempt("model", 0.0, False, True))
            return None
        backend = self._model.get(self.settings)
        window = self.window(request)
        line = request.text.count("\n", 0, request.offset)
        context = self._completion.context
        snippets = context.snippets(_as_completion(request)) if context is not None else ()
        prompt, original = model_prompt(request, window, snippets, backend.count_tokens)
        window_lines = window.text.count("\n") + 1
        generation = GenerationRequest(
            prompt=prompt,
            max_tokens=backend.count_tokens(window.text) + _ANSWER_MARGIN_TOKENS,
            temperature=0.0,
            stop=STOPS,
            draft_source=window.text,
        )
        generated, settled = "", None
        for piece in backend.generate(generation, should_stop):
            generated += piece
            # The change is made and the answer copies the window again: the rest is known.
            settled = settled_answer(generated, window.text)
            if settled is not None or generated.count("\n") > window_lines + 4:
                break  # (past the window: not a rewrite of it)
        stats = backend.last_stats
        seconds = time.perf_counter() - started
        if should_stop() or (settled is None and generated.count("\n") > window_lines + 4):
            self.recent.append(NextEditAttempt("model", seconds, False, should_stop(), stats, line))
            return None
        predicted = answer_window(settled or generated, window)
        edit = checked_edit(request, window, original, predicted)
        self.recent.append(NextEditAttempt("model", seconds, edit is not None, False, stats, line))
        log.debug(
            "next edit in %.0f ms (prompt %d tokens, %d reused, %d generated, %d of %d drafted"
            " kept): %s",
            seconds * 1000,
            stats.prompt_tokens,
            stats.reused_tokens,
            stats.generated_tokens,
            stats.accepted_draft_tokens,
            stats.drafted_tokens,
            "offered" if edit else "nothing",
        )
        if edit is None:
            return None
        start, end, new_text = edit
        return NextEdit(start, end, new_text, "model", reason, seconds)

    def close(self) -> None:
        """Free the model; call once the completion engine's thread has stopped."""
        self._model.close()


def _rename_edit(request: NextEditRequest, started: float) -> NextEdit | None:
    renamed = renamed_name(request.events[-1])
    if renamed is None or request.events[-1].after != request.text:
        return None
    use = next_use(remaining_uses(request.source, renamed), request.offset)
    if use is None:
        return None
    reason = f"rename {renamed.old} to {renamed.new}, as you did"
    seconds = time.perf_counter() - started
    return NextEdit(use.start, use.end, renamed.new, "rename", reason, seconds)


def model_prompt(
    request: NextEditRequest,
    window: EditWindow,
    snippets: Sequence[Snippet],
    count_tokens: Callable[[str], int],
) -> tuple[str, str]:
    """(the prompt, the window as it was before the last edit) for the model."""
    original = window_before(request.events[-1], window)
    prompt = build_next_edit_prompt(
        path=request.path,
        text=request.text,
        window=window,
        original=original,
        events=request.events,
        snippets=snippets,
        count_tokens=count_tokens,
        context_tokens=PROMPT_TOKENS,
    )
    return prompt, original


def _undone(events: tuple[EditEvent, ...]) -> bool:
    """The last edit took the one before it back (an undo): the person changed their mind,
    and nothing follows from it."""
    return len(events) >= 2 and events[-1].after == events[-2].before


def _call_to_update(request: NextEditRequest) -> tuple[NextEditRequest, str] | None:
    """The request moved to the next call that must change after a change of parameters."""
    if request.events[-1].after != request.text:
        return None
    signature = changed_signature(request.events[-1], request.source)
    if signature is None:
        return None
    calls = calls_to_update(request.source, signature)
    if not calls:
        return None
    after = [offset for offset in calls if offset >= request.offset]
    reason = f"pass {signature.name}'s new parameters here"
    return replace(request, offset=(after or calls)[0]), reason


def checked_edit(
    request: NextEditRequest, window: EditWindow, original: str, predicted: str
) -> tuple[int, int, str] | None:
    """(start, end, new text) in the document for the model's rewrite of the window, or None
    when it must not be offered: no change, a change to the window's first or last line (the
    model lost its place), a step back towards the text before the last edit, or a file that
    parses worse."""
    current = window.text
    if predicted == current:
        return None
    start, end_current, end_predicted = changed_span(current, predicted)
    first_line_end = current.find("\n") + 1 or len(current)
    last_line_start = current.rstrip("\n").rfind("\n") + 1
    if (start < first_line_end and not window.at_file_start) or (
        end_current > last_line_start and not window.at_file_end
    ):
        return None
    if _similarity(predicted, original) > _similarity(current, original):
        return None  # takes back the person's last edit
    text = request.text
    new_text = text[: window.start] + predicted + text[window.end :]
    if syntax_errors(ParsedSource(new_text, request.source.language)) > syntax_errors(
        request.source
    ):
        return None  # parses worse
    return window.start + start, window.start + end_current, predicted[start:end_predicted]


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _as_completion(request: NextEditRequest) -> CompletionRequest:
    return CompletionRequest(
        request.uri, request.path, request.text, request.offset, request.language_id
    )
