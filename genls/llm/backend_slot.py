"""The one owner of a model: created on first use, created again when the settings it is
made from change, closed once.

The completion engine, the next-edit engine and the instruction model each keep their model
in a slot. A slot is used from the one thread that runs its model (the caller serialises);
settings changes never touch it, so they never wait for a generation: the next `get` sees
that the settings differ and loads the new model.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from genls.config import Settings
from genls.llm.backend import Backend

log = logging.getLogger(__name__)


class BackendSlot:
    def __init__(
        self,
        role: str,
        create: Callable[[Settings], Backend],
        made_from: Callable[[Settings], tuple],
    ) -> None:
        self._role = role  # for the log: "completion", "next edits", ...
        self._create = create
        self._made_from = made_from  # the settings the backend is made from
        self._backend: Backend | None = None
        self._key: tuple = ()

    def key(self, settings: Settings) -> tuple:
        return self._made_from(settings)

    @property
    def backend(self) -> Backend | None:
        """The backend loaded now, if any (for status lines)."""
        return self._backend

    def get(self, settings: Settings) -> Backend:
        """The backend for these settings, loaded (again) if needed."""
        key = self.key(settings)
        if self._backend is not None and key != self._key:
            self.close()
        if self._backend is None:
            log.debug("loading model for %s", self._role)
            started = time.perf_counter()
            self._backend = self._create(settings)
            self._key = key
            log.info(
                "loaded %s for %s in %.2fs",
                self._backend.description,
                self._role,
                time.perf_counter() - started,
            )
        return self._backend

    def close(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None:
            backend.close()
