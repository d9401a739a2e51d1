"""`genls.status`: what the server runs and what recent completions cost (for status bars)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from genls import __version__
from genls.assist.next_edit import NextEditAttempt
from genls.server.app import GenlsServer
from genls.server.commands import NoOptions, register_command

STATUS_COMMAND = "genls.status"


def register(server: GenlsServer) -> None:
    register_command(server, STATUS_COMMAND, status, NoOptions)


async def status(ls: GenlsServer, options: NoOptions) -> dict[str, Any]:
    engine = ls.engine
    return {
        "version": __version__,
        "settings": ls.settings.as_shown_dict(),
        "model": engine.backend_description,
        "index": None
        if ls.index is None
        else {
            "root": str(ls.index.root),
            "ready": ls.index.ready,
            "indexing": bool(ls.indexing and not ls.indexing.done()),
            "writesToDisk": ls.index.writes_to_disk,
            "sharedCommit": ls.index.shared_commit.commit if ls.index.shared_commit else None,
        },
        "lastCompletion": None
        if engine.last_answer is None
        else {
            "source": engine.last_answer.source,
            "milliseconds": round(engine.last_answer.seconds * 1000, 1),
            "shown": engine.last_answer.shown,
            "confidence": engine.last_answer.confidence,
        },
        "lastPrewarm": None
        if engine.last_prewarm is None
        else {
            "path": engine.last_prewarm.path,
            "offset": engine.last_prewarm.offset,
            "milliseconds": round(engine.last_prewarm.seconds * 1000, 1),
            "finished": engine.last_prewarm.finished,
        },
        "recentNextEdits": [_next_edit_status(attempt) for attempt in list(ls.next_edit.recent)],
        "recentGenerations": [
            {
                "path": record.path,
                "seconds": round(record.seconds, 4),
                "cancelled": record.cancelled,
                "snippetPaths": list(record.snippet_paths),
                **{k: v for k, v in asdict(record.stats).items() if k != "token_logprobs"},
            }
            for record in engine.recent
        ],
    }


def _next_edit_status(attempt: NextEditAttempt) -> dict[str, Any]:
    stats = attempt.stats
    return {
        "source": attempt.source,
        "milliseconds": round(attempt.seconds * 1000, 1),
        "offered": attempt.offered,
        "stopped": attempt.stopped,
        "line": attempt.line,
        "generation": None
        if stats is None
        else {k: v for k, v in asdict(stats).items() if k != "token_logprobs"},
    }
