"""Diagram speed and class-hierarchy accuracy on the standard library: one JSON report.

A fixed set of standard-library packages (tests left out) is copied into a scratch
workspace. The benchmark times a folder scan, each kind of diagram and each output format,
then checks the inheritance edges of the class diagram against Python itself: each class
genls found that imports at run time (top-level, same module) has its direct bases
(`__bases__`, object left out) and its ancestors (`__mro__`). Precision and recall are given
by base name (what the diagram shows), and strictly, by the base's module too. pyreverse
(pylint) draws the same packages, timed and scored the same way. Nothing passes or fails.
"""

from __future__ import annotations

import importlib
import inspect
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.machine import report_header
from genls.index.call_graph import call_graph
from genls.index.class_graph import class_graph
from genls.index.code_graph import CodeGraph
from genls.index.import_graph import import_graph
from genls.index.module_resolution import ModuleResolver
from genls.index.source_scan import SourceTree, scan_sources
from multimodal.diagram.dot import to_dot
from multimodal.diagram.layout import cap
from multimodal.diagram.mermaid import to_mermaid
from multimodal.diagram.render import graphviz_available, render

_SKIPPED = {"test", "tests", "idle_test", "__pycache__"}
_PYREVERSE_TIMEOUT_S = 600
_CALL_GRAPH_SAMPLES = 20
# The packages are copied under a package of this name: pyreverse leaves out modules it takes
# for the standard library (an empty diagram for `json`), and its prefix is removed from names.
_WRAPPER = "corpus"

Edge = tuple[str, str]  # (module.Class, base) — base is a name, or module.qualname strictly


def run_diagram_bench(packages: list[str]) -> dict[str, Any]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    scratch = Path(tempfile.mkdtemp(prefix="genls-bench-diagram-"))
    try:
        root = scratch / "workspace"
        for package in packages:
            shutil.copytree(
                stdlib / package,
                root / _WRAPPER / package,
                ignore=shutil.ignore_patterns(*_SKIPPED),
            )
        (root / _WRAPPER / "__init__.py").write_text("")
        report = report_header("diagram")
        report["packages"] = packages
        report["python"] = sys.version.split()[0]
        report["genls"] = _genls_side(root, packages)
        report["pyreverse"] = _pyreverse_side(root, packages, report["genls"]["_truth"])
        truth = report["genls"].pop("_truth")
        report["truth"] = {
            "classes": len(truth["classes"]),
            "direct_base_edges": len(truth["direct"]),
            "ancestor_pairs": len(truth["ancestors"]),
        }
        return report
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# -- genls ------------------------------------------------------------------------------------


def _genls_side(root: Path, packages: list[str]) -> dict[str, Any]:
    print("genls: scanning", file=sys.stderr, flush=True)
    started = time.perf_counter()
    tree = scan_sources(root)
    scan_seconds = time.perf_counter() - started
    timings: dict[str, float] = {}
    started = time.perf_counter()
    classes = class_graph(tree)
    timings["class_graph_all_packages"] = time.perf_counter() - started
    started = time.perf_counter()
    imports = import_graph(tree)
    timings["import_graph_all_packages"] = time.perf_counter() - started
    timings["call_graph_mean"] = _mean_call_graph_seconds(tree)
    per_package = [class_graph(tree, f"{_WRAPPER}/{package}") for package in packages]
    timings.update(_format_timings(per_package))
    resolver = ModuleResolver(tree)
    found = _genls_edges(classes, resolver)
    truth = _runtime_truth(sorted(found["classes"]))
    print(f"genls: {len(truth['classes'])} importable classes", file=sys.stderr, flush=True)
    return {
        "files": len(tree.files),
        "classes_found": len(found["classes"]),
        "scan_seconds": round(scan_seconds, 3),
        "seconds": {name: round(value, 4) for name, value in timings.items()},
        "import_graph": {
            "modules": sum(1 for n in imports.nodes if n.kind == "module"),
            "edges": len(imports.edges),
            "edges_in_cycles": sum(1 for e in imports.edges if e.cycle),
        },
        "inheritance": _scores(found, truth),
        "_truth": truth,
    }


