"""Audio assets from the editor: `genls.generateMusic` and `genls.generateSfx`.

Each command takes one object argument (or a bare prompt / kind string), works in a thread
with $/progress (cancellable from the progress UI or with $/cancelRequest), and writes its
files into the workspace all at once, so a failure or a cancel leaves nothing behind. It
answers with the URIs of the written files.

    genls.generateMusic {"prompt": "calm folk tune in D minor", "seed": 3, "bars": 16,
                         "loop": false, "stems": false, "folder": "assets/generated",
                         "name": "theme"}
    genls.generateSfx   {"kind": "coin", "seed": 0, "folder": "...", "name": "coin"}
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pygls.exceptions import JsonRpcInvalidParams, JsonRpcRequestCancelled

from genls import __version__
from genls.server.app import GenlsServer
from genls.server.assets import asset_folder, free_name
from genls.server.progress import ServerJob
from multimodal.audio.errors import Cancelled, OutputError, PromptError, WeightsError

MUSIC_COMMAND = "genls.generateMusic"
SFX_COMMAND = "genls.generateSfx"
_MUSIC_FLAGS = ("style", "mode", "meter", "bpm", "bars", "loop", "seed")


def _options(args: tuple[Any, ...], main_key: str) -> dict[str, Any]:
    if len(args) == 1 and isinstance(args[0], dict):
        return dict(args[0])
    if len(args) == 1 and isinstance(args[0], str):
        return {main_key: args[0]}
    raise JsonRpcInvalidParams(
        f"expected one argument: an object with {main_key!r} (and optional settings)"
    )


def _answer(written: list[Path]) -> dict[str, Any]:
    main = written[0]
    return {
        "uri": main.as_uri(),
        "uris": [path.as_uri() for path in written],
        "provenance": next(p.as_uri() for p in written if p.name.endswith(".provenance.json")),
    }


def _integer(options: dict[str, Any], key: str, default: int) -> int:
    value = options.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise JsonRpcInvalidParams(f"{key!r} must be an integer")
    return value


def register(server: GenlsServer) -> None:

    generators: dict[str, Any] = {}  # the music model, loaded on first use, owned here
    loading = threading.Lock()

    def music_generator():
        from multimodal.audio.music import MusicGenerator

        with loading:
            if "music" not in generators:
                generators["music"] = MusicGenerator()
            return generators["music"]

    async def run(ls: GenlsServer, title: str, work: Callable[[ServerJob], list[Path]]):
        try:
            async with ServerJob(ls, title) as job:
                # Two workers: a sound effect need not wait for a piece being composed.
                return _answer(await job.run(ls.worker_threads("audio", 2), work, job))
        except (PromptError, OutputError, WeightsError, ValueError) as exc:
            raise JsonRpcInvalidParams(str(exc)) from exc
        except Cancelled as exc:
            raise JsonRpcRequestCancelled("generation cancelled; no files were written") from exc

    @server.command(SFX_COMMAND)
    async def generate_sfx(ls: GenlsServer, *args: Any) -> dict[str, Any]:
        """Arguments: {"kind", "seed"?, "folder"?, "name"?} or just the kind."""
        from multimodal.audio.assets import sfx_files
        from multimodal.audio.output import write_all
        from multimodal.audio.sfx import KINDS

        options = _options(args, "kind")
        kind, seed = options.get("kind"), _integer(options, "seed", 0)
        if kind not in KINDS:
            raise JsonRpcInvalidParams(f"unknown sound effect {kind!r}; known: {', '.join(KINDS)}")
        folder = asset_folder(ls, options.get("folder"))

        def work(job: ServerJob) -> list[Path]:
            path = free_name(folder, options.get("name") or f"{kind}-{seed}", ".wav")
            files = sfx_files(kind, seed, path, {"genls_version": __version__})
            if job.should_stop():
                raise Cancelled
            return write_all(files)

        return await run(ls, f"genls: {kind} sound", work)

    @server.command(MUSIC_COMMAND)
    async def generate_music(ls: GenlsServer, *args: Any) -> dict[str, Any]:
        """Arguments: {"prompt", "seed"?, "bars"?, "loop"?, "stems"?, "style"?, "mode"?,
        "meter"?, "bpm"?, "folder"?, "name"?} or just the prompt."""
        from multimodal.audio.music import music_files
        from multimodal.audio.output import write_all
        from multimodal.audio.prompt import parse_prompt

        options = _options(args, "prompt")
        prompt = options.get("prompt", "")
        if not isinstance(prompt, str):
            raise JsonRpcInvalidParams("'prompt' must be a string")
        try:
            request = parse_prompt(prompt, **{k: options.get(k) for k in _MUSIC_FLAGS})
        except (PromptError, TypeError) as exc:
            raise JsonRpcInvalidParams(str(exc)) from exc
        folder = asset_folder(ls, options.get("folder"))
        stems = bool(options.get("stems", False))

        def work(job: ServerJob) -> list[Path]:
            name = options.get("name") or f"{prompt[:40]}-s{request.seed}"
            path = free_name(folder, name, ".wav")
            files = music_files(
                music_generator(),
                request,
                path,
                stems=stems,
                extra={"prompt": prompt, "genls_version": __version__},
                progress=lambda done, message: job.report(message, int(100 * done)),
                cancelled=job.should_stop,
            )
            if job.should_stop():
                raise Cancelled
            return write_all(files)

        return await run(ls, "genls: composing", work)
