"""Audio assets from the editor: `genls.generateMusic` and `genls.generateSfx`.

Each command takes one object of options (or a bare prompt / kind string), works in a thread
with $/progress (cancellable from the progress UI or with $/cancelRequest), and writes its
files into the workspace all at once, so a failure or a cancel leaves nothing behind. It
answers with the URIs of the written files.

    genls.generateMusic {"prompt": "calm folk tune in D minor", "seed": 3, "bars": 16,
                         "loop": false, "stems": false, "folder": "assets/generated",
                         "name": "theme"}
    genls.generateSfx   {"kind": "coin", "seed": 0, "folder": "...", "name": "coin"}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from genls import __version__
from genls.server.app import GenlsServer
from genls.server.assets import asset_folder, free_name
from genls.server.commands import CommandRefused, register_command, run_job
from genls.server.progress import ServerJob
from multimodal.audio.errors import Cancelled

MUSIC_COMMAND = "genls.generateMusic"
SFX_COMMAND = "genls.generateSfx"
# Two workers: a sound effect need not wait for a piece being composed.
_AUDIO_WORKERS = 2


@dataclass(frozen=True)
class SfxOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ("kind",)
    kind: str
    seed: int = 0
    folder: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class MusicOptions:
    POSITIONAL: ClassVar[tuple[str, ...]] = ("prompt",)
    prompt: str
    style: str | None = None
    mode: str | None = None
    meter: str | None = None
    bpm: int | None = None
    bars: int | None = None
    loop: bool | None = None
    seed: int | None = None
    stems: bool = False
    folder: str | None = None
    name: str | None = None


async def generate_sfx(ls: GenlsServer, options: SfxOptions) -> dict[str, Any]:
    from multimodal.audio.assets import sfx_files
    from multimodal.audio.output import write_all
    from multimodal.audio.sfx import KINDS

    if options.kind not in KINDS:
        raise CommandRefused(f"unknown sound effect {options.kind!r}; known: {', '.join(KINDS)}")
    folder = asset_folder(ls, options.folder)

    def work(job: ServerJob) -> list[Path]:
        path = free_name(folder, options.name or f"{options.kind}-{options.seed}", ".wav")
        files = sfx_files(options.kind, options.seed, path, {"genls_version": __version__})
        if job.should_stop():
            raise Cancelled
        return write_all(files)

    executor = ls.worker_threads("audio", _AUDIO_WORKERS)
    return _answer(await run_job(ls, f"genls: {options.kind} sound", executor, work))


async def generate_music(ls: GenlsServer, options: MusicOptions) -> dict[str, Any]:
    from multimodal.audio.music import music_files
    from multimodal.audio.output import write_all
    from multimodal.audio.prompt import parse_prompt

    flags = ("style", "mode", "meter", "bpm", "bars", "loop", "seed")
    request = parse_prompt(options.prompt, **{name: getattr(options, name) for name in flags})
    folder = asset_folder(ls, options.folder)

    def work(job: ServerJob) -> list[Path]:
        name = options.name or f"{options.prompt[:40]}-s{request.seed}"
        files = music_files(
            ls.asset_models.music(ls.settings.runtime.threads),
            request,
            free_name(folder, name, ".wav"),
            stems=options.stems,
            extra={"prompt": options.prompt, "genls_version": __version__},
            progress=lambda done, message: job.report(message, int(100 * done)),
            cancelled=job.should_stop,
        )
        if job.should_stop():
            raise Cancelled
        return write_all(files)

    executor = ls.worker_threads("audio", _AUDIO_WORKERS)
    return _answer(await run_job(ls, "genls: composing", executor, work))


def _answer(written: list[Path]) -> dict[str, Any]:
    return {
        "applied": True,
        "uri": written[0].as_uri(),
        "uris": [path.as_uri() for path in written],
        "provenance": next(p.as_uri() for p in written if p.name.endswith(".provenance.json")),
    }


def register(server: GenlsServer) -> None:
    register_command(server, SFX_COMMAND, generate_sfx, SfxOptions, needs_workspace=True)
    register_command(server, MUSIC_COMMAND, generate_music, MusicOptions, needs_workspace=True)
