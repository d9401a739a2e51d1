"""Keeping large graphs readable: a node cap that keeps what matters, and a stable order.

Stable order (groups, then node ids, then edges by endpoints) means a small change in the
code gives a small diff in the diagram file.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import replace

from genls.index.code_graph import CodeGraph, GraphNode

_LISTED_OMISSIONS = 12


def stable(graph: CodeGraph) -> CodeGraph:
    nodes = tuple(sorted(graph.nodes, key=lambda n: (n.group, n.id)))
    edges = tuple(sorted(graph.edges, key=lambda e: (e.source, e.target, e.kind)))
    return replace(graph, nodes=nodes, edges=edges)


def cap(graph: CodeGraph, max_nodes: int) -> CodeGraph:
    """At most max_nodes nodes: the focus first, then the nodes nearest to it (or, without a
    focus, the most connected), and a note naming what was left out."""
    if len(graph.nodes) <= max_nodes:
        return stable(graph)
    ranked = _ranked(graph)
    kept = set(ranked[:max_nodes])
    left_out = sorted(graph.node(n).label for n in ranked[max_nodes:])
    listed = ", ".join(left_out[:_LISTED_OMISSIONS])
    more = (
        f" and {len(left_out) - _LISTED_OMISSIONS} more"
        if len(left_out) > _LISTED_OMISSIONS
        else ""
    )
    note = f"{len(left_out)} of {len(graph.nodes)} nodes left out (cap {max_nodes}): {listed}{more}"
    return stable(
        replace(
            graph,
            nodes=tuple(n for n in graph.nodes if n.id in kept),
            edges=tuple(e for e in graph.edges if e.source in kept and e.target in kept),
            notes=(*graph.notes, note),
        )
    )


def _ranked(graph: CodeGraph) -> list[str]:
    neighbours: dict[str, set[str]] = defaultdict(set)
    for edge in graph.edges:
        neighbours[edge.source].add(edge.target)
        neighbours[edge.target].add(edge.source)
    degree = {n.id: len(neighbours[n.id]) for n in graph.nodes}
    focus = sorted(n.id for n in graph.nodes if n.focus)
    if not focus:
        # Workspace nodes before external ones, then the most connected.
        return [
            n.id for n in sorted(graph.nodes, key=lambda n: (_is_external(n), -degree[n.id], n.id))
        ]
    distance = {n: 0 for n in focus}
    queue = deque(focus)
    while queue:
        node = queue.popleft()
        for other in sorted(neighbours[node]):
            if other not in distance:
                distance[other] = distance[node] + 1
                queue.append(other)
    far = len(graph.nodes) + 1
    return [
        n.id
        for n in sorted(
            graph.nodes,
            key=lambda n: (distance.get(n.id, far), _is_external(n), -degree[n.id], n.id),
        )
    ]


def _is_external(node: GraphNode) -> bool:
    return node.kind == "external"
