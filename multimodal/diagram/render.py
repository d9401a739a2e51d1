"""Pictures from DOT text with Graphviz's `dot` (Debian's graphviz package)."""

from __future__ import annotations

import shutil
import subprocess

from genls.errors import GenlsError

PICTURE_FORMATS = ("svg", "png")
_TIMEOUT_S = 120


class GraphvizMissingError(GenlsError):
    """`dot` is not installed; the Mermaid and DOT text can still be written."""


class GraphvizFailedError(GenlsError):
    """`dot` ran and refused the graph."""


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def render(dot_text: str, picture_format: str) -> bytes:
    """The picture (svg or png) Graphviz draws from dot_text."""
    if picture_format not in PICTURE_FORMATS:
        raise ValueError(f"cannot render {picture_format!r}: choose one of {PICTURE_FORMATS}")
    executable = shutil.which("dot")
    if executable is None:
        raise GraphvizMissingError(
            f"Graphviz `dot` is not installed, so no {picture_format.upper()} was drawn: "
            "install it with `apt-get install graphviz` (Debian/Ubuntu), or ask for the "
            "Mermaid (.mmd) or DOT (.dot) text instead"
        )
    try:
        result = subprocess.run(
            [executable, f"-T{picture_format}"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise GraphvizFailedError(
            f"Graphviz took over {_TIMEOUT_S} s to lay out the graph"
        ) from exc
    if result.returncode != 0:
        message = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphvizFailedError(f"Graphviz failed: {' '.join(message[:3])}")
    return result.stdout
