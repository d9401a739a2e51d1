"""Mermaid text from a CodeGraph: a classDiagram for classes, a flowchart for calls and
imports. Groups become namespaces or subgraphs; guessed edges are dotted; import cycles red.
"""

from __future__ import annotations

from genls.index.code_graph import CodeGraph, GraphEdge, GraphNode
from multimodal.diagram.names import identifiers

_CLASS_ARROWS = {"inherits": "<|--", "implements": "<|.."}
_CYCLE_COLOUR = "#d62728"


def to_mermaid(graph: CodeGraph) -> str:
    lines = [*_front_matter(graph)]
    if graph.kind == "classes":
        lines += _class_diagram(graph)
    else:
        lines += _flowchart(graph)
    return "\n".join(lines) + "\n"


def _front_matter(graph: CodeGraph) -> list[str]:
    title = graph.title + (f" ({graph.notes[0].split(':')[0]})" if graph.notes else "")
    lines = ["---", f"title: {_quoted_yaml(title)}", "---"]
    lines += [f"%% {note}" for note in graph.notes]
    return lines


def _quoted_yaml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _label(text: str) -> str:
    """Text inside ["..."]: Mermaid's entity codes for what would end or break it."""
    return (
        text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


def _member(text: str) -> str:
    # Members are free text to Mermaid, except braces (block ends) and angle brackets.
    return _label(text).replace("{", "(").replace("}", ")")


def _class_diagram(graph: CodeGraph) -> list[str]:
    names = identifiers([n.id for n in graph.nodes], "c_")
    spaces = identifiers(list(graph.groups), "ns_")
    lines = ["classDiagram"]
    for group in graph.groups:
        members = [n for n in graph.nodes if n.group == group]
        lines.append(f"  namespace {spaces[group]} {{")
        for node in members:
            lines += [f"    {line}" for line in _class(node, names[node.id])]
        lines.append("  }")
    for node in graph.nodes:
        annotation = _annotation(node)
        if annotation:
            lines.append(f"  <<{annotation}>> {names[node.id]}")
    for edge in graph.edges:
        lines.append("  " + _class_edge(edge, names))
    return lines


def _class(node: GraphNode, name: str) -> list[str]:
    head = f'class {name}["{_label(node.label)}"]'
    if not node.members:
        return [head]
    return [head + " {", *(f"  {_member(m)}" for m in node.members), "}"]


def _annotation(node: GraphNode) -> str | None:
    if node.kind == "interface":
        return "interface"
    if node.kind == "external":
        return "external"
    return "focus" if node.focus else None


def _class_edge(edge: GraphEdge, names: dict[str, str]) -> str:
    source, target = names[edge.source], names[edge.target]
    words = [w for w in (edge.label, None if edge.certain else "guessed") if w]
    label = f" : {_member(' '.join(words))}" if words else ""
    if edge.kind == "composition":
        arrow = "*--" if edge.certain else "o--"
        return f"{source} {arrow} {target}{label}"
    return f"{target} {_CLASS_ARROWS[edge.kind]} {source}{label}"


def _flowchart(graph: CodeGraph) -> list[str]:
    names = identifiers([n.id for n in graph.nodes], "n_")
    spaces = identifiers(list(graph.groups), "g_")
    lines = ["flowchart LR"]
    for group in graph.groups:
        lines.append(f'  subgraph {spaces[group]}["{_label(group)}"]')
        for node in graph.nodes:
            if node.group == group:
                lines.append(f"    {names[node.id]}{_shape(node)}")
        lines.append("  end")
    cycles: list[int] = []
    for index, edge in enumerate(graph.edges):
        arrow = "-->" if edge.certain else "-.->"
        lines.append(f"  {names[edge.source]} {arrow} {names[edge.target]}")
        if edge.cycle:
            cycles.append(index)
    lines.append("  classDef focus stroke-width:3px")
    lines.append("  classDef external stroke-dasharray:4 3")
    focus = [names[n.id] for n in graph.nodes if n.focus]
    if focus:
        lines.append(f"  class {','.join(focus)} focus")
    external = [names[n.id] for n in graph.nodes if n.kind == "external"]
    if external:
        lines.append(f"  class {','.join(external)} external")
    if cycles:
        indexes = ",".join(str(i) for i in cycles)
        lines.append(f"  linkStyle {indexes} stroke:{_CYCLE_COLOUR},stroke-width:2px")
    return lines


def _shape(node: GraphNode) -> str:
    text = _label(node.label)
    if node.kind == "external":
        return f'(["{text}"])'
    return f'["{text}"]'
