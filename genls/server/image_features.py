"""Images from the editor: the `genls.generateImage` command.

    genls.generateImage {"prompt": "a red potion bottle", "n": 4, "size": 32, "seed": 7,
                         "steps": 25, "guidance": 3, "folder": "assets/generated"}

The model (the `imageModel` setting: the bundled icons32, or a diffusers folder) loads on
first use and samples on its own thread, reporting $/progress after each denoising step;
cancelling (the progress UI, $/cancelRequest, shutdown) stops it before the next step. PNGs
are bytes, which a WorkspaceEdit cannot carry, so every file of a request is written
directly, all or nothing, and the command answers with their URIs.
"""

from __future__ import annotations

from typing import Any

from pygls.exceptions import JsonRpcInvalidParams

from genls import __version__
from genls.server.app import GenlsServer
from genls.server.assets import asset_folder, free_name
from genls.server.progress import ServerJob

IMAGE_COMMAND = "genls.generateImage"
_FIELDS = {"prompt": str, "n": int, "size": int, "seed": int, "steps": int, "guidance": float}


class _ImageModels:
    """Per server: the loaded model for the current `imageModel` setting, and the one thread
    that samples (a second request waits its turn instead of halving both)."""

    def __init__(self) -> None:
        self._loaded: tuple[str, Any] | None = None

    def get(self, name: str, threads: int) -> Any:  # on the worker thread
        from multimodal.image.generate import load_image_model

        # One worker thread calls this, so no lock; torch's thread count is the process's.
        if self._loaded is None or self._loaded[0] != name:
            self._loaded = (name, load_image_model(name, threads))
        return self._loaded[1]


def register(server: GenlsServer) -> None:
    models = _ImageModels()

    @server.command(IMAGE_COMMAND)
    async def generate_image(ls: GenlsServer, *args: Any) -> dict[str, Any]:
        """One argument, an object: prompt, and optionally n (1-64), size, seed, steps,
        guidance, folder (inside the workspace; default the assetFolder setting)."""
        from multimodal.image.errors import ImageError
        from multimodal.image.request import ImageRequest

        try:
            options = _options(args)
            folder = asset_folder(ls, options.pop("folder", None))
            request = ImageRequest(**options).checked()
        except (ValueError, TypeError, ImageError, JsonRpcInvalidParams) as exc:
            return ls.refuse(str(exc))
        settings = ls.settings

        async with ServerJob(ls, "genls: generating images") as job:

            def on_step(done: int, total: int) -> None:
                job.report(f"step {done}/{total}", int(100 * done / total))

            def work() -> Any:  # file checks, model and sampling: all on the worker
                from multimodal.image.assets import make_icons  # torch: not on the loop

                target = free_name(folder, request.prompt, ".png", also=("-sheet.png",))
                model = models.get(settings.image_model, settings.threads)
                return make_icons(
                    model, request, target, f"genls {__version__}", job.should_stop, on_step
                )

            try:
                made = await job.run(ls.worker_threads("image"), work)
            except ImageError as exc:  # bad model, unwritable folder, cancelled
                return ls.refuse(str(exc))
        for warning in made.warnings:
            ls.refuse(warning)
        return {
            "applied": True,
            "uri": made.files[0].as_uri(),
            "uris": [path.as_uri() for path in made.files],
            "provenance": next(p.as_uri() for p in made.files if p.suffix == ".json"),
            "seconds": round(made.seconds, 2),
        }


def _options(args: tuple[Any, ...]) -> dict[str, Any]:
    """{"prompt": ...} or a bare prompt string; unknown keys and wrong types are refused."""
    if len(args) == 1 and isinstance(args[0], str):
        return {"prompt": args[0]}
    if len(args) != 1 or not isinstance(args[0], dict):
        raise ValueError("expected one argument: an object with a prompt")
    options = dict(args[0])
    folder = options.pop("folder", None)
    for key, value in options.items():
        kind = _FIELDS.get(key)
        if kind is None:
            raise ValueError(f"unknown option {key!r}; known: folder, {', '.join(_FIELDS)}")
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ValueError(f"{key!r} must be {'a string' if kind is str else 'a number'}")
        options[key] = value
    return {**options, "folder": folder}
