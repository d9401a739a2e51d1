"""Code graphs from fixture packages (exact nodes and edges per language and kind) and their
drawings: Mermaid checked by Mermaid's own parser, DOT rendered by Graphviz, SVG labels."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import replace
from pathlib import Path

import pytest

from genls.assist.diagram import DiagramRequest, draw, make_diagram, parse_scope
from genls.errors import GenlsError
from genls.index.call_graph import call_graph
from genls.index.class_graph import class_graph
from genls.index.code_graph import CodeGraph, GraphEdge, GraphNode
from genls.index.import_graph import import_graph
from genls.index.source_scan import ParseCache, scan_sources
from multimodal.diagram.dot import to_dot
from multimodal.diagram.layout import cap
from multimodal.diagram.markdown import with_block
from multimodal.diagram.mermaid import to_mermaid
from multimodal.diagram.render import render

FIXTURES = Path(__file__).parent / "fixtures" / "diagram"
MERMAID_CHECK = Path(__file__).parent / "mermaid"


def tree(language: str):
    return scan_sources(FIXTURES / language)


def edges(graph: CodeGraph) -> set[tuple]:
    """(source, target, kind, certain, label, cycle), ids shortened to what follows '::'."""
    return {
        (_short(e.source), _short(e.target), e.kind, e.certain, e.label, e.cycle)
        for e in graph.edges
    }


def _short(node_id: str) -> str:
    return node_id.split("::")[-1]


# -- classes ---------------------------------------------------------------------------------

CLASS_CASES = {
    "python": (
        {
            "Shape": ("class", ("name: str", "area()", "describe()")),
            "Circle": ("class", ("radius", "area()")),
            "Square": ("class", ("side", "area()", "draw_on()")),
            "Canvas": (
                "class",
                ("background: Circle", "shapes: list", "add()", "total_area()", "report()"),
            ),
        },
        {
            ("Circle", "Shape", "inherits", True, None, False),
            ("Square", "Shape", "inherits", True, None, False),  # class Square(base.Shape)
            ("Canvas", "Circle", "composition", True, "background", False),
        },
    ),
    "typescript": (
        {
            "Named": ("interface", ("name",)),
            "Animal": ("class", ("name", "constructor()", "sound()", "speak()")),
            "Dog": ("class", ("sound()",)),
            "Keeper": ("class", ("favourite: Dog", "constructor()", "feed()")),
        },
        {
            ("Animal", "Named", "implements", True, None, False),
            ("Dog", "Animal", "inherits", True, None, False),
            ("Keeper", "Dog", "composition", True, "favourite", False),
        },
    ),
    "javascript": (
        {
            "Store": ("class", ("items", "constructor()", "add()")),
            "Cart": ("class", ("owner: Owner", "constructor()", "total()")),
            "Owner": ("class", ()),
        },
        {
            ("Cart", "Store", "inherits", True, None, False),
            ("Cart", "Owner", "composition", True, "owner", False),
        },
    ),
    "go": (
        {
            "Engine": ("type", ("Power: int", "Start()")),
            "Mover": ("interface", ("Move()",)),
            "Wheel": ("type", ("Size: int",)),
            "Car": ("type", ("Wheels: Wheel", "Name: string", "Move()")),
        },
        {
            ("Car", "Engine", "inherits", True, None, False),  # embedding
            ("Car", "Wheel", "composition", True, "Wheels", False),
        },
    ),
    "rust": (
        {
            "Area": ("interface", ("area()",)),
            "Point": ("type", ("x", "y")),
            "Rect": ("type", ("origin: Point", "width", "height", "new()", "area()")),
            "Debug": ("external", ()),
        },
        {
            ("Area", "external:Debug", "inherits", True, None, False),  # trait Area: fmt::Debug
            ("Rect", "Area", "implements", True, None, False),
            ("Rect", "Point", "composition", True, "origin", False),
        },
    ),
}


@pytest.mark.parametrize("language", sorted(CLASS_CASES))
def test_class_graph_has_exactly_the_classes_and_relations(language):
    expected_nodes, expected_edges = CLASS_CASES[language]
    graph = class_graph(tree(language))
    assert {n.label: (n.kind, n.members) for n in graph.nodes} == expected_nodes
    assert edges(graph) == expected_edges


def test_class_graph_of_one_class_shows_its_ancestors_descendants_and_parts():
    graph = class_graph(tree("python"), ".", "Canvas")
    assert [n.label for n in graph.nodes] == ["Canvas", "Circle"]
    assert [n.label for n in graph.nodes if n.focus] == ["Canvas"]
    graph = class_graph(tree("python"), ".", "Shape")
    assert sorted(n.label for n in graph.nodes) == ["Circle", "Shape", "Square"]


# -- calls -----------------------------------------------------------------------------------


def test_python_call_graph_marks_certain_and_guessed_calls():
    graph = call_graph(tree("python"), "report", depth=2)
    assert sorted(n.label for n in graph.nodes) == [
        "Canvas.report",
        "Canvas.total_area",
        "Circle.area",
        "Shape.area",
        "Square.area",
        "demo",
        "summarize",
    ]
    assert [n.label for n in graph.nodes if n.focus] == ["Canvas.report"]
    assert edges(graph) == {
        ("Canvas.report", "Canvas.total_area", "calls", True, None, False),  # self.total_area()
        ("Canvas.report", "summarize", "calls", True, None, False),  # same module
        # shape.area(): any of three methods of that name.
        ("Canvas.total_area", "Shape.area", "calls", False, None, False),
        ("Canvas.total_area", "Circle.area", "calls", False, None, False),
        ("Canvas.total_area", "Square.area", "calls", False, None, False),
        ("demo", "Canvas.report", "calls", False, None, False),  # canvas.report()
    }


def test_call_graph_depth_limits_the_walk():
    graph = call_graph(tree("python"), "Canvas.report", depth=1)
    assert sorted(n.label for n in graph.nodes) == [
        "Canvas.report",
        "Canvas.total_area",
        "demo",
        "summarize",
    ]


@pytest.mark.parametrize(
    ("language", "symbol", "depth", "expected"),
    [
        (
            "typescript",
            "main",
            2,
            {
                ("main", "Keeper.feed", "calls", False, None, False),
                ("Keeper.feed", "Animal.speak", "calls", False, None, False),
            },
        ),
        (
            "javascript",
            "total",
            1,
            {("Cart.total", "formatCount", "calls", True, None, False)},  # imported name
        ),
        (
            "go",
            "main",
            2,
            {
                ("main", "NewCar", "calls", True, None, False),  # vehicle.NewCar()
                ("main", "Car.Move", "calls", False, None, False),
                ("main", "Mover.Move", "calls", False, None, False),
                ("Car.Move", "Engine.Start", "calls", False, None, False),
            },
        ),
        (
            "rust",
            "main",
            1,
            {
                ("main", "Rect.new", "calls", True, None, False),  # Rect::new()
                ("main", "Rect.area", "calls", False, None, False),
                ("main", "Area.area", "calls", False, None, False),
            },
        ),
    ],
)
def test_call_graph_per_language(language, symbol, depth, expected):
    assert edges(call_graph(tree(language), symbol, depth=depth)) == expected


# -- imports ---------------------------------------------------------------------------------

IMPORT_CASES = {
    "python": {
        ("shapes/__init__.py", "shapes/base.py", "imports", True, None, False),
        ("shapes/canvas.py", "shapes/circle.py", "imports", True, None, False),
        ("shapes/canvas.py", "shapes/square.py", "imports", True, None, True),
        ("shapes/square.py", "shapes/canvas.py", "imports", True, None, True),
        ("shapes/square.py", "shapes/base.py", "imports", True, None, False),
        ("shapes/circle.py", "shapes/base.py", "imports", True, None, False),
        ("shapes/circle.py", "external:math", "imports", True, None, False),
    },
    "typescript": {
        ("index.ts", "zoo/keeper.ts", "imports", True, None, False),
        ("index.ts", "external:path", "imports", True, None, False),
        ("zoo/dog.ts", "zoo/animal.ts", "imports", True, None, False),
        ("zoo/keeper.ts", "zoo/animal.ts", "imports", True, None, False),
        ("zoo/keeper.ts", "zoo/dog.ts", "imports", True, None, False),
    },
    "javascript": {
        ("lib/cart.js", "lib/format.js", "imports", True, None, False),
        ("lib/cart.js", "lib/store.js", "imports", True, None, False),
    },
    "go": {
        (".", "vehicle", "imports", True, None, False),  # packages are folders
        (".", "external:fmt", "imports", True, None, False),
    },
    "rust": {
        ("src/main.rs", "src/shapes.rs", "imports", True, None, False),
        ("src/shapes.rs", "external:std", "imports", True, None, False),
    },
}


@pytest.mark.parametrize("language", sorted(IMPORT_CASES))
def test_import_graph_has_exactly_the_module_dependencies(language):
    graph = import_graph(tree(language))
    assert edges(graph) == IMPORT_CASES[language]
    assert {e.source for e in graph.edges} | {e.target for e in graph.edges} == {
        n.id for n in graph.nodes
    }


def test_import_graph_of_a_subfolder_keeps_only_its_modules_as_sources():
    graph = import_graph(tree("typescript"), "zoo")
    assert {e.source for e in graph.edges} == {"zoo/dog.ts", "zoo/keeper.ts"}


# -- capping, order, formats ----------------------------------------------------------------


def _chain(count: int) -> CodeGraph:
    nodes = tuple(
        GraphNode(f"m{i:02}", f"m{i:02}", "module", "pkg" if i % 2 else "lib") for i in range(count)
    )
    links = tuple(GraphEdge(f"m{i:02}", f"m{i + 1:02}", "imports") for i in range(count - 1))
    return CodeGraph("imports", "chain", nodes, links)


def test_cap_keeps_the_focus_and_its_neighbourhood_and_says_what_was_left_out():
    graph = _chain(10)
    focused = replace(
        graph,
        nodes=tuple(replace(n, focus=True) if n.id == "m05" else n for n in graph.nodes),
    )
    capped = cap(focused, 3)
    assert sorted(n.id for n in capped.nodes) == ["m04", "m05", "m06"]
    assert [(e.source, e.target) for e in capped.edges] == [("m04", "m05"), ("m05", "m06")]
    assert capped.notes == ("7 of 10 nodes left out (cap 3): m00, m01, m02, m03, m07, m08, m09",)


def test_output_order_is_stable_whatever_the_input_order():
    graph = _chain(6)
    shuffled = replace(graph, nodes=graph.nodes[::-1], edges=graph.edges[::-1])
    assert to_mermaid(cap(graph, 60)) == to_mermaid(cap(shuffled, 60))
    assert to_dot(cap(graph, 60)) == to_dot(cap(shuffled, 60))


def test_a_small_change_gives_a_small_diff():
    before = to_mermaid(class_graph(tree("python"))).splitlines()
    graph = class_graph(tree("python"))
    extra = GraphNode("shapes/z.py::Zigzag", "Zigzag", "class", "shapes", "shapes/z.py")
    after = to_mermaid(cap(replace(graph, nodes=(*graph.nodes, extra)), 60)).splitlines()
    added = [line for line in after if line not in before]
    assert added == ['    class c_shapes_z_py__Zigzag["Zigzag"]'] and len(after) == len(before) + 1


def _all_graphs() -> dict[str, CodeGraph]:
    graphs = {}
    for language in CLASS_CASES:
        graphs[f"{language} classes"] = class_graph(tree(language))
        graphs[f"{language} imports"] = import_graph(tree(language))
    graphs["python calls"] = call_graph(tree("python"), "report", depth=2)
    graphs["capped"] = cap(_chain(30), 5)
    return graphs


def _mermaid_parse(texts: list[str]) -> list[dict]:
    result = subprocess.run(
        ["node", str(MERMAID_CHECK / "parse.mjs")],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout)


needs_mermaid = pytest.mark.skipif(
    not (MERMAID_CHECK / "node_modules" / "mermaid").is_dir() or shutil.which("node") is None,
    reason="Mermaid's parser is not installed: `make test` installs it (npm ci in tests/mermaid)",
)


@needs_mermaid
def test_mermaid_output_parses_with_mermaids_own_grammar():
    graphs = _all_graphs()
    results = _mermaid_parse([to_mermaid(g) for g in graphs.values()])
    for name, result in zip(graphs, results, strict=True):
        assert result["ok"], f"{name}: {result.get('error')}"
        expected = "classDiagram" if graphs[name].kind == "classes" else "flowchart-v2"
        assert result["type"] == expected


@needs_mermaid
def test_the_mermaid_check_rejects_broken_diagrams():
    broken = to_mermaid(class_graph(tree("python"))).replace("<|--", "<|-- -->", 1)
    assert _mermaid_parse([broken])[0]["ok"] is False


def test_mermaid_structure_every_edge_joins_declared_nodes():
    for name, graph in _all_graphs().items():
        text = to_mermaid(graph)
        lines = text.splitlines()
        assert lines[0] == "---" and lines[2] == "---", name
        body = lines[3 + len(graph.notes) :]
        assert body[0] in ("classDiagram", "flowchart LR"), name
        declared = {
            line.split()[1].split("[")[0]
            if line.strip().startswith("class ")
            else line.strip().split("[")[0].split("(")[0]
            for line in body
            if '["' in line and not line.strip().startswith(("subgraph", "namespace"))
        }
        assert len(declared) == len(graph.nodes), name
        for line in body:
            for arrow in ("<|--", "<|..", "*--", "o--", "-.->", "-->"):
                if f" {arrow} " in line:
                    left, right = line.split(f" {arrow} ")
                    assert left.strip() in declared and right.split(" : ")[0] in declared, line
                    break


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
@pytest.mark.parametrize("name", ["python classes", "rust classes", "python imports", "capped"])
def test_dot_renders_and_the_svg_contains_every_node_label(name):
    graph = _all_graphs()[name]
    svg = render(to_dot(graph), "svg")
    root = ElementTree.fromstring(svg)  # well-formed XML
    texts = {
        "".join(element.itertext()) for element in root.iter("{http://www.w3.org/2000/svg}text")
    }
    for node in graph.nodes:
        assert node.label in texts, f"{node.label} not drawn"
    png = render(to_dot(graph), "png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_import_cycles_are_drawn_red():
    graph = import_graph(tree("python"))
    dot = to_dot(graph)
    cyclic = [line for line in dot.splitlines() if "#d62728" in line]
    assert len(cyclic) == 2  # canvas -> square and square -> canvas
    mermaid = to_mermaid(graph)
    cycle_indexes = [i for i, e in enumerate(graph.edges) if e.cycle]
    assert f"linkStyle {','.join(map(str, cycle_indexes))} stroke:#d62728" in mermaid


def test_markdown_block_is_added_once_and_replaced_on_rerun():
    first = with_block("# Design\n\nText.\n", "classes-shapes", "classDiagram\n  A <|-- B\n")
    assert first.count("```mermaid") == 1 and first.startswith("# Design\n\nText.\n\n<!--")
    second = with_block(first, "classes-shapes", "classDiagram\n  A <|-- C\n")
    assert second.count("```mermaid") == 1 and "A <|-- C" in second and "A <|-- B" not in second
    third = with_block(second, "imports", "flowchart LR\n  a --> b\n")
    assert third.count("```mermaid") == 2


def test_picture_without_graphviz_falls_back_to_mermaid_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")  # no `dot` on the PATH
    diagram = draw(class_graph(tree("python")), "svg")
    assert diagram.format == "mmd" and diagram.text.startswith("---\ntitle:")
    assert "apt-get install graphviz" in diagram.warnings[0]


def test_make_diagram_checks_requests_and_reuses_parses():
    cache = ParseCache()
    request = DiagramRequest("classes", "shapes", format="dot", max_nodes=2)
    diagram = make_diagram(FIXTURES / "python", request, 1_000_000, cache)
    assert diagram.text.startswith("digraph genls {") and len(diagram.graph.nodes) == 2
    assert "2 of 4 nodes left out (cap 2)" in diagram.text
    assert request.file_name == "classes-shapes.dot"
    with pytest.raises(GenlsError, match="needs a function"):
        make_diagram(FIXTURES / "python", DiagramRequest("calls"), 1_000_000, cache)
    with pytest.raises(GenlsError, match="nothing to draw"):
        make_diagram(FIXTURES / "python", DiagramRequest("calls", symbol="nope"), 1_000_000)


def test_parse_scope_reads_paths_and_symbols():
    root = FIXTURES / "python"
    assert parse_scope(root, "shapes", "imports") == ("shapes", None)
    assert parse_scope(root, "shapes/canvas.py::Canvas.report", "calls") == (
        "shapes/canvas.py",
        "Canvas.report",
    )
    assert parse_scope(root, "report", "calls") == (".", "report")
    assert parse_scope(root, "Shape", "classes") == (".", "Shape")
    with pytest.raises(GenlsError, match="outside the workspace"):
        parse_scope(root, "../../..", "imports")


def test_cli_writes_the_format_its_output_names(tmp_path):
    import sys

    def genls(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "genls", "diagram", *args, "--root", str(FIXTURES / "python")],
            capture_output=True,
            text=True,
            timeout=120,
        )

    printed = genls("calls", "shapes/canvas.py::Canvas.report", "--depth", "1")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.startswith('---\ntitle: "Calls around Canvas.report"')
    written = genls("classes", "shapes", "-o", str(tmp_path / "classes.dot"))
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "classes.dot").read_text().startswith("digraph genls {")
    bad = genls("imports", "-o", str(tmp_path / "imports.gif"))
    assert bad.returncode == 2 and "must end in .mmd" in bad.stderr


def test_bench_diagram_reports_times_and_inheritance_scores_for_both_tools():
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "genls", "bench", "diagram", "--packages", "concurrent"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["benchmark"] == "diagram" and report["truth"]["classes"] >= 3
    assert report["genls"]["seconds"]["class_graph_all_packages"] >= 0
    for side in ("genls", "pyreverse"):
        scores = report[side]["inheritance"]["direct_bases_by_name"]
        assert 0 <= scores["precision"] <= 1 and 0 <= scores["recall"] <= 1
