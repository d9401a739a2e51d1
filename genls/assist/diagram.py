"""Diagrams of the code, as users ask for them: kind + scope + format -> a file's content.

The graph comes from genls.index (a plain folder scan, no embeddings needed); drawing is
multimodal.diagram's. Shared by the `genls.diagram` command and `genls diagram`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from genls.atomic_files import write_files
from genls.errors import GenlsError
from genls.index.call_graph import call_graph
from genls.index.class_graph import class_graph
from genls.index.code_graph import KINDS, CodeGraph
from genls.index.import_graph import import_graph
from genls.index.source_scan import ParseCache, scan_sources
from multimodal.diagram.dot import to_dot
from multimodal.diagram.layout import cap
from multimodal.diagram.markdown import with_block
from multimodal.diagram.mermaid import to_mermaid
from multimodal.diagram.render import PICTURE_FORMATS, GraphvizMissingError, render

FORMATS = ("mmd", "dot", "svg", "png", "md")
TEXT_FORMATS = ("mmd", "dot", "svg", "md")
_FILE_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class DiagramRequest:
    kind: str  # classes | calls | imports
    scope: str = "."  # a file or folder, relative to the workspace root
    symbol: str | None = None  # classes: focus on this class; calls: required
    format: str = "mmd"
    depth: int = 2  # calls: how many calls up and down
    max_nodes: int = 60

    def check(self) -> None:
        if self.kind not in KINDS:
            raise GenlsError(f"unknown diagram kind {self.kind!r}: choose {', '.join(KINDS)}")
        if self.format not in FORMATS:
            raise GenlsError(f"unknown diagram format {self.format!r}: choose {', '.join(FORMATS)}")
        if self.kind == "calls" and not self.symbol:
            raise GenlsError("a call graph needs a function: give its name (or Class.method)")
        if self.depth < 1 or self.max_nodes < 1:
            raise GenlsError("diagram depth and node cap must be at least 1")

    @property
    def file_name(self) -> str:
        """A stable name for the output: kind, scope and symbol, e.g. calls-pkg-mod.py-run.mmd."""
        scope = "" if self.scope in ("", ".") else self.scope.strip("/")
        parts = [self.kind, scope, self.symbol or ""]
        stem = "-".join(_FILE_NAME_UNSAFE.sub("-", p.replace("/", "-")) for p in parts if p)
        return f"{stem}.{self.format}"


@dataclass(frozen=True)
class Diagram:
    graph: CodeGraph
    format: str  # what `content` is: the asked format, or mmd when a picture could not be drawn
    content: bytes
    mermaid: str
    warnings: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return self.content.decode("utf-8")


def build_graph(
    root: Path, request: DiagramRequest, max_file_bytes: int, cache: ParseCache | None = None
) -> CodeGraph:
    request.check()
    tree = scan_sources(root, max_file_bytes, cache)
    if request.kind == "classes":
        graph = class_graph(tree, request.scope, request.symbol)
    elif request.kind == "calls":
        assert request.symbol is not None  # check() made sure
        graph = call_graph(tree, request.symbol, request.scope, request.depth)
    else:
        graph = import_graph(tree, request.scope)
    if not graph.nodes:
        what = f"{request.symbol!r} in {request.scope}" if request.symbol else request.scope
        raise GenlsError(f"nothing to draw: no {request.kind} found for {what}")
    return cap(graph, request.max_nodes)


def draw(graph: CodeGraph, diagram_format: str) -> Diagram:
    """The graph in a format; an SVG or PNG without Graphviz falls back to Mermaid text with
    a warning saying how to install it."""
    mermaid = to_mermaid(graph)
    if diagram_format in ("mmd", "md"):
        return Diagram(graph, diagram_format, mermaid.encode("utf-8"), mermaid)
    dot = to_dot(graph)
    if diagram_format == "dot":
        return Diagram(graph, "dot", dot.encode("utf-8"), mermaid)
    assert diagram_format in PICTURE_FORMATS
    try:
        return Diagram(graph, diagram_format, render(dot, diagram_format), mermaid)
    except GraphvizMissingError as exc:
        return Diagram(graph, "mmd", mermaid.encode("utf-8"), mermaid, (str(exc),))


def make_diagram(
    root: Path, request: DiagramRequest, max_file_bytes: int, cache: ParseCache | None = None
) -> Diagram:
    return draw(build_graph(root, request, max_file_bytes, cache), request.format)


class Diagrams:
    """The diagrams one server draws: one at a time, sharing one parse cache, so a second
    diagram of unchanged files parses nothing again."""

    def __init__(self) -> None:
        self._cache = ParseCache()
        self._lock = threading.Lock()

    def make(self, root: Path, request: DiagramRequest, max_file_bytes: int) -> Diagram:
        with self._lock:
            return make_diagram(root, request, max_file_bytes, self._cache)


def markdown_key(request: DiagramRequest) -> str:
    return request.file_name.rsplit(".", 1)[0]


def markdown_with_diagram(markdown: str, request: DiagramRequest, diagram: Diagram) -> str:
    return with_block(markdown, markdown_key(request), diagram.mermaid)


def parse_scope(root: Path, text: str | None, kind: str) -> tuple[str, str | None]:
    """(scope, symbol) from the command line's SCOPE: a path, `path::Symbol`, or a bare
    symbol (when no such path exists, or always for a call graph without `::`)."""
    if not text:
        return ".", None
    path_text, _, symbol = text.partition("::")
    if not symbol and kind == "calls" and not (root / path_text).is_file():
        return ".", path_text
    if not symbol and not (root / path_text).exists() and kind == "classes":
        return ".", path_text
    return relative_scope(root, Path(path_text)), symbol or None


def relative_scope(root: Path, path: Path) -> str:
    """A path as the graphs want it: relative to the root, POSIX; outside it is an error."""
    absolute = (root / path).resolve() if not path.is_absolute() else path.resolve()
    try:
        relative = absolute.relative_to(root.resolve()).as_posix()
    except ValueError as exc:
        raise GenlsError(f"{path} is outside the workspace {root}") from exc
    return relative or "."


def diagram_to_file(
    root: Path, request: DiagramRequest, output: Path | None, max_file_bytes: int
) -> tuple[Diagram, Path | None]:
    """What `genls diagram` does: draw, then write `output` (a markdown file gets a block),
    or return the text for stdout when there is no output. A picture that could not be drawn
    is written as Mermaid next to it (FILE.mmd)."""
    drawn = make_diagram(root, request, max_file_bytes)
    if output is None:
        return drawn, None
    if drawn.format == "md":
        old = output.read_text(encoding="utf-8") if output.is_file() else ""
        write_files({output: markdown_with_diagram(old, request, drawn).encode("utf-8")})
        return drawn, output
    if drawn.format != request.format:
        output = output.with_suffix("." + drawn.format)
    write_files({output: drawn.content})
    return drawn, output


def format_of(output: Path | None) -> str:
    if output is None:
        return "mmd"
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise GenlsError(f"cannot write {output.name}: the file must end in .{', .'.join(FORMATS)}")
    return suffix
