"""The graph a diagram draws: nodes, edges (certain or guessed by name) and groups.

Built by genls.index (class_graph, call_graph, import_graph) from what the tree-sitter
queries extract; drawn by multimodal.diagram, which never parses code itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("classes", "calls", "imports")
EXTERNAL_GROUP = "(external)"


@dataclass(frozen=True)
class GraphNode:
    id: str  # stable across runs: "path::Class.method", "path" for modules, "external:name"
    label: str
    kind: str  # class | interface | type | function | method | module | external
    group: str  # the package (folder) it belongs to, or EXTERNAL_GROUP
    path: str | None = None  # workspace-relative, POSIX
    line: int | None = None  # 0-based
    members: tuple[str, ...] = ()  # classes: "name: Type" attributes, then "method()" lines
    focus: bool = False  # what the diagram was asked about


@dataclass(frozen=True)
class GraphEdge:
    source: str
    target: str
    kind: str  # inherits | implements | composition | calls | imports
    certain: bool = True  # False: resolved by name only
    label: str | None = None
    cycle: bool = False  # imports: part of an import cycle


@dataclass(frozen=True)
class CodeGraph:
    kind: str  # one of KINDS
    title: str
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    notes: tuple[str, ...] = field(default=())  # e.g. what a cap left out

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(sorted({node.group for node in self.nodes}))

    def node(self, node_id: str) -> GraphNode:
        return next(node for node in self.nodes if node.id == node_id)


def package_of(path: str) -> str:
    """The folder a file is in, "." at the workspace root: the group of its nodes."""
    folder = path.rpartition("/")[0]
    return folder or "."
