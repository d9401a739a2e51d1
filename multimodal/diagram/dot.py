"""Graphviz DOT text from a CodeGraph: groups as clusters, classes as records with their
members, guessed edges dashed and labelled, import cycles red."""

from __future__ import annotations

from genls.index.code_graph import CodeGraph, GraphEdge, GraphNode
from multimodal.diagram.names import identifiers

_CYCLE_COLOUR = "#d62728"
_EDGE_STYLES = {
    "inherits": {"arrowhead": "empty"},
    "implements": {"arrowhead": "empty", "style": "dashed"},
    "composition": {"arrowhead": "none", "arrowtail": "diamond", "dir": "both"},
    "calls": {},
    "imports": {},
}


def to_dot(graph: CodeGraph) -> str:
    names = identifiers([n.id for n in graph.nodes], "n_")
    clusters = identifiers(list(graph.groups), "cluster_")
    direction = "BT" if graph.kind == "classes" else "LR"
    label = "\\n".join([graph.title, *graph.notes])
    lines = [
        "digraph genls {",
        f"  rankdir={direction};",
        f"  label={_quoted(label)}; labelloc=t; fontname=Helvetica;",
        "  node [fontname=Helvetica, fontsize=11, shape=box];",
        "  edge [fontname=Helvetica, fontsize=9];",
    ]
    for group in graph.groups:
        lines.append(f"  subgraph {clusters[group]} {{")
        lines.append(f"    label={_quoted(group)}; style=rounded; color=gray60;")
        for node in graph.nodes:
            if node.group == group:
                lines.append(f"    {names[node.id]} [{_node_attributes(node, graph.kind)}];")
        lines.append("  }")
    for edge in graph.edges:
        lines.append(f"  {names[edge.source]} -> {names[edge.target]} [{_edge_attributes(edge)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\\\\n", "\\n") + '"'


def _html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _class_label(node: GraphNode) -> str:
    """An HTML-like table: name, attributes, methods. Not a record shape: Graphviz cannot
    lay out an edge between neighbouring records in a cluster ("lost edge")."""
    title = f"<b>{_html(node.label)}</b>"
    if node.kind == "interface":
        title = "«interface»<br/>" + title
    attributes = "".join(f'{_html(m)}<br align="left"/>' for m in node.members if "()" not in m)
    methods = "".join(f'{_html(m)}<br align="left"/>' for m in node.members if "()" in m)
    rows = [f"<tr><td>{title}</td></tr>"]
    rows += [f'<tr><td align="left">{part}</td></tr>' for part in (attributes, methods) if part]
    return (
        '<<table border="0" cellborder="1" cellspacing="0" cellpadding="3">'
        + "".join(rows)
        + "</table>>"
    )


def _node_attributes(node: GraphNode, kind: str) -> str:
    attributes: dict[str, str] = {}
    if kind == "classes" and node.kind != "external":
        attributes["shape"] = "plain"
        attributes["label"] = _class_label(node)
    else:
        attributes["label"] = _quoted(node.label)
    if node.kind == "external":
        attributes["style"] = "dashed"
    if node.focus:
        attributes["penwidth"] = "2.5"
    return ", ".join(f"{key}={value}" for key, value in attributes.items())


def _edge_attributes(edge: GraphEdge) -> str:
    attributes = dict(_EDGE_STYLES[edge.kind])
    words = [w for w in (edge.label, None if edge.certain else "guessed") if w]
    if words:
        attributes["label"] = " ".join(words)
    if not edge.certain:
        attributes["style"] = "dashed"
        attributes["color"] = "gray45"
    if edge.cycle:
        attributes["color"] = _CYCLE_COLOUR
        attributes["penwidth"] = "2"
    return ", ".join(f"{key}={_quoted(value)}" for key, value in attributes.items())