def _mean_call_graph_seconds(tree: SourceTree) -> float:
    functions = sorted(
        {d.name for f in tree.files for d in f.symbols.definitions if d.kind == "function"}
    )
    step = max(1, len(functions) // _CALL_GRAPH_SAMPLES)
    sample = functions[::step][:_CALL_GRAPH_SAMPLES]
    started = time.perf_counter()
    for name in sample:
        call_graph(tree, name, depth=2)
    return (time.perf_counter() - started) / max(1, len(sample))


def _format_timings(graphs: list[CodeGraph]) -> dict[str, float]:
    """Mean seconds to write each format for one package's class diagram (capped at 60)."""
    capped = [cap(graph, 60) for graph in graphs]
    timings = {}
    for name, write in (("mermaid", to_mermaid), ("dot", to_dot)):
        started = time.perf_counter()
        for graph in capped:
            write(graph)
        timings[f"{name}_per_package_mean"] = (time.perf_counter() - started) / len(capped)
    if graphviz_available():
        started = time.perf_counter()
        for graph in capped:
            render(to_dot(graph), "svg")
        timings["svg_per_package_mean"] = (time.perf_counter() - started) / len(capped)
    return timings


def _genls_edges(graph: CodeGraph, resolver: ModuleResolver) -> dict[str, Any]:
    def qualified(node_id: str) -> str:
        node = graph.node(node_id)
        if node.path is None:
            return node.label
        return _unwrapped(f"{resolver.python_name(node.path)}.{node.label}")

    classes = {qualified(n.id) for n in graph.nodes if n.kind != "external"}
    direct: set[Edge] = set()
    strict: set[Edge] = set()
    for edge in graph.edges:
        if edge.kind != "inherits" or graph.node(edge.target).label == "object":
            continue  # `class A(object)`: the runtime leaves object out too
        source = qualified(edge.source)
        direct.add((source, graph.node(edge.target).label))
        strict.add((source, qualified(edge.target)))
    return {"classes": classes, "direct": direct, "strict": strict}


# -- the runtime's answer ------------------------------------------------------------------


def _runtime_truth(classes: list[str]) -> dict[str, Any]:
    """Direct bases and ancestors of each class that imports and is what its name says."""
    importable: set[str] = set()
    direct: set[Edge] = set()
    strict: set[Edge] = set()
    ancestors: set[Edge] = set()
    modules: dict[str, Any] = {}
    for name in classes:
        module_name, _, class_name = name.rpartition(".")
        if module_name not in modules:
            modules[module_name] = _import(module_name)
        cls = getattr(modules[module_name], class_name, None)
        if not inspect.isclass(cls) or cls.__qualname__ != class_name:
            continue
        if cls.__module__ != module_name:
            continue  # re-exported from elsewhere: not this definition
        importable.add(name)
        for base in cls.__bases__:
            if base is not object:
                direct.add((name, base.__name__))
                strict.add((name, f"{base.__module__}.{base.__qualname__}"))
        for ancestor in cls.__mro__[1:]:
            if ancestor is not object:
                ancestors.add((name, ancestor.__name__))
    return {"classes": importable, "direct": direct, "strict": strict, "ancestors": ancestors}


def _import(module_name: str) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return importlib.import_module(module_name)
    except BaseException:  # a module that needs a platform, a GUI or a C extension
        return None


# -- scoring ----------------------------------------------------------------------------------


def _ancestors(strict: set[Edge]) -> set[Edge]:
    """(class, ancestor's name) by following the drawn edges: each edge leads to one class
    (module.qualname); a base outside the packages ends the walk."""
    parents: dict[str, set[str]] = defaultdict(set)
    for child, base in strict:
        parents[child].add(base)
    closure: set[Edge] = set()
    for child in parents:
        seen: set[str] = set()
        frontier = set(parents[child])
        while frontier:
            base = frontier.pop()
            if base not in seen:
                seen.add(base)
                frontier |= parents.get(base, set())
        closure |= {(child, base.rpartition(".")[2]) for base in seen}
    return closure


def _precision_recall(found: set[Edge], truth: set[Edge], classes: set[str]) -> dict[str, Any]:
    scored = {edge for edge in found if edge[0] in classes}
    hits = len(scored & truth)
    return {
        "precision": round(hits / len(scored), 4) if scored else None,
        "recall": round(hits / len(truth), 4) if truth else None,
        "found": len(scored),
        "correct": hits,
    }


def _scores(found: dict[str, Any], truth: dict[str, Any]) -> dict[str, Any]:
    classes = truth["classes"]
    return {
        "direct_bases_by_name": _precision_recall(found["direct"], truth["direct"], classes),
        "direct_bases_strict": _precision_recall(found["strict"], truth["strict"], classes),
        "ancestors_by_name": _precision_recall(
            _ancestors(found["strict"]), truth["ancestors"], classes
        ),
        "classes_covered": round(len(classes & found["classes"]) / len(classes), 4)
        if classes
        else None,
    }


# -- pyreverse --------------------------------------------------------------------------------

_DOT_NODE = re.compile(r'^"([^"]+)" \[')
_DOT_EDGE = re.compile(r'^"([^"]+)" -> "([^"]+)" \[(.*)\];')


def _pyreverse_side(root: Path, packages: list[str], truth: dict[str, Any]) -> dict[str, Any]:
    executable = shutil.which("pyreverse") or str(Path(sys.executable).parent / "pyreverse")
    if not Path(executable).exists():
        return {"error": "pyreverse is not installed (pip install pylint)"}
    out = root.parent / "pyreverse"
    out.mkdir()
    seconds: dict[str, float] = {}
    classes: set[str] = set()
    direct: set[Edge] = set()
    strict: set[Edge] = set()
    failures: dict[str, str] = {}
    for package in packages:
        print(f"pyreverse: {package}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        try:
            result = subprocess.run(
                [executable, "-o", "dot", "-p", package, "-d", str(out), f"{_WRAPPER}/{package}"],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=_PYREVERSE_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired:
            failures[package] = f"timed out after {_PYREVERSE_TIMEOUT_S} s"
            continue
        seconds[package] = round(time.perf_counter() - started, 3)
        dot_file = out / f"classes_{package}.dot"
        if result.returncode != 0 or not dot_file.is_file():
            failures[package] = result.stderr.strip().splitlines()[-1:] or "no output"
            continue
        found = _pyreverse_edges(dot_file.read_text(encoding="utf-8"))
        classes |= found["classes"]
        direct |= found["direct"]
        strict |= found["strict"]
    scores = _scores({"classes": classes, "direct": direct, "strict": strict}, truth)
    return {
        "version": _pyreverse_version(executable),
        "seconds_per_package": seconds,
        "seconds_total": round(sum(seconds.values()), 3),
        "classes_found": len(classes),
        "inheritance": scores,
        "failures": failures,
    }


def _pyreverse_edges(dot: str) -> dict[str, Any]:
    classes: set[str] = set()
    direct: set[Edge] = set()
    strict: set[Edge] = set()
    for line in dot.splitlines():
        line = line.strip()
        edge = _DOT_EDGE.match(line)
        if edge:
            child, base, attributes = edge.groups()
            child, base = _unwrapped(child), _unwrapped(base)
            if 'arrowhead="empty"' in attributes and 'style="dashed"' not in attributes:
                direct.add((child, base.rpartition(".")[2]))
                strict.add((child, base))
            continue
        node = _DOT_NODE.match(line)
        if node:
            classes.add(_unwrapped(node.group(1)))
    return {"classes": classes, "direct": direct, "strict": strict}


def _pyreverse_version(executable: str) -> str:
    result = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
    return " ".join(result.stdout.split()[:8])


def _unwrapped(name: str) -> str:
    return name.removeprefix(_WRAPPER + ".")
