"""Class diagrams: classes (structs, interfaces, traits) with their main attributes and
methods, inheritance, implementation and composition edges."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from dataclasses import dataclass

from genls.index.code_graph import EXTERNAL_GROUP, CodeGraph, GraphEdge, GraphNode, package_of
from genls.index.module_resolution import ModuleResolver
from genls.index.source_scan import ParsedFile, SourceTree
from genls.index.symbols import Definition

MAX_ATTRIBUTES = 8
MAX_METHODS = 10
_CLASS_KINDS = ("class", "type")
_INTERFACE_WORDS = frozenset({"interface", "trait", "protocol"})
# Methods of a Go type or Rust impl may sit in any file of the package or crate.
_METHODS_BY_FOLDER = frozenset({"go", "rust"})


@dataclass(frozen=True)
class _Class:
    file: ParsedFile
    definition: Definition

    @property
    def id(self) -> str:
        return f"{self.file.path}::{self.definition.name}"


def class_graph(
    tree: SourceTree, scope: str = ".", symbol: str | None = None, title: str | None = None
) -> CodeGraph:
    """Classes under `scope` (a file or folder), or, with `symbol`, that class's ancestors,
    descendants and the classes its attributes hold."""
    resolver = ModuleResolver(tree)
    classes = [
        _Class(file, d)
        for file in tree.files
        for d in file.symbols.definitions
        if d.kind in _CLASS_KINDS
    ]
    by_name: dict[str, list[_Class]] = defaultdict(list)
    for item in classes:
        by_name[item.definition.name].append(item)
    edges: dict[tuple[str, str, str], GraphEdge] = {}
    externals: dict[str, GraphNode] = {}
    for file in tree.files:
        imported = {resolver.resolve(file, spec) for spec in file.symbols.imports} - {None}
        for relation in file.symbols.relations:
            source = _find(by_name, relation.name, file, imported, resolver)
            if source is None:
                continue
            target, certain = _resolve(by_name, relation.target, file, imported, resolver)
            if target is None:  # outside the workspace: the relation itself is certain
                certain = True
                target_id = f"external:{relation.target}"
                externals[target_id] = GraphNode(
                    target_id, relation.target, "external", EXTERNAL_GROUP
                )
            else:
                target_id = target.id
            kind = "inherits" if relation.kind == "base" else "implements"
            edges.setdefault(
                (source.id, target_id, kind), GraphEdge(source.id, target_id, kind, certain)
            )
        for attribute in file.symbols.attributes:
            if attribute.type is None:
                continue
            owner = _find(by_name, attribute.owner, file, imported, resolver)
            part, certain = _resolve(by_name, attribute.type, file, imported, resolver)
            if owner is None or part is None or part.id == owner.id:
                continue
            key = (owner.id, part.id, "composition")
            if key not in edges:
                edges[key] = GraphEdge(owner.id, part.id, "composition", certain, attribute.name)
    nodes = {item.id: _node(item, tree) for item in classes}
    nodes.update(externals)
    chosen = _select(nodes, list(edges.values()), scope, symbol)
    if symbol is not None and not any(nodes[n].focus for n in chosen):
        chosen = set()
    graph_nodes = tuple(sorted((nodes[n] for n in chosen), key=lambda n: (n.group, n.id)))
    graph_edges = tuple(
        sorted(
            (e for e in edges.values() if e.source in chosen and e.target in chosen),
            key=lambda e: (e.source, e.target, e.kind),
        )
    )
    name = title or f"Classes of {symbol or scope}"
    return CodeGraph("classes", name, graph_nodes, graph_edges)


def _select(
    nodes: dict[str, GraphNode], edges: list[GraphEdge], scope: str, symbol: str | None
) -> set[str]:
    in_scope = {n for n, node in nodes.items() if node.path and _under(node.path, scope)}
    if symbol is None:
        # The classes in scope, and the classes they extend or hold, wherever those live.
        neighbours = {e.target for e in edges if e.source in in_scope}
        return in_scope | neighbours
    focus = {n for n in in_scope if nodes[n].label == symbol}
    for n in focus:
        nodes[n] = _focused(nodes[n])
    chosen = set(focus)
    hierarchy = [e for e in edges if e.kind in ("inherits", "implements")]
    for forward in (True, False):  # ancestors, then descendants
        frontier = set(focus)
        while frontier:
            step = {
                (e.target if forward else e.source)
                for e in hierarchy
                if (e.source if forward else e.target) in frontier
            }
            frontier = step - chosen
            chosen |= step
    chosen |= {e.target for e in edges if e.kind == "composition" and e.source in focus}
    return chosen


def _focused(node: GraphNode) -> GraphNode:
    return GraphNode(
        node.id, node.label, node.kind, node.group, node.path, node.line, node.members, True
    )


def _under(path: str, scope: str) -> bool:
    scope = scope.strip("/")
    return scope in ("", ".") or path == scope or path.startswith(scope + "/")


def _find(
    by_name: dict[str, list[_Class]],
    name: str,
    file: ParsedFile,
    imported: set[str],
    resolver: ModuleResolver,
) -> _Class | None:
    return _resolve(by_name, name, file, imported, resolver)[0]


def _resolve(
    by_name: dict[str, list[_Class]],
    name: str,
    file: ParsedFile,
    imported: set[str],
    resolver: ModuleResolver,
) -> tuple[_Class | None, bool]:
    """The class a name in `file` means: defined there or in a module it imports (certain),
    else the only class of that name in the workspace (guessed)."""
    candidates = by_name.get(name, [])
    module = resolver.module_of(file)
    for item in candidates:
        if item.file.path == file.path:
            return item, True
    for item in candidates:
        theirs = resolver.module_of(item.file)
        if theirs in imported or (theirs == module and file.language in _METHODS_BY_FOLDER):
            return item, True
    if len(candidates) == 1:
        return candidates[0], False
    return None, False


def _node(item: _Class, tree: SourceTree) -> GraphNode:
    definition, file = item.definition, item.file
    words = set(definition.signature.replace(":", " ").split())
    if words & _INTERFACE_WORDS:
        kind = "interface"
    else:
        kind = "class" if definition.kind == "class" else "type"
    return GraphNode(
        item.id,
        definition.name,
        kind,
        package_of(file.path),
        file.path,
        definition.start_line,
        _members(item, tree),
    )


def _members(item: _Class, tree: SourceTree) -> tuple[str, ...]:
    name, file = item.definition.name, item.file
    attributes = [
        f"{a.name}: {a.type}" if a.type else a.name
        for a in file.symbols.attributes
        if a.owner == name and not a.name.startswith("__")
    ]
    if file.language in _METHODS_BY_FOLDER:
        folder = posixpath.dirname(file.path)
        homes = [f for f in tree.files if posixpath.dirname(f.path) == folder]
    else:
        homes = [file]
    methods = list(
        dict.fromkeys(
            f"{d.name}()"
            for home in homes
            for d in home.symbols.definitions
            if d.kind == "method" and d.parent == name and not d.name.startswith("__")
        )
    )
    return (*_capped(attributes, MAX_ATTRIBUTES), *_capped(methods, MAX_METHODS))


def _capped(lines: list[str], limit: int) -> list[str]:
    if len(lines) <= limit:
        return lines
    return [*lines[:limit], f"… {len(lines) - limit} more"]
