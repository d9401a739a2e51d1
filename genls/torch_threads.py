"""torch's thread count is one value for the whole process: changed while another thread runs
torch work (the embedder on the index thread, an image or a piece of music on a worker), it
resizes the pool under that work, and threads started later inherit whatever was set last.
So it is set once, by the first model that loads torch, and never changed afterwards."""

from __future__ import annotations

import logging
import threading
from types import ModuleType

log = logging.getLogger(__name__)

_lock = threading.Lock()
# The count chosen for this process, once chosen: process state, as torch's own setting is.
_chosen: list[int] = []


def torch_thread_count() -> int | None:
    """The count torch was given in this process; None before any model loaded torch."""
    with _lock:
        return _chosen[0] if _chosen else None


def torch_with_threads(threads: int) -> ModuleType:
    """torch, its thread count set to `threads` if this is the first call in the process;
    later callers share the first count (a new `threads` setting applies after a restart)."""
    import torch

    with _lock:
        if not _chosen:
            torch.set_num_threads(threads)
            _chosen.append(threads)
        elif _chosen[0] != threads:
            log.debug("torch keeps %d threads in this process (asked for %d)", _chosen[0], threads)
    return torch
