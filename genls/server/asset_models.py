"""The asset models a server loads on first use (the music model, the image model of the
`imageModel` setting), each built on the worker thread that first needs it and then kept for
the server's life; closing the server drops them."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from genls.torch_threads import torch_with_threads

if TYPE_CHECKING:
    from multimodal.audio.music import MusicGenerator


class AssetModels:
    def __init__(self) -> None:
        self._music: MusicGenerator | None = None
        self._image: tuple[str, Any] | None = None  # (imageModel setting, loaded model)
        self._music_lock = threading.Lock()
        self._image_lock = threading.Lock()

    def music(self, threads: int) -> MusicGenerator:
        from multimodal.audio.music import MusicGenerator

        with self._music_lock:
            if self._music is None:
                torch_with_threads(threads)
                self._music = MusicGenerator()
            return self._music

    def image(self, name: str, threads: int) -> Any:
        """The model for `name`; a changed setting loads the new one in place of the old."""
        from multimodal.image.generate import load_image_model

        with self._image_lock:
            if self._image is None or self._image[0] != name:
                self._image = (name, load_image_model(name, threads))
            return self._image[1]

    def close(self) -> None:
        with self._music_lock, self._image_lock:
            self._music, self._image = None, None
