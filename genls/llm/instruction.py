"""The instruction model: one question in, one answer out, for docstrings, refactors and
documents written from the git history.

It is loaded on first use (the 1.5B model costs a second or two and ~1.2 GB), and one lock
serialises its callers: a llama.cpp context serves one generation at a time. Calls block; the
server runs them on a worker thread, never on the event loop. New settings never wait for that
lock (the event loop applies them): a generation under way finishes on the old model, and the
next caller loads the new one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from genls.config import Settings
from genls.llm.backend import Backend, ChatMessage
from genls.llm.backend_slot import BackendSlot
from genls.llm.factory import create_instruction_backend


def _made_from(settings: Settings) -> tuple:
    return (settings.instruction.model, settings.runtime)


def _never() -> bool:
    return False


class InstructionModel:
    def __init__(
        self,
        settings: Settings,
        backend_factory: Callable[[Settings], Backend] = create_instruction_backend,
    ) -> None:
        self.settings = settings
        self._model = BackendSlot("instructions", backend_factory, _made_from)
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._model.backend is not None

    @property
    def description(self) -> str:
        backend = self._model.backend
        return backend.description if backend else self.settings.instruction.model

    def ask(
        self,
        system: str,
        user: str,
        *,
        max_tokens: int = 256,
        should_stop: Callable[[], bool] = _never,
    ) -> str:
        """The model's whole reply to `user` under the `system` instructions (greedy)."""
        messages = [ChatMessage("system", system), ChatMessage("user", user)]
        with self._lock:
            pieces = self._loaded().chat(messages, max_tokens, 0.0, should_stop)
            return "".join(pieces).strip()

    def update_settings(self, settings: Settings) -> None:
        """Returns at once, even while a question is being answered: the next caller loads
        another model if these settings name one."""
        self.settings = settings

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self._loaded().count_tokens(text)

    def _loaded(self) -> Backend:
        """The backend for the current settings; the caller holds the lock."""
        return self._model.get(self.settings)

    def close(self) -> None:
        with self._lock:
            self._model.close()
