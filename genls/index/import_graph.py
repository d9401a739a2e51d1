"""Module dependency graphs of a folder, with import cycles marked."""

from __future__ import annotations

import posixpath

from genls.index.code_graph import EXTERNAL_GROUP, CodeGraph, GraphEdge, GraphNode, package_of
from genls.index.module_resolution import ModuleResolver
from genls.index.source_scan import SourceTree


def import_graph(
    tree: SourceTree, scope: str = ".", include_external: bool = True, title: str | None = None
) -> CodeGraph:
    """The modules under `scope` (a folder or file), what they import (workspace modules
    anywhere, external packages as one node each), and which imports form cycles."""
    resolver = ModuleResolver(tree)
    nodes: dict[str, GraphNode] = {}
    edges: set[tuple[str, str]] = set()
    languages = {resolver.module_of(file): file.language for file in tree.files}
    for file in tree.files:
        module = resolver.module_of(file)
        if not _under(file.path, scope):
            continue
        nodes.setdefault(module, _module_node(module, file.language))
        for spec in file.symbols.imports:
            target = resolver.resolve(file, spec)
            if target is None:
                if not include_external:
                    continue
                name = resolver.external_name(file, spec)
                target = f"external:{name}"
                nodes.setdefault(target, GraphNode(target, name, "external", EXTERNAL_GROUP))
            else:
                nodes.setdefault(target, _module_node(target, languages[target]))
            if target != module:
                edges.add((module, target))
    cyclic = _cycle_edges(edges)
    graph_edges = tuple(
        GraphEdge(source, target, "imports", cycle=(source, target) in cyclic)
        for source, target in sorted(edges)
    )
    graph_nodes = tuple(sorted(nodes.values(), key=lambda n: (n.group, n.id)))
    return CodeGraph("imports", title or f"Imports of {scope}", graph_nodes, graph_edges)


def _module_node(module: str, language: str) -> GraphNode:
    if language == "go":  # a package: its folder
        label = "(root)" if module == "." else module
        return GraphNode(module, label, "module", posixpath.dirname(module) or ".", module)
    return GraphNode(module, posixpath.basename(module), "module", package_of(module), module)


def _under(path: str, scope: str) -> bool:
    scope = scope.strip("/")
    return scope in ("", ".") or path == scope or path.startswith(scope + "/")


def _cycle_edges(edges: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The edges inside a strongly connected component (Tarjan, iterative)."""
    successors: dict[str, list[str]] = {}
    for source, target in sorted(edges):
        successors.setdefault(source, []).append(target)
        successors.setdefault(target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    component: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    counter = 0
    for start in sorted(successors):
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            if child < len(successors[node]):
                work.append((node, child + 1))
                nxt = successors[node][child]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component[member] = index[node]
                    if member == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return {(s, t) for s, t in edges if component[s] == component[t]}
