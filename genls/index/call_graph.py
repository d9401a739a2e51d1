"""Call graphs: the callers and callees of a function to a chosen depth.

A call is resolved from the callee's simple name and receiver. It is certain when the code
says which function it is: defined in the same file, a method on self/this of the caller's
class, or a name from a module the file imports (`from m import f`, `m.f()`, `pkg.F()`).
Otherwise every function of that name in the workspace is a guess (at most a few).
"""

from __future__ import annotations

import posixpath
from collections import defaultdict, deque
from dataclasses import dataclass

from genls.index.code_graph import CodeGraph, GraphEdge, GraphNode, package_of
from genls.index.module_resolution import ModuleResolver
from genls.index.source_scan import ParsedFile, SourceTree
from genls.index.symbols import Call, Definition

MAX_GUESSES = 3  # a name defined more often than this says nothing about the callee
_SELF = frozenset({"self", "this", "cls", "Self"})
_FUNCTION_KINDS = ("function", "method")
_BINDS_NO_MODULE_NAME = frozenset({"javascript", "typescript", "typescriptreact"})


@dataclass(frozen=True)
class _Imports:
    """What a file imports from the workspace: the modules, and the names that stand for
    them in the code (`geo` for `import "example.com/x/geo"`; none in JavaScript, where
    an import binds names the query does not give)."""

    modules: frozenset[str]
    aliases: dict[str, str]


@dataclass(frozen=True)
class _Function:
    file: ParsedFile
    definition: Definition
    module: str  # the file, or in Go the package folder

    @property
    def id(self) -> str:
        return f"{self.file.path}::{self.qualified}"

    @property
    def qualified(self) -> str:
        return self.definition.qualified_name


def call_graph(
    tree: SourceTree, symbol: str, scope: str = ".", depth: int = 2, title: str | None = None
) -> CodeGraph:
    """The functions named `symbol` (`name` or `Class.name`) under `scope`, their callees to
    `depth` calls down and their callers to `depth` calls up."""
    resolver = ModuleResolver(tree)
    functions = [
        _Function(file, d, resolver.module_of(file))
        for file in tree.files
        for d in file.symbols.definitions
        if d.kind in _FUNCTION_KINDS
    ]
    edges = _call_edges(tree, resolver, functions)
    focus = {
        f.id
        for f in functions
        if symbol in (f.qualified, f.definition.name)
        and (scope in ("", ".") or f.file.path == scope or f.file.path.startswith(scope + "/"))
    }
    outgoing: dict[str, list[GraphEdge]] = defaultdict(list)
    incoming: dict[str, list[GraphEdge]] = defaultdict(list)
    for edge in edges:
        outgoing[edge.source].append(edge)
        incoming[edge.target].append(edge)
    chosen = set(focus)
    kept: set[GraphEdge] = set()
    for links, far_end in ((outgoing, "target"), (incoming, "source")):
        frontier = deque((node, 0) for node in sorted(focus))
        seen = set(focus)
        while frontier:
            node, distance = frontier.popleft()
            if distance >= depth:
                continue
            for edge in links[node]:
                kept.add(edge)
                other = getattr(edge, far_end)
                if other not in seen:
                    seen.add(other)
                    frontier.append((other, distance + 1))
        chosen |= seen
    by_id = {f.id: f for f in functions}
    nodes = tuple(
        sorted((_node(by_id[n], n in focus) for n in chosen), key=lambda n: (n.group, n.id))
    )
    # Edges among the chosen functions that the walk did not take (a callee calling a caller)
    # belong in the picture too.
    kept |= {e for e in edges if e.source in chosen and e.target in chosen}
    ordered = tuple(sorted(kept, key=lambda e: (e.source, e.target)))
    return CodeGraph("calls", title or f"Calls around {symbol}", nodes, ordered)


def _node(function: _Function, focus: bool) -> GraphNode:
    return GraphNode(
        function.id,
        function.qualified,
        function.definition.kind,
        package_of(function.file.path),
        function.file.path,
        function.definition.start_line,
        focus=focus,
    )


def _call_edges(
    tree: SourceTree, resolver: ModuleResolver, functions: list[_Function]
) -> list[GraphEdge]:
    by_name: dict[str, list[_Function]] = defaultdict(list)
    by_file: dict[str, list[_Function]] = defaultdict(list)
    by_module: dict[str, list[_Function]] = defaultdict(list)
    for function in functions:
        by_name[function.definition.name].append(function)
        by_file[function.file.path].append(function)
        by_module[function.module].append(function)
    edges: dict[tuple[str, str], GraphEdge] = {}
    for file in tree.files:
        local = by_file[file.path]
        imports = _imported_modules(file, resolver)
        for call in file.symbols.calls:
            caller = _enclosing(local, call.line)
            if caller is None:
                continue
            found = _callees(call, caller, imports, by_name, by_module)
            for callee, certain in found:
                key = (caller.id, callee.id)
                if key not in edges or (certain and not edges[key].certain):
                    edges[key] = GraphEdge(caller.id, callee.id, "calls", certain)
    return list(edges.values())


def _imported_modules(file: ParsedFile, resolver: ModuleResolver) -> _Imports:
    modules = {m for spec in file.symbols.imports if (m := resolver.resolve(file, spec))}
    aliases: dict[str, str] = {}
    if file.language not in _BINDS_NO_MODULE_NAME:
        for spec in file.symbols.imports:
            module = resolver.resolve(file, spec)
            if module is not None:
                alias = spec.replace("::", "/").replace(".", "/").rstrip("/").split("/")[-1]
                aliases[alias or module] = module
                aliases[posixpath.splitext(posixpath.basename(module))[0]] = module
    return _Imports(frozenset(modules), aliases)


def _enclosing(functions: list[_Function], line: int) -> _Function | None:
    """The innermost function whose lines hold the call."""
    holding = [f for f in functions if f.definition.start_line <= line <= f.definition.end_line]
    return max(holding, key=lambda f: f.definition.start_line, default=None)


def _callees(
    call: Call,
    caller: _Function,
    imports: _Imports,
    by_name: dict[str, list[_Function]],
    by_module: dict[str, list[_Function]],
) -> list[tuple[_Function, bool]]:
    named = by_name.get(call.name, [])
    receiver = call.receiver
    if receiver in _SELF or (receiver and receiver == caller.definition.parent):
        mine = [
            f
            for f in named
            if f.definition.parent == caller.definition.parent and f.module == caller.module
        ]
        if mine:
            return [(f, True) for f in mine]
    typed = [f for f in named if receiver and f.definition.parent == receiver]
    if len(typed) == 1:  # Type::new(), Class.create()
        return [(typed[0], True)]
    if receiver is None:
        local = [f for f in named if f.module == caller.module and f.definition.parent is None]
        if local:
            return [(f, True) for f in local]
        imported = [f for f in named if f.module in imports.modules and f.definition.parent is None]
        if len(imported) == 1:
            return [(imported[0], True)]
    elif receiver in imports.aliases:  # module.function(), pkg.Function()
        module_functions = [
            f
            for f in by_module.get(imports.aliases[receiver], [])
            if f.definition.name == call.name
        ]
        if len(module_functions) == 1:
            return [(module_functions[0], True)]
    if 0 < len(named) <= MAX_GUESSES:
        return [(f, False) for f in named if f.id != caller.id or receiver is None]
    return []
