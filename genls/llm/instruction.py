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
from genls.llm.factory import create_instruction_backend


def _never() -> bool:
    return False


class InstructionModel:
    def __init__(
        self,
        settings: Settings,
        backend_factory: Callable[[Settings], Backend] = create_instruction_backend,
    ) -> None:
        self.settings = settings
        self._backend_factory = backend_factory
        self._backend: Backend | None = None
        self._stale = False  # the settings changed: the next caller loads the backend again
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._backend is not None

    @property
    def description(self) -> str:
        return self._backend.description if self._backend else self.settings.instruction_model

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
        """Reload on next use only if the settings name another model or way to run it.
        Returns at once, even while a question is being answered."""
        keys = ("backend", "instruction_model", "endpoint", "api_key", "gguf_file", "threads")
        changed = any(getattr(settings, k) != getattr(self.settings, k) for k in keys)
        self.settings = settings
        if changed:
            self._stale = True

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return self._loaded().count_tokens(text)

    def _loaded(self) -> Backend:
        """The backend for the current settings, created on first use; the caller holds the
        lock."""
        if self._stale and self._backend is not None:
            self._backend.close()
            self._backend = None
        self._stale = False
        if self._backend is None:
            self._backend = self._backend_factory(self.settings)
        return self._backend

    def close(self) -> None:
        with self._lock:
            if self._backend is not None:
                self._backend.close()
                self._backend = None
