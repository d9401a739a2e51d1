"""What a user asks for, checked once, the same for the CLI and the editor."""

from __future__ import annotations

from dataclasses import dataclass

from multimodal.image.errors import ImageError
from multimodal.image.text import check_prompt

MAX_IMAGES = 64  # one request; a sprite sheet of 8 x 8
MAX_STEPS = 200
MAX_GUIDANCE = 20.0


class ImageRequestError(ImageError, ValueError):
    """A request that cannot be served as asked (the message says what to change)."""


@dataclass(frozen=True)
class ImageRequest:
    prompt: str
    n: int = 1
    size: int | None = None  # None: the model's own size
    seed: int = 0
    steps: int = 25
    guidance: float = 3.0

    def checked(self) -> ImageRequest:
        try:
            prompt = check_prompt(self.prompt)
        except ValueError as exc:
            raise ImageRequestError(str(exc)) from exc
        if not 1 <= self.n <= MAX_IMAGES:
            raise ImageRequestError(f"n must be between 1 and {MAX_IMAGES}, not {self.n}")
        if not 1 <= self.steps <= MAX_STEPS:
            raise ImageRequestError(f"steps must be between 1 and {MAX_STEPS}, not {self.steps}")
        if not 0.0 <= self.guidance <= MAX_GUIDANCE:
            raise ImageRequestError(f"guidance must be between 0 and {MAX_GUIDANCE}")
        if not 0 <= self.seed < 2**63:
            raise ImageRequestError("seed must be a non-negative integer below 2**63")
        return ImageRequest(prompt, self.n, self.size, self.seed, self.steps, self.guidance)
