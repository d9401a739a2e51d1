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

from dataclasses import dataclass
from typing import Any, ClassVar

from genls import __version__
from genls.server.app import GenlsServer
from genls.server.assets import asset_folder, free_name
from genls.server.commands import register_command, run_job
from genls.server.progress import ServerJob

IMAGE_COMMAND = "genls.generateImage"


@dataclass(frozen=True)
class ImageOptions:
    """n (1-64), size (default the model's), folder (inside the workspace; default the
    assetFolder setting)."""

    POSITIONAL: ClassVar[tuple[str, ...]] = ("prompt",)
    prompt: str
    n: int = 1
    size: int | None = None
    seed: int = 0
    steps: int = 25
    guidance: float = 3.0
    folder: str | None = None


async def generate_image(ls: GenlsServer, options: ImageOptions) -> dict[str, Any]:
    from multimodal.image.request import ImageRequest

    folder = asset_folder(ls, options.folder)
    request = ImageRequest(
        options.prompt, options.n, options.size, options.seed, options.steps, options.guidance
    ).checked()
    settings = ls.settings

    def work(job: ServerJob) -> Any:  # file checks, model and sampling: all on the worker
        from multimodal.image.assets import make_icons  # torch: not on the event loop

        def on_step(done: int, total: int) -> None:
            job.report(f"step {done}/{total}", int(100 * done / total))

        target = free_name(folder, request.prompt, ".png", also=("-sheet.png",))
        model = ls.asset_models.image(settings.assets.image_model, settings.runtime.threads)
        return make_icons(model, request, target, f"genls {__version__}", job.should_stop, on_step)

    # One sampling thread: a second request waits its turn instead of halving both.
    made = await run_job(ls, "genls: generating images", ls.worker_threads("image"), work)
    for warning in made.warnings:
        ls.refuse(warning)
    return {
        "applied": True,
        "uri": made.files[0].as_uri(),
        "uris": [path.as_uri() for path in made.files],
        "provenance": next(p.as_uri() for p in made.files if p.suffix == ".json"),
        "seconds": round(made.seconds, 2),
    }


def register(server: GenlsServer) -> None:
    register_command(server, IMAGE_COMMAND, generate_image, ImageOptions, needs_workspace=True)
